from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """When beat last sent, and a worker last ran, the periodic heartbeat job.

    Kept in the database (not the cache) so that the web process sees what the worker and beat
    processes wrote, with or without Redis.
    """

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    sent_at = models.DateTimeField(_("sent by beat"))
    received_at = models.DateTimeField(_("run by a worker"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return self.name


class CalendarDay(models.Model):
    """An administrator's correction to the working-day calendar.

    Cambodian public holidays come from the ``holidays`` package; the government also declares
    extra days off (and, rarely, makes a weekend day a working day). Each such day is a row:
    ``is_working_day`` False adds a holiday, True removes one (or opens a weekend day).
    """

    day = models.DateField(_("day"), unique=True)
    is_working_day = models.BooleanField(_("working day"), default=False)
    name_km = models.CharField(_("name (Khmer)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]

    def __str__(self):
        return str(self.day)


class StepDuration(models.Model):
    """How many working days a step may take, and when to remind and escalate, per instrument
    type (or for every type, when ``instrument_type`` is empty). Edited by the administrator."""

    instrument_type = models.ForeignKey(
        "documents.InstrumentType",
        verbose_name=_("instrument type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: the default for every type."),
    )
    step = models.CharField(_("step"), max_length=64)
    working_days = models.PositiveSmallIntegerField(_("working days"))
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind N working days before"), default=2
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate to the supervisor after M working days overdue"), default=3
    )
    escalate_to_dg_after_days = models.PositiveSmallIntegerField(
        _("escalate to the director-general after K working days overdue"), default=10
    )

    class Meta:
        verbose_name = _("step duration")
        verbose_name_plural = _("step durations")
        ordering = ["step"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument_type", "step"], name="one_duration_per_step"
            ),
            models.UniqueConstraint(
                fields=["step"],
                condition=models.Q(instrument_type=None),
                name="one_default_duration_per_step",
            ),
        ]

    def __str__(self):
        return f"{self.step}: {self.working_days}"


class TaskDeadline(models.Model):
    """When a process task was opened and assigned, by when it is due, and when it closed.

    Viewflow keeps neither the assignment time nor a deadline; reminders and escalation read
    this table (through its partial index on open deadlines), never the task table.
    """

    task = models.OneToOneField(
        "viewflow.Task", verbose_name=_("task"), on_delete=models.CASCADE, related_name="deadline"
    )
    instrument = models.ForeignKey(
        "documents.Instrument",
        verbose_name=_("instrument"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    step = models.CharField(_("step"), max_length=64)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"))
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    due_on = models.DateField(_("due"))
    extended_reason = models.TextField(_("reason for the extension"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("task deadline")
        verbose_name_plural = _("task deadlines")
        indexes = [
            models.Index(
                fields=["due_on"], condition=models.Q(closed_at=None), name="open_deadline_due_on"
            )
        ]

    def __str__(self):
        return f"{self.step} · {self.due_on}"
