from django.conf import settings
from django.db import models
from django.db.models.functions import TruncDate
from django.utils.functional import cached_property
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS

from khmer.formats import format_datetime
from organisations.models import Organisation


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    RETURN = "return", _("Return to the drafter")


class SignOffDecision(models.TextChoices):
    APPROVE = "approve", _("Approve and sign")
    RETURN = "return", _("Return for revision")
    REJECT = "reject", _("Reject")


class NextStep(models.TextChoices):
    ROUND = "round", _("Another consultation round")
    LEGAL = "legal", _("Legal review")


class Position(models.TextChoices):
    NO_OBJECTION = "no_objection", _("No objection")
    COMMENTS = "comments", _("Comments")
    OBJECTION = "objection", _("Objection")


class SilenceRule(models.TextChoices):
    NO_OBJECTION = "no_objection", _("Silence means no objection")
    DIRECTOR = "director", _("The director decides")


class Disposition(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTLY = "partly", _("Partly accepted")
    REJECTED = "rejected", _("Rejected")
    NOTED = "noted", _("Noted")


class ApprovalProcess(Process):
    """One run of the approval process for one instrument."""

    instrument = models.ForeignKey(
        "documents.Instrument",
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        related_name="processes",
    )

    class Meta:
        verbose_name = _("approval process")
        verbose_name_plural = _("approval processes")
        permissions = [
            ("review_as_office_chief", _("Can review drafts as office chief")),
            ("review_as_director", _("Can review drafts as department director")),
            ("review_legal", _("Can do the legal review")),
            ("sign_off", _("Can sign off instruments")),
            ("register", _("Can number and archive signed instruments")),
            ("reassign_task", _("Can reassign the tasks of their unit")),
            ("view_portfolio", _("Can see the portfolio and the transfer of functions")),
        ]

    def __str__(self):
        return str(self.instrument)

    # Viewflow's process page lists the process's fields (``viewflow.utils.get_object_data``)
    # by each one's ``get_<field>_display()`` where the model has one: the two dates in the
    # reader's language (Khmer digits and forms in Khmer), as every page of ours writes them.
    def get_created_display(self) -> str:
        return format_datetime(self.created)

    def get_finished_display(self) -> str | None:
        return format_datetime(self.finished) if self.finished else None  # not listed

    def get_status_display(self) -> str:
        # Viewflow keeps a process NEW from its start to its end: "new" on a process whose
        # steps are under way misleads; say what it means.
        if self.status == PROCESS.NEW:
            return gettext("In progress")
        return super().get_status_display()

    @cached_property
    def current_round(self) -> "ConsultationRound | None":
        """The newest consultation round. Opening a round sets it on the instance, so that
        the split into one task per organisation, in the same step, does not read it back."""
        return self.rounds.order_by("-number").first()


class ConsultationRound(models.Model):
    """One round of consultation: the organisations asked, the version they see, a deadline."""

    process = models.ForeignKey(
        ApprovalProcess, verbose_name=_("process"), on_delete=models.CASCADE, related_name="rounds"
    )
    instrument = models.ForeignKey(
        "documents.Instrument",
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    number = models.PositiveSmallIntegerField(_("round"))
    version = models.ForeignKey(
        "documents.Version",
        verbose_name=_("version sent"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    silence_rule = models.CharField(
        _("if an organisation does not answer"), max_length=16, choices=SilenceRule.choices
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    matrix_published_at = models.DateTimeField(_("matrix published"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation round")
        verbose_name_plural = _("consultation rounds")
        ordering = ["instrument", "number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="round_number_unique")
        ]
        indexes = [
            models.Index(
                fields=["deadline"], condition=models.Q(closed_at=None), name="open_round_deadline"
            ),
            # the dashboard's consultation record: the rounds opened in a period
            models.Index(fields=["opened_at"], name="round_opened_at"),
            # the instruments an organisation was consulted on (``documents.permissions``)
            # and the versions sent to it (``workflows.permissions``), read from its
            # consultations' rounds by the index alone
            models.Index(fields=["id", "instrument", "version"], name="round_instrument_version"),
        ]

    def __str__(self):
        return f"{self.instrument} · {self.number}"


class Consultation(models.Model):
    """One organisation consulted in one round, and its answer."""

    round = models.ForeignKey(
        ConsultationRound,
        verbose_name=_("round"),
        on_delete=models.CASCADE,
        related_name="consultations",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    task = models.OneToOneField(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation",  # read with the task: selectors.task_for_step
    )
    position = models.CharField(
        pgettext_lazy("a consulted organisation's answer", "position"),
        max_length=16,
        choices=Position.choices,
        blank=True,
    )
    remarks = models.TextField(_("general remarks"), blank=True)
    by_silence = models.BooleanField(_("answered by silence"), default=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # The day of the answer where the department is (``TIME_ZONE``), kept by the database
    # beside the moment: whether an answer came by the round's deadline is a comparison of
    # days, and the dashboard's consultation record makes it for ten years of answers at
    # once (278,000 of them in ``make bench``), where converting each moment as it reads
    # them cost 40 ms of its 300.
    answered_on = models.GeneratedField(
        verbose_name=_("answered on"),
        expression=TruncDate("answered_at"),
        output_field=models.DateField(),
        db_persist=True,
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acting for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["round", "organisation__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organisation"], name="one_consultation_per_org"
            )
        ]

    def __str__(self):
        return f"{self.round} · {self.organisation}"


class Comment(models.Model):
    """An organisation's comment on one provision, on one row of the transfer schedule, or on
    the whole text, and its answer."""

    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    provision_uid = models.UUIDField(_("provision"), null=True, blank=True, db_index=True)
    provision_label = models.CharField(_("provision"), max_length=100, blank=True)
    # A row of the transfer schedule of the version sent, and its number there (1, 2 ...):
    # a comment has a provision, a schedule row, or neither (the whole text).
    schedule_row_uid = models.UUIDField(_("schedule row"), null=True, blank=True, db_index=True)
    schedule_row_number = models.PositiveIntegerField(
        _("schedule row number"), null=True, blank=True
    )
    text = models.TextField(_("comment"), max_length=10000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acting for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    disposition = models.CharField(
        _("disposition"), max_length=16, choices=Disposition.choices, blank=True
    )
    response = models.TextField(_("reason"), blank=True, max_length=10000)
    changed_provisions = models.JSONField(_("provisions changed"), default=list, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("edit counter"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["consultation", "created_at", "pk"]

    def __str__(self):
        return self.text[:80]


class SignOff(models.Model):
    """What the director-general signed: who, for whom, when, and the hash of the exact text."""

    process = models.OneToOneField(
        ApprovalProcess,
        verbose_name=_("process"),
        on_delete=models.PROTECT,
        related_name="sign_off",
    )
    instrument = models.ForeignKey(
        "documents.Instrument",
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        related_name="sign_offs",
    )
    version = models.ForeignKey(
        "documents.Version",
        verbose_name=_("version signed"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acting for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")

    def __str__(self):
        return f"{self.instrument} · {self.sha256[:12]}"


class AuditEntry(models.Model):
    """One step of the process: who, acting for whom, when, what. Append-only (the database
    refuses updates and deletes, as for versions)."""

    instrument = models.ForeignKey(
        "documents.Instrument",
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        related_name="audit",
    )
    process = models.ForeignKey(
        ApprovalProcess,
        verbose_name=_("process"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit",
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acting for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("what"), max_length=64)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
