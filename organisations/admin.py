from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from organisations.models import Delegation, Organisation, User
from project.history_admin import HistoryAdmin


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    list_display = ["code", "name_km", "name_en", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_km", "name_en"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, HistoryAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "supervisor", "language"]
    list_filter = ["groups", "organisation", "language", "is_active"]
    list_select_related = ["organisation", "supervisor"]
    autocomplete_fields = ["organisation", "supervisor"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Lekhit"), {"fields": ["organisation", "supervisor", "position", "language"]}),
    ]


@admin.register(Delegation)
class DelegationAdmin(HistoryAdmin):
    list_display = ["delegator", "delegate", "starts_on", "ends_on", "reason"]
    list_select_related = ["delegator", "delegate"]
    autocomplete_fields = ["delegator", "delegate"]
    date_hierarchy = "starts_on"
