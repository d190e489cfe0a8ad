"""Writes that move an instrument through the approval process.

Web views, admin actions, Celery jobs and tests all come here. Viewflow checks nothing when a
task is driven from code, so every function that completes a task is handed an activation that
``task_activation`` (or viewflow's own task view) has already checked for this user; functions
that act outside a task check the user on the object themselves. Each step writes one audit
entry, freezes a version where the text leaves the drafters' hands, and runs in the process's
lock and one transaction.
"""

import uuid
from contextlib import contextmanager
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.activation import Activation
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from documents.models import Instrument, InstrumentType, Provision, ReferenceCounter, Version
from documents.permissions import instrument_policy
from documents.services import instrument_lock, version_freeze
from khmer.formats import khmer_digits
from khmer.text import is_khmer_text, model_text, typed_text
from organisations.backends import acting_for_task
from organisations.models import Organisation, User
from tasks import services as time_services
from tasks.calendar import add_working_days
from tasks.deadlines import deadline_open
from workflows import events, selectors
from workflows.models import (
    ApprovalProcess,
    AuditEntry,
    Comment,
    Consultation,
    ConsultationRound,
    Decision,
    Disposition,
    NextStep,
    Position,
    SignOff,
    SignOffDecision,
    SilenceRule,
)
from workflows.permissions import (
    comment_policy,
    consultation_policy,
    round_policy,
    task_policy,
)

# The longest reason, note or remark a step keeps (the forms' limit too).
TEXT_MAX = 10000

# The instrument's status while each step's task is open.
STATUS_AT_STEP = {
    "chief_review": Instrument.Status.INTERNAL_REVIEW,
    "director_review": Instrument.Status.INTERNAL_REVIEW,
    "revise": Instrument.Status.DRAFT,
    "plan_round": Instrument.Status.CONSULTATION,
    "consolidate": Instrument.Status.CONSOLIDATION,
    "legal_review": Instrument.Status.LEGAL_REVIEW,
    "sign_off": Instrument.Status.SIGN_OFF,
    "register": Instrument.Status.SIGNED,
}


def audit(
    *,
    action: str,
    instrument: Instrument | None = None,
    actor: User | None = None,
    on_behalf_of: User | None = None,
    process: ApprovalProcess | None = None,
    task: Task | None = None,
    **detail,
) -> AuditEntry:
    """One entry of the append-only trail; the instrument defaults to the process's."""
    return AuditEntry.objects.create(
        instrument_id=instrument.pk if instrument else process.instrument_id,
        process=process,
        task=task,
        actor=actor,
        acting_for=on_behalf_of,
        action=action,
        detail=detail,
    )


def _set_status(instrument: Instrument, status: str) -> None:
    """Move the instrument to the status of its process's step.

    Not a change to the instrument's text or details, so not in its history (which the text
    timeline shows): the step that caused it is in the audit trail, with who and for whom.
    """
    if instrument.status != status:
        instrument.status, instrument.updated_at = status, timezone.now()
        Instrument.objects.filter(pk=instrument.pk).update(
            status=status, updated_at=instrument.updated_at
        )


# --- Driving tasks from code ----------------------------------------------------------


@contextmanager
def task_activation(*, task: Task, user: User):
    """Lock the task's process, check that ``user`` may take and execute the task, start it.

    The same steps viewflow's own task views take, for callers that are not those views
    (tests, the benchmark, background jobs), and meant for completing the task: a task still
    in a queue is taken by the user (if they may take it) and saved, taken, when the step's
    service completes it, in the same UPDATE, so taking it costs no query of its own.

    The task is read once the lock is held, in a statement of its own: a read that waited
    for the lock would return the task as it was before the wait (READ COMMITTED), and a
    step completed meanwhile would be completed again.
    """
    with task.flow_task.flow_class.lock(task.process_id):
        task = selectors.task_for_step(task.pk)
        flow_task = task.flow_task
        activation = flow_task.activation_class(task)
        if task.status == STATUS.NEW:
            if not task_policy.user_may(user, "take", task):
                raise PermissionDenied(_("This task is not for you."))
            task.owner, task.status, task.assigned = user, STATUS.ASSIGNED, timezone.now()
        if task.status != STATUS.ASSIGNED or not task_policy.user_may(user, "complete", task):
            raise PermissionDenied(_("This task is not assigned to you, or is already done."))
        activation.start(None)
        yield activation


def _on_behalf(activation: Activation, user: User) -> User | None:
    return acting_for_task(user, activation.task)


def _finish(activation: Activation, user: User, action: str, **detail) -> None:
    process = activation.process
    audit(
        process=process,
        task=activation.task,
        actor=user,
        on_behalf_of=_on_behalf(activation, user),
        action=action,
        **detail,
    )
    activation.execute()  # the task's deadline closes with it (tasks.deadlines)


# --- Start and internal review --------------------------------------------------------


@transaction.atomic
def process_start(*, instrument: Instrument, user: User) -> ApprovalProcess:
    """The drafter submits a draft: a version is frozen and internal review begins."""
    from workflows.flows import ApprovalFlow

    instrument = instrument_lock(
        pk=instrument.pk,
        under_review=Exists(
            ApprovalProcess.objects.filter(instrument=OuterRef("pk"), status=STATUS.NEW)
        ),
        has_text=Exists(Provision.objects.filter(instrument=OuterRef("pk"))),
    )
    if not instrument_policy.user_may(user, "draft", instrument):
        raise PermissionDenied(_("Only the drafters of this instrument can submit it."))
    if instrument.status != Instrument.Status.DRAFT or instrument.under_review:
        raise ValidationError(_("Only a draft that is not already under review can be submitted."))
    if not instrument.has_text:
        raise ValidationError(_("Write the text before submitting it."))
    version_freeze(
        instrument=instrument,
        user=user,
        label=_("Submitted for review"),
        reason=Version.Reason.SUBMITTED,
        is_locked=True,
    )
    process = ApprovalFlow.start.run(instrument=instrument, user=user)
    # Written once viewflow has saved the process: the entry needs its key.
    audit(process=process, actor=user, action="submitted")
    return process


def on_process_started(*, activation: Activation, instrument: Instrument, user: User):
    """Viewflow saves the process right after this returns."""
    process = activation.process
    process.instrument = instrument
    _set_status(instrument, Instrument.Status.INTERNAL_REVIEW)
    return process


def on_task_created(*, activation: Activation) -> None:
    instrument = activation.process.instrument
    status = STATUS_AT_STEP.get(activation.flow_task.name)
    if status:
        _set_status(instrument, status)
    deadline_open(task=activation.task, instrument=instrument, step=activation.flow_task.name)
    events.task_created(task=activation.task, instrument=instrument, step=activation.flow_task.name)


def review_decide(*, activation: Activation, user: User, decision: str, reason: str) -> None:
    """An office chief's, the director's or the legal reviewer's approve / return."""
    reason = typed_text(reason, field="reason", max_length=TEXT_MAX)
    if decision not in Decision.values:
        raise ValidationError(_("Choose a decision."))
    if decision == Decision.RETURN and not reason:
        raise ValidationError({"reason": _("Say why the draft is returned.")})
    # The gateway after the step reads the decision from the task (see the flow).
    activation.task.data = {**activation.task.data, "decision": decision, "reason": reason}
    _finish(
        activation,
        user,
        f"{activation.flow_task.name}.{decision}",
        decision=decision,
        reason=reason,
    )


def draft_resubmit(*, activation: Activation, user: User, note: str) -> None:
    """The drafter sends a returned draft back into internal review, as a new version."""
    note = typed_text(note, field="note", max_length=TEXT_MAX)
    process: ApprovalProcess = activation.process
    version = version_freeze(
        instrument=process.instrument,
        user=user,
        label=_("Resubmitted for review"),
        reason=Version.Reason.SUBMITTED,
    )
    _finish(activation, user, "resubmitted", note=note, version=version.number)


# --- Consultation rounds --------------------------------------------------------------


def consultable_organisations():
    """Ministries and institutions outside the department's own ministry."""
    return Organisation.objects.filter(
        is_active=True,
        parent__isnull=True,
        kind__in=[Organisation.Kind.MINISTRY, Organisation.Kind.INSTITUTION],
    ).exclude(code="moi")


def round_plan(
    *,
    activation: Activation,
    user: User,
    organisations: list[Organisation],
    working_days: int,
    silence_rule: str,
    today: date | None = None,
) -> ConsultationRound:
    """Open a consultation round: freeze the version sent, one task per organisation."""
    if isinstance(organisations, str | bytes) or not isinstance(organisations, list | tuple):
        organisations = None
    if not organisations:
        raise ValidationError({"organisations": _("Choose at least one organisation.")})
    if not all(isinstance(o, Organisation) for o in organisations):
        raise ValidationError({"organisations": _("Only other ministries can be consulted.")})
    if (
        not isinstance(working_days, int)
        or isinstance(working_days, bool)
        or not 1 <= working_days <= 120
    ):
        raise ValidationError({"working_days": _("Give between 1 and 120 working days.")})
    if silence_rule not in SilenceRule.values:
        raise ValidationError({"silence_rule": _("Choose what silence means.")})
    if today is not None and (not isinstance(today, date) or isinstance(today, datetime)):
        raise ValidationError({"today": _("Give a valid date.")})
    allowed = set(consultable_organisations().values_list("pk", flat=True))
    if any(organisation.pk not in allowed for organisation in organisations):
        raise ValidationError({"organisations": _("Only other ministries can be consulted.")})

    process: ApprovalProcess = activation.process
    instrument = process.instrument
    number = (
        ConsultationRound.objects.filter(instrument=instrument).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    version = version_freeze(
        instrument=instrument,
        user=user,
        label=_("Sent for consultation, round %(number)s") % {"number": number},
        reason=Version.Reason.CONSULTATION,
    )
    today = today or timezone.localdate()
    consultation_round = ConsultationRound.objects.create(
        process=process,
        instrument=instrument,
        number=number,
        version=version,
        deadline=add_working_days(today, working_days),
        silence_rule=silence_rule,
        opened_by=user,
    )
    consultation_round.opened = Consultation.objects.bulk_create(
        Consultation(round=consultation_round, organisation=organisation)
        for organisation in sorted(organisations, key=lambda o: o.code)
    )
    process.current_round = consultation_round
    _finish(
        activation,
        user,
        "round_opened",
        round=number,
        version=version.number,
        deadline=consultation_round.deadline.isoformat(),
        organisations=[organisation.code for organisation in organisations],
    )
    return consultation_round


def round_branches(*, process: ApprovalProcess) -> list[dict]:
    """One item per organisation of the newest round: what ``ForEach`` splits into. The
    round opened in this step holds its consultations; any other is read."""
    current = process.current_round
    consultations = getattr(current, "opened", None) or current.consultations.all()
    return [
        {"organisation_id": c.organisation_id, "consultation_id": c.pk, "round": current.number}
        for c in consultations
    ]


def on_consultation_task_created(*, activation: Activation) -> None:
    """An organisation's task of a new round: linked to its consultation, and given the
    round's deadline."""
    task, process = activation.task, activation.process
    Consultation.objects.filter(pk=task.data["consultation_id"]).update(task=task)
    deadline_open(
        task=task,
        instrument=process.instrument,
        step=activation.flow_task.name,
        organisation_id=task.data["organisation_id"],
        due_on=process.current_round.deadline,
    )
    events.consultation_opened(
        task=task,
        organisation_id=task.data["organisation_id"],
        consultation_id=task.data["consultation_id"],
    )


def _consultation_for_reviewer(consultation: Consultation, user: User) -> None:
    """Only the consulted organisation's ministry reviewers (or whoever a delegation in force
    lets act for one), while it is open: not every member of the organisation — its head,
    who receives the escalations, holds no reviewer role (``organisations.backends``)."""
    if not consultation_policy.user_may(user, "comment", consultation):
        raise PermissionDenied(
            _("Only the ministry reviewers of the consulted organisation may do this.")
        )
    if consultation.answered_at is not None or consultation.round.closed_at is not None:
        raise ValidationError(_("This consultation has been answered; it can no longer change."))


@transaction.atomic
def comment_add(
    *,
    consultation: Consultation,
    user: User,
    text: str,
    provision_uid: str | None = None,
    schedule_row_uid: str | None = None,
) -> Comment:
    """A reviewer's comment on a provision, on a row of the transfer schedule (each of the
    version sent to them), or, with neither, on the whole text."""
    consultation = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("round__version")
        .get(pk=consultation.pk)
    )
    _consultation_for_reviewer(consultation, user)
    text = model_text(Comment, "text", text)
    if not text:
        raise ValidationError({"text": _("Write the comment.")})
    label = ""
    if provision_uid:
        provisions = {
            item["uid"]: item for item in consultation.round.version.snapshot["provisions"]
        }
        if str(provision_uid) not in provisions:
            raise ValidationError(_("Comment on a provision of the version sent to you."))
        item = provisions[str(provision_uid)]
        label = f"{item['kind']}:{item['number']}"
    row_number = None
    if schedule_row_uid:
        if provision_uid:
            raise ValidationError(_("A comment is on a provision or on a schedule row, not both."))
        rows = [row["uid"] for row in consultation.round.version.snapshot.get("schedule", [])]
        if str(schedule_row_uid) not in rows:
            raise ValidationError(_("Comment on a row of the transfer schedule sent to you."))
        row_number = rows.index(str(schedule_row_uid)) + 1
    comment = Comment(
        consultation=consultation,
        provision_uid=provision_uid or None,
        provision_label=label,
        schedule_row_uid=schedule_row_uid or None,
        schedule_row_number=row_number,
        text=text,
        author=user,
    )
    comment._history_user = user
    # The consultation and the author were just read: only the values need checking.
    comment.full_clean(exclude=["consultation", "author"])
    comment.save()
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user: User) -> None:
    comment = Comment.objects.select_related("consultation__round").get(pk=comment.pk)
    _consultation_for_reviewer(comment.consultation, user)
    if not comment_policy.user_may(user, "delete", comment):
        raise PermissionDenied(_("Only its author can delete a comment."))
    comment._history_user = user
    comment.delete()


def consultation_answer(
    *, activation: Activation, user: User, position: str, remarks: str = ""
) -> Consultation:
    """An organisation's position closes its part of the round."""
    consultation = getattr(activation.task, "consultation", None)  # read with the task
    if consultation is None:
        consultation = Consultation.objects.select_related("round", "organisation").get(
            pk=activation.task.data["consultation_id"]
        )
    _consultation_for_reviewer(consultation, user)
    if position not in Position.values:
        raise ValidationError({"position": _("Choose your organisation's position.")})
    remarks = model_text(Consultation, "remarks", remarks, max_length=TEXT_MAX)
    if position != Position.NO_OBJECTION and not remarks and not consultation.comments.exists():
        if position == Position.OBJECTION:
            raise ValidationError({"remarks": _("Say what your organisation objects to.")})
        raise ValidationError(
            {"remarks": _("Write your comments on the text, or general remarks, first.")}
        )
    consultation.position = position
    consultation.remarks = remarks
    consultation.answered_at = timezone.now()
    consultation.answered_by = user
    consultation.acting_for = _on_behalf(activation, user)
    consultation.save()
    _finish(
        activation,
        user,
        "consultation_answered",
        organisation=consultation.organisation.code,
        position=position,
        round=consultation.round.number,
    )
    return consultation


def on_round_closed(*, activation: Activation) -> None:
    consultation_round = activation.process.current_round
    consultation_round.closed_at = timezone.now()
    consultation_round.save(update_fields=["closed_at"])
    audit(
        process=activation.process,
        action="round_closed",
        round=consultation_round.number,
    )


def round_close_unanswered(
    *, consultation_round: ConsultationRound, user: User | None, by: str
) -> int:
    """Close what is left of a round: at its deadline (``by="deadline"``, no user: the beat
    job) or by the director's decision (``by="director"``).

    Silence counts as no objection where the round says so; otherwise the consultation is
    recorded as unanswered. Each open task is completed through viewflow, so the Join fires
    exactly as if the organisation had answered. Returns how many were closed.
    """
    from workflows.flows import ApprovalFlow

    if by == "director" and not round_policy.user_may(user, "close", consultation_round):
        raise PermissionDenied(_("Only the director can close a round early."))
    closed = 0
    with ApprovalFlow.lock(consultation_round.process_id), transaction.atomic():
        open_consultations = list(
            Consultation.objects.select_for_update(of=("self",))
            .filter(round=consultation_round, answered_at__isnull=True)
            .select_related("task", "organisation")
        )
        for consultation in open_consultations:
            task = consultation.task
            if task is None or task.status not in (STATUS.NEW, STATUS.ASSIGNED):
                continue
            silence_is_assent = consultation_round.silence_rule == SilenceRule.NO_OBJECTION
            consultation.position = (
                Position.NO_OBJECTION if silence_is_assent and by == "deadline" else ""
            )
            consultation.by_silence = True
            consultation.answered_at = timezone.now()
            consultation.answered_by = user
            consultation.save()
            activation = task.flow_task.activation_class(task)
            if task.status == STATUS.NEW:
                activation.assign(user)
            activation.start(None)
            audit(
                instrument=consultation_round.instrument,
                process=consultation_round.process,
                task=task,
                actor=user,
                action="consultation_closed",
                by=by,
                organisation=consultation.organisation.code,
                position=consultation.position,
            )
            activation.execute()
            closed += 1
    return closed


def comment_respond(
    *,
    comment: Comment,
    user: User,
    disposition: str,
    response: str,
    changed_provisions: list[str] | None = None,
    expected_lock_version: int | None = None,
) -> Comment:
    """The drafter's answer to one comment: a disposition, a reason, the provisions changed."""
    from documents.errors import EditConflict

    with transaction.atomic():
        comment = (
            Comment.objects.select_for_update()
            .select_related("consultation__round__instrument")
            .get(pk=comment.pk)
        )
        instrument = comment.consultation.round.instrument
        if not instrument_policy.user_may(user, "draft", instrument):
            raise PermissionDenied(_("Only the drafters of this instrument answer its comments."))
        if instrument.status != Instrument.Status.CONSOLIDATION:
            raise ValidationError(_("Comments are answered during consolidation."))
        if expected_lock_version is not None and comment.lock_version != expected_lock_version:
            raise EditConflict(current=comment)
        if disposition not in Disposition.values:
            raise ValidationError({"disposition": _("Choose a disposition.")})
        response = model_text(Comment, "response", response)
        if not response:
            raise ValidationError({"response": _("Give the reason for this disposition.")})
        not_ours = ValidationError(
            {"changed_provisions": _("Choose provisions of this instrument's text.")}
        )
        if changed_provisions is not None and not isinstance(changed_provisions, list | tuple):
            raise not_ours
        try:
            changed = list(dict.fromkeys(str(uuid.UUID(str(u))) for u in changed_provisions or []))
        except ValueError:
            raise not_ours from None
        if changed and (
            Provision.objects.filter(instrument=instrument, uid__in=changed).count() != len(changed)
        ):
            raise not_ours
        comment.disposition = disposition
        comment.response = response
        comment.changed_provisions = changed
        comment.responded_by = user
        comment.responded_at = timezone.now()
        comment.lock_version += 1
        comment._history_user = user
        comment.save()
        return comment


def unanswered_comments(*, process: ApprovalProcess):
    return Comment.objects.filter(consultation__round__process=process, disposition="")


def consolidation_finish(*, activation: Activation, user: User, next_step: str) -> None:
    """Leave consolidation: only once every comment of every round has an answer."""
    process: ApprovalProcess = activation.process
    if next_step not in NextStep.values:
        raise ValidationError({"next_step": _("Choose what comes next.")})
    missing = unanswered_comments(process=process).count()
    if missing:
        raise ValidationError(_("%(count)s comment(s) still have no answer.") % {"count": missing})
    version = version_freeze(
        instrument=process.instrument,
        user=user,
        label=_("Consolidated text"),
        reason=Version.Reason.SUBMITTED,
    )
    activation.task.data = {**activation.task.data, "next_step": next_step}
    _finish(activation, user, "consolidated", next_step=next_step, version=version.number)


@transaction.atomic
def matrix_publish(*, consultation_round: ConsultationRound, user: User) -> None:
    """The director sends the answered matrix back to the organisations that commented:
    once the round is closed (while it is open, publishing would show every organisation the
    others' comments as they come) and every comment of it answered."""
    consultation_round = ConsultationRound.objects.select_for_update().get(pk=consultation_round.pk)
    if not round_policy.user_may(user, "publish_matrix", consultation_round):
        raise PermissionDenied(_("Only the director publishes the comment–response matrix."))
    if consultation_round.closed_at is None:
        raise ValidationError(_("The round is still open: publish the matrix once it is closed."))
    if (
        unanswered_comments(process=consultation_round.process)
        .filter(consultation__round=consultation_round)
        .exists()
    ):
        raise ValidationError(_("Every comment of the round needs an answer first."))
    ConsultationRound.objects.filter(pk=consultation_round.pk).update(
        matrix_published_at=timezone.now()
    )
    audit(
        instrument=consultation_round.instrument,
        process=consultation_round.process,
        actor=user,
        action="matrix_published",
        round=consultation_round.number,
    )
    events.matrix_published(consultation_round=consultation_round)


# --- Sign-off and registry ------------------------------------------------------------


SIGNED_PDF_JOB = "workflows.signed_pdf_keep"
"""The job that prints a signed version's PDF and keeps it (``workflows.tasks``)."""


def sign_off_decide(*, activation: Activation, user: User, decision: str, reason: str) -> None:
    """The director-general approves (and signs), returns, or rejects. Signing freezes the
    version; a job after the commit prints its PDF and keeps it (``documents.export_pdf.
    version_pdf_keep``): what every later download of the signed text gives."""
    process: ApprovalProcess = activation.process
    reason = typed_text(reason, field="reason", max_length=TEXT_MAX)
    if decision not in SignOffDecision.values:
        raise ValidationError({"decision": _("Choose a decision.")})
    if decision != SignOffDecision.APPROVE and not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    activation.task.data = {**activation.task.data, "decision": decision, "reason": reason}
    detail = {"decision": decision, "reason": reason}
    if decision == SignOffDecision.APPROVE:
        version = version_freeze(
            instrument=process.instrument,
            user=user,
            label=_("Signed"),
            reason=Version.Reason.SIGNED,
        )
        # Its PDF is printed and kept once this commits: signing never waits for the printer.
        time_services.jobs_enqueue(SIGNED_PDF_JOB, [(version.pk,)])
        sign_off = SignOff.objects.create(
            process=process,
            instrument=process.instrument,
            version=version,
            sha256=version.sha256,
            signed_by=user,
            acting_for=_on_behalf(activation, user),
        )
        _set_status(process.instrument, Instrument.Status.SIGNED)
        detail["sha256"] = version.sha256
        events.instrument_signed(sign_off=sign_off)
    elif decision == SignOffDecision.REJECT:
        _set_status(process.instrument, Instrument.Status.REJECTED)
    _finish(activation, user, f"{activation.flow_task.name}.{decision}", **detail)


def next_reference_number(*, instrument_type: InstrumentType, year: int) -> str:
    """The next number by the type's pattern: one more than this year's registrations."""
    if not isinstance(year, int) or isinstance(year, bool) or not 1 <= year <= 9999:
        raise ValidationError({"year": _("Give a valid date.")})
    registered = (
        ReferenceCounter.objects.filter(instrument_type=instrument_type, year=year)
        .values_list("registered", flat=True)
        .first()
    )
    pattern = instrument_type.reference_pattern or "{number}"
    number = str((registered or 0) + 1)
    # A number written in Khmer ("លេខ ១២ អនក.បក") takes Khmer digits, as official documents do.
    return pattern.format(number=khmer_digits(number) if is_khmer_text(pattern) else number)


def _registration_count(*, instrument_type_id: int, year: int) -> None:
    """Count one more registration of the type this year, holding the counter's row lock
    until the transaction ends: registrations of one type queue up here."""
    counter = ReferenceCounter.objects.filter(instrument_type_id=instrument_type_id, year=year)
    if counter.update(registered=F("registered") + 1):
        return
    try:  # the type's first registration of the year
        with transaction.atomic():
            ReferenceCounter.objects.create(
                instrument_type_id=instrument_type_id, year=year, registered=1
            )
    except IntegrityError:  # a concurrent first one won: count after it
        counter.update(registered=F("registered") + 1)


def instrument_register(
    *, activation: Activation, user: User, reference_number: str, registered_on: date
) -> Instrument:
    """The registry numbers, dates and archives a signed instrument; it is then read-only."""
    # The process lock serialises the steps of this instrument, and a signed text cannot be
    # edited: the instrument read with the task needs no lock of its own.
    instrument = activation.process.instrument
    reference_number = model_text(Instrument, "reference_number", reference_number)
    if not reference_number:
        raise ValidationError({"reference_number": _("Give the reference number.")})
    if not isinstance(registered_on, date) or isinstance(registered_on, datetime):
        raise ValidationError({"registered_on": _("Give a valid date.")})
    # First the counter's lock, so that the check below cannot race another registration of
    # the type (the unique constraint is the backstop).
    _registration_count(instrument_type_id=instrument.instrument_type_id, year=registered_on.year)
    if (
        Instrument.objects.filter(
            instrument_type_id=instrument.instrument_type_id, reference_number=reference_number
        )
        .exclude(pk=instrument.pk)
        .exists()
    ):
        raise ValidationError({"reference_number": _("This number is already used.")})
    instrument.reference_number = reference_number
    instrument.registered_on = registered_on
    instrument.status = Instrument.Status.REGISTERED
    instrument.save(update_fields=["reference_number", "registered_on", "status", "updated_at"])
    _finish(
        activation,
        user,
        "registered",
        reference_number=reference_number,
        registered_on=registered_on.isoformat(),
    )
    return instrument


# --- People: submitting, reassigning --------------------------------------------------


def can_submit(*, instrument: Instrument, user: User) -> bool:
    return instrument_policy.user_may(user, "submit", instrument)


def task_reassign(*, task: Task, user: User, to: User) -> None:
    """A chief or the director gives a task in their unit to someone else; the audit says
    who had it, who has it now, and who decided."""
    with task.flow_task.flow_class.lock(task.process_id), transaction.atomic():
        task.refresh_from_db()
        if not task_policy.user_may(user, "reassign", task):
            raise PermissionDenied(_("Only the chief of this unit can reassign this task."))
        on_behalf_of = task_policy.acting_for(user, "reassign", task)
        if to.organisation_id not in task_policy.reassign_unit(user, task) or not (
            task_policy.user_may(to, "hold", task)
        ):
            raise ValidationError(_("%(name)s cannot take this task.") % {"name": to})
        previous = task.owner
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.NEW:
            activation.assign(to)
        else:
            activation.reassign(to)
        process = ApprovalProcess.objects.select_related("instrument").get(pk=task.process_id)
        entry = audit(
            instrument=process.instrument,
            process=process,
            task=task,
            actor=user,
            on_behalf_of=on_behalf_of,
            action="reassigned",
            previous=previous.username if previous else None,
            to=to.username,
        )
        events.task_reassigned(task=task, to=to, entry=entry)
