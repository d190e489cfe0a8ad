from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from documents.models import Instrument, InstrumentType, ReferenceCounter
from project.history_admin import HistoryAdmin


@admin.register(InstrumentType)
class InstrumentTypeAdmin(HistoryAdmin):
    list_display = ["code", "name_km", "name_en", "reference_pattern", "order"]
    search_fields = ["code", "name_km", "name_en"]
    fieldsets = [
        (None, {"fields": ["code", "name_km", "name_en", "reference_pattern", "order"]}),
        (
            _("Official layout"),
            {
                "fields": [
                    ("title_word_km", "title_word_en"),
                    ("deciding_word_km", "deciding_word_en"),
                    ("issuing_authority_km", "issuing_authority_en"),
                    ("usual_signer_km", "usual_signer_en"),
                    "date_position",
                ]
            },
        ),
    ]


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(admin.ModelAdmin):
    """Where the administrator sets where a year's numbering starts (a type numbered by hand
    before Lekhit, say): the next number is one more than the count."""

    list_display = ["instrument_type", "year", "registered"]
    list_filter = ["instrument_type", "year"]


@admin.register(Instrument)
class InstrumentAdmin(HistoryAdmin):
    list_display = ["title_km", "instrument_type", "status", "lead_drafter", "updated_at"]
    list_filter = ["status", "instrument_type"]
    search_fields = ["title_km", "title_en", "reference_number"]
    list_select_related = ["instrument_type", "lead_drafter"]
    autocomplete_fields = ["lead_drafter", "co_drafters", "owning_office"]
    readonly_fields = ["status", "reference_number", "registered_on"]
