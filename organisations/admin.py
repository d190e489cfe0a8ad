"""The Django admin for people, organisations and delegations, under the services' rules.

The administrator role runs the admin without being a superuser, and the admin answers
nothing the services would refuse: roles and permissions go through
``services.user_roles_set`` (nobody gives a right they do not hold, nobody changes their own
roles, every change recorded in ``RoleChange``); an account holding rights the administrator
lacks is read-only to them (``backends.may_manage``: a reset password would make anyone its
holder); delegations are made and ended by the Away page's services. Superuser status is given
from the command line only (``createsuperuser``) and staff status by a superuser: the admin
shows both read-only to everyone else.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from organisations import services
from organisations.models import Delegation, Organisation, RoleChange, User
from organisations.permissions import delegation_policy, user_policy
from project.history_admin import HistoryAdmin


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    list_display = ["code", "name_km", "name_en", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_km", "name_en"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


def _refusal(error: Exception) -> ValidationError:
    if isinstance(error, ValidationError):
        return error
    return ValidationError(str(error) or gettext("You may not do this."))


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

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or user_policy.user_may(request.user, "change", obj)

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "is_superuser"]
        if not request.user.is_superuser:
            fields.append("is_staff")
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return form
        actor = request.user
        readonly = set(self.get_readonly_fields(request, obj))

        class RolesCheckedForm(form):
            def clean(self):
                cleaned = super().clean()
                for flag in ("is_superuser", "is_staff"):
                    asked = flag in readonly and flag in self.data
                    if asked and bool(self.data.get(flag)) != getattr(self.instance, flag):
                        self.add_error(None, _FLAG_REFUSALS[flag]())
                try:
                    services.user_roles_check(
                        user=self.instance,
                        actor=actor,
                        groups=cleaned.get("groups"),
                        permissions=cleaned.get("user_permissions"),
                    )
                except (PermissionDenied, ValidationError) as error:
                    self.add_error(None, _refusal(error))
                return cleaned

        return RolesCheckedForm

    def save_model(self, request, obj, form, change):
        if change:
            saved = User.objects.filter(pk=obj.pk).values("is_superuser", "is_staff").first()
            if saved and obj.is_superuser != saved["is_superuser"]:
                raise PermissionDenied(_FLAG_REFUSALS["is_superuser"]())
            if saved and obj.is_staff != saved["is_staff"] and not request.user.is_superuser:
                raise PermissionDenied(_FLAG_REFUSALS["is_staff"]())
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # Roles and own permissions are not the form's to write: the service checks and
        # records them.
        groups = form.cleaned_data.pop("groups", None)
        permissions = form.cleaned_data.pop("user_permissions", None)
        super().save_related(request, form, formsets, change)
        services.user_roles_set(
            user=form.instance,
            actor=request.user,
            groups=None if groups is None else list(groups),
            permissions=None if permissions is None else list(permissions),
        )


_FLAG_REFUSALS = {
    "is_superuser": lambda: gettext(
        "Superuser status is given only from the command line (manage.py createsuperuser)."
    ),
    "is_staff": lambda: gettext("Only a superuser changes who may use the admin."),
}


@admin.register(RoleChange)
class RoleChangeAdmin(admin.ModelAdmin):
    """The trail of role changes: read-only, append-only."""

    list_display = ["changed_at", "person", "changed_by", "roles_before", "roles_after"]
    list_select_related = ["person", "changed_by"]
    list_filter = ["changed_at"]
    search_fields = ["person__username", "changed_by__username"]
    date_hierarchy = "changed_at"
    fields = [
        "changed_at",
        "person",
        "changed_by",
        "roles_before",
        "roles_after",
        "permissions_before",
        "permissions_after",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delegation)
class DelegationAdmin(HistoryAdmin):
    """Delegations recorded for someone (who could not do it on the Away page), by the same
    service and rules; a delegation is not edited, it is ended (the action) — at once."""

    list_display = ["delegator", "delegate", "starts_on", "ends_on", "ended_at", "reason"]
    list_select_related = ["delegator", "delegate"]
    autocomplete_fields = ["delegator", "delegate"]
    date_hierarchy = "starts_on"
    fields = ["delegator", "delegate", "starts_on", "ends_on", "reason", "ended_at"]
    readonly_fields = ["ended_at"]
    actions = ["end_now"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        actor = request.user

        class DelegationCheckedForm(form):
            def clean(self):
                cleaned = super().clean()
                if self.errors:
                    return cleaned
                try:
                    services.delegation_check(
                        delegator=cleaned["delegator"],
                        delegate=cleaned["delegate"],
                        starts_on=cleaned["starts_on"],
                        ends_on=cleaned["ends_on"],
                        actor=actor,
                    )
                except ValidationError as error:
                    for field, errors in error.message_dict.items():
                        self.add_error(field if field in self.fields else None, errors)
                except PermissionDenied as error:
                    self.add_error(None, _refusal(error))
                return cleaned

            def _post_clean(self):
                # The model's own checks run in the service, on the instance it builds.
                pass

        return DelegationCheckedForm

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        data = form.cleaned_data
        created = services.delegation_create(
            delegator=data["delegator"],
            delegate=data["delegate"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data.get("reason", ""),
            actor=request.user,
        )
        obj.__dict__.update(created.__dict__)

    def save_related(self, request, form, formsets, change):
        pass  # nothing related; the form's instance was never saved (save_model)

    @admin.action(description=_("End now"), permissions=["end"])
    def end_now(self, request, queryset):
        ended = 0
        for delegation in queryset.select_related("delegator"):
            try:
                ended += services.delegation_end(delegation=delegation, user=request.user)
            except PermissionDenied as error:
                messages.error(request, f"{delegation}: {error}")
        messages.success(
            request, gettext("Delegations ended: %(count)s.") % {"count": _count(ended)}
        )

    def has_end_permission(self, request):
        return delegation_policy.user_may(request.user, "end_any")


def _count(number: int) -> str:
    from khmer.formats import format_number

    return format_number(number)
