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
        permissions = [("extend_deadline", _("Can extend any task's deadline"))]
        indexes = [
            models.Index(
                fields=["due_on"], condition=models.Q(closed_at=None), name="open_deadline_due_on"
            ),
            # The portfolio's durations of the steps ended in a period (``oversight``).
            models.Index(fields=["closed_at"], name="deadline_closed_at"),
        ]

    def __str__(self):
        return f"{self.step} · {self.due_on}"


class Reminder(models.Model):
    """The outbox: one row per message that the deadlines call for, written before it is sent.

    The sweep inserts a row when a reminder becomes due; the UNIQUE constraints make a second
    sweep (a retried job, a second beat) insert nothing. A worker then claims the row, sends
    it and marks it sent in one transaction, so a duplicated Celery message finds it sent and
    does nothing, and a worker killed mid-send leaves it pending for the next sweep to hand
    out again. A send that fails stays pending with its error and is retried later, with a
    growing pause; after ``MAX_ATTEMPTS`` it is marked failed for the administrator, never
    dropped.
    """

    class Kind(models.TextChoices):
        BEFORE = "before", _("Reminder before the deadline")
        DUE = "due", _("Deadline today")
        OVERDUE = "overdue", _("Deadline passed")
        ESCALATE_SUPERVISOR = "escalate_supervisor", _("Escalation to the supervisor")
        ESCALATE_DG = "escalate_dg", _("Escalation to the director-general")
        ROUND_DIRECTOR = "round_director", _("Round awaits the director's decision")
        DIGEST = "digest", _("Daily digest")
        # Events of the process, announced as they happen (``tasks.services.event_announce``).
        TASK_ASSIGNED = "task_assigned", _("A task for you")
        ROUND_OPENED = "round_opened", _("Consultation opened for your organisation")
        DRAFT_RETURNED = "draft_returned", _("Draft returned")
        MATRIX_PUBLISHED = "matrix_published", _("Comment–response matrix published")
        INSTRUMENT_SIGNED = "instrument_signed", _("Instrument signed")
        # A notification's copy on Telegram: a channel of its own, sent and retried apart.
        TELEGRAM = "telegram", _("Telegram message")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("No longer needed")
        FAILED = "failed", _("Failed")

    MAX_ATTEMPTS = 10

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    deadline = models.ForeignKey(
        TaskDeadline,
        verbose_name=_("task deadline"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        # Served by the UNIQUE (deadline, kind, day, recipient) index: a second index on the
        # same leading column would only slow each insert and each "sent" update.
        db_index=False,
    )
    consultation_round = models.ForeignKey(
        "workflows.ConsultationRound",
        verbose_name=_("consultation round"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # served by the UNIQUE (consultation_round, kind, day, recipient)
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    day = models.DateField(_("day"), help_text=_("The day the reminder is for."))
    event = models.CharField(
        _("event"),
        max_length=100,
        null=True,
        blank=True,
        help_text=_("What happened, once per recipient (an event's or a Telegram copy's key)."),
    )
    payload = models.JSONField(_("detail"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "kind", "day", "recipient"],
                condition=models.Q(deadline__isnull=False),
                name="reminder_once_per_task_kind_day",
            ),
            models.UniqueConstraint(
                fields=["consultation_round", "kind", "day", "recipient"],
                condition=models.Q(consultation_round__isnull=False),
                name="reminder_once_per_round_kind_day",
            ),
            models.UniqueConstraint(
                fields=["kind", "day", "recipient"],
                condition=models.Q(deadline=None, consultation_round=None, event=None),
                name="reminder_once_per_person_kind_day",
            ),
            models.UniqueConstraint(
                fields=["event", "recipient"],
                condition=models.Q(event__isnull=False),
                name="reminder_once_per_event_recipient",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="reminder_pending_due",
            ),
        ]

    def __str__(self):
        return f"{self.kind} · {self.day} · {self.recipient_id}"
