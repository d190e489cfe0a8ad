from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tasks.models import CalendarDay, Heartbeat, Reminder, StepDuration, TaskDeadline
from tasks.services import reminders_retry


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "is_working_day", "name_km", "name_en"]
    list_filter = ["is_working_day"]
    date_hierarchy = "day"


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "sent_at", "received_at"]


@admin.register(StepDuration)
class StepDurationAdmin(admin.ModelAdmin):
    list_display = [
        "step",
        "instrument_type",
        "working_days",
        "remind_days_before",
        "escalate_after_days",
        "escalate_to_dg_after_days",
    ]
    list_filter = ["step", "instrument_type"]


@admin.register(TaskDeadline)
class TaskDeadlineAdmin(admin.ModelAdmin):
    list_display = ["task", "step", "instrument", "assignee", "due_on", "closed_at"]
    list_filter = ["step", ("closed_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["task", "instrument", "organisation", "assignee"]
    date_hierarchy = "due_on"
    show_full_result_count = False  # a million rows: no COUNT(*) on every page


class HasErrorFilter(admin.SimpleListFilter):
    title = _("send error")
    parameter_name = "error"

    def lookups(self, request, model_admin):
        return [("yes", _("With an error"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(last_error="")
        return queryset


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The outbox, where the administrator sees failed sends and retries them."""

    list_display = [
        "created_at",
        "kind",
        "recipient",
        "day",
        "status",
        "attempts",
        "next_attempt_at",
        "short_error",
    ]
    list_filter = ["status", HasErrorFilter, "kind"]
    search_fields = ["recipient__username", "last_error"]
    raw_id_fields = ["deadline", "consultation_round", "recipient"]
    readonly_fields = ["created_at", "sent_at"]
    date_hierarchy = "created_at"
    actions = ["retry"]
    show_full_result_count = False

    @admin.display(description=_("last error"))
    def short_error(self, reminder):
        return reminder.last_error[:80]

    @admin.action(description=_("Retry sending the selected reminders"))
    def retry(self, request, queryset):
        count = reminders_retry(reminder_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d reminder will be sent again.",
                "%(count)d reminders will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
