"""What the process announces as it moves: who is told, and what the message says.

Each step's service (``workflows.services``) calls one function here inside its own
transaction; it writes one outbox row per person concerned (``tasks.services
.event_announce``), so a step rolled back announces nothing, and the same outbox as the
deadline reminders sends each exactly once, in the bell, by e-mail and on Telegram, by each
person's preferences (``notifications``). Time and notifications sit below the process and
know nothing of it: how each kind of event is worded, and where its link leads, is
registered here (``register``, from ``WorkflowsConfig.ready``) through ``tasks.hooks``, and
read when the message is sent, in the recipient's language.

- a task for someone (``task_assigned``): its holder, or each person who may take it from
  its queue (who holds the right the task asks for, ``TaskPolicy.take``); a reassigned task,
  its new holder;
- a round opened for an organisation (``round_opened``): the organisation's reviewers;
- a draft returned (``draft_returned``): its drafters, lead and co-drafters, with the reason;
- a matrix published (``matrix_published``): the reviewers of each organisation consulted;
- an instrument signed (``instrument_signed``): its drafters, the chiefs of its office, the
  directors over that office, and the registry.
"""

from datetime import date

from django.db.models import Q
from django.urls import get_resolver, reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from organisations.models import User
from organisations.roles import Role
from tasks import hooks
from tasks import selectors as time_selectors
from tasks.models import Reminder
from tasks.services import Notice, event_announce
from workflows.models import AuditEntry, Consultation, ConsultationRound, SignOff
from workflows.selectors import RETURN_ACTIONS

OPEN = (STATUS.NEW, STATUS.ASSIGNED)
# Steps a return brings the draft back to: the drafters hear of the return, not of a task.
RETURNED_TO = ("revise", "consolidate")


# --- Who is concerned -----------------------------------------------------------------


def drafters(instrument) -> list[int]:
    """The lead drafter and the co-drafters."""
    co = list(instrument.co_drafters.values_list("pk", flat=True))
    return [instrument.lead_drafter_id, *co]


def may_take(task: Task) -> list[int]:
    """Who a task is for: its holder; in a queue, who may take it (the holders of the right it
    asks for, as ``TaskPolicy.take`` answers for each of them)."""
    if task.owner_id:
        return [task.owner_id]
    return time_selectors.permission_holders(task.owner_permission or "")


def _in_office_chain(instrument, role: str) -> Q:
    office = instrument.owning_office
    chain = [office.pk, *(org.pk for org in office.ancestors())] if office else []
    return Q(groups__name=role, organisation_id__in=chain)


def told_of_signature(instrument) -> list[int]:
    """Drafters, the office's chiefs, the directors over it, and the registry."""
    people = User.objects.filter(
        Q(groups__name=Role.REGISTRY)
        | _in_office_chain(instrument, Role.OFFICE_CHIEF)
        | _in_office_chain(instrument, Role.DIRECTOR),
        is_active=True,
    ).values_list("pk", flat=True)
    return sorted({*drafters(instrument), *people})


# --- Announcing (inside each step's transaction) ----------------------------------------


def task_created(*, task: Task, instrument, step: str) -> None:
    """A new task of the process: its people are told, or, when a return brought the draft
    back to the drafters, the drafters are told of the return and its reason."""
    if step in RETURNED_TO:
        returned = AuditEntry.objects.filter(process_id=task.process_id).order_by("-pk").first()
        if returned is not None and returned.action in RETURN_ACTIONS:
            event_announce(
                kind=Reminder.Kind.DRAFT_RETURNED,
                event=f"returned:{task.pk}",
                recipient_ids=drafters(instrument),
                payload={"task_id": task.pk, "audit_id": returned.pk},
            )
            return
    event_announce(
        kind=Reminder.Kind.TASK_ASSIGNED,
        event=f"task:{task.pk}",
        recipient_ids=may_take(task),
        payload={"task_id": task.pk},
    )


def consultation_opened(*, task: Task, organisation_id: int, consultation_id: int) -> None:
    event_announce(
        kind=Reminder.Kind.ROUND_OPENED,
        event=f"consultation:{consultation_id}",
        recipient_ids=time_selectors.organisation_reviewers(organisation_id),
        payload={"task_id": task.pk, "consultation_id": consultation_id},
    )


def task_reassigned(*, task: Task, to: User, entry: AuditEntry) -> None:
    event_announce(
        kind=Reminder.Kind.TASK_ASSIGNED,
        event=f"reassigned:{entry.pk}",
        recipient_ids=[to.pk],
        payload={"task_id": task.pk},
    )


def matrix_published(*, consultation_round: ConsultationRound) -> None:
    reviewers = User.objects.filter(
        groups__name=Role.MINISTRY_REVIEWER,
        is_active=True,
        organisation_id__in=consultation_round.consultations.values("organisation_id"),
    ).values_list("pk", flat=True)
    event_announce(
        kind=Reminder.Kind.MATRIX_PUBLISHED,
        event=f"matrix:{consultation_round.pk}",
        recipient_ids=list(reviewers),
        payload={"round_id": consultation_round.pk},
    )


def instrument_signed(*, sign_off: SignOff) -> None:
    event_announce(
        kind=Reminder.Kind.INSTRUMENT_SIGNED,
        event=f"signed:{sign_off.pk}",
        recipient_ids=told_of_signature(sign_off.instrument),
        payload={"sign_off_id": sign_off.pk},
    )


# --- Wording, when sent ----------------------------------------------------------------


def _task(reminder: Reminder) -> Task | None:
    return (
        Task.objects.select_related("deadline", "process__approvalprocess__instrument")
        .filter(pk=reminder.payload.get("task_id"))
        .first()
    )


def task_url(task: Task) -> str:
    """The task's own page (viewflow's, which offers to take or do it)."""
    get_resolver().url_patterns  # noqa: B018 - viewflow learns its namespaces from the URLconf
    return task.reverse("index")


def _instrument(task: Task):
    return task.process.approvalprocess.instrument


def task_assigned_notice(reminder: Reminder, *, today: date) -> Notice | None:
    """None once the task is done, or taken by someone else: nothing left for them to do."""
    task = _task(reminder)
    if task is None or task.status not in OPEN:
        return None
    if task.owner_id and task.owner_id != reminder.recipient_id:
        return None
    instrument = _instrument(task)
    deadline = getattr(task, "deadline", None)
    return Notice(
        template=reminder.kind,
        context={
            "instrument": instrument,
            "step": hooks.step_title(task.flow_task.name),
            "due_on": deadline.due_on if deadline else None,
            "queued": task.owner_id is None,
        },
        url=task_url(task),
        instrument=instrument,
        task_id=task.pk,
    )


def round_opened_notice(reminder: Reminder, *, today: date) -> Notice | None:
    task = _task(reminder)
    if task is None or task.status not in OPEN:
        return None
    consultation = (
        Consultation.objects.select_related("round", "organisation")
        .filter(pk=reminder.payload.get("consultation_id"), task_id=task.pk)
        .first()
    )
    if consultation is None:
        return None
    instrument = _instrument(task)
    return Notice(
        template=reminder.kind,
        context={
            "instrument": instrument,
            "round": consultation.round,
            "organisation": consultation.organisation,
            "due_on": consultation.round.deadline,
        },
        url=task_url(task),
        instrument=instrument,
        task_id=task.pk,
    )


def draft_returned_notice(reminder: Reminder, *, today: date) -> Notice | None:
    task = _task(reminder)
    entry = (
        AuditEntry.objects.select_related("actor", "acting_for")
        .filter(pk=reminder.payload.get("audit_id"))
        .first()
    )
    if task is None or entry is None:
        return None
    instrument = _instrument(task)
    open_for_them = task.status in OPEN and task.owner_id == reminder.recipient_id
    return Notice(
        template=reminder.kind,
        context={
            "instrument": instrument,
            "step": hooks.step_title(entry.action.split(".")[0]),
            "actor": entry.actor,
            "acting_for": entry.acting_for,
            "reason": entry.detail.get("reason", ""),
        },
        url=task_url(task)
        if open_for_them
        else reverse("workflows:instrument_process", args=[instrument.pk]),
        instrument=instrument,
        task_id=task.pk,
    )


def matrix_published_notice(reminder: Reminder, *, today: date) -> Notice | None:
    consultation_round = (
        ConsultationRound.objects.select_related("instrument")
        .filter(pk=reminder.payload.get("round_id"), matrix_published_at__isnull=False)
        .first()
    )
    if consultation_round is None:
        return None
    return Notice(
        template=reminder.kind,
        context={"instrument": consultation_round.instrument, "round": consultation_round},
        url=reverse(
            "workflows:matrix", args=[consultation_round.process_id, consultation_round.number]
        ),
        instrument=consultation_round.instrument,
    )


def instrument_signed_notice(reminder: Reminder, *, today: date) -> Notice | None:
    sign_off = (
        SignOff.objects.select_related("instrument", "signed_by", "acting_for")
        .filter(pk=reminder.payload.get("sign_off_id"))
        .first()
    )
    if sign_off is None:
        return None
    return Notice(
        template=reminder.kind,
        context={
            "instrument": sign_off.instrument,
            "signer": sign_off.signed_by,
            "acting_for": sign_off.acting_for,
            "signed_at": sign_off.signed_at,
            "sha256": sign_off.sha256,
        },
        url=reverse("workflows:instrument_process", args=[sign_off.instrument_id]),
        instrument=sign_off.instrument,
    )


def register() -> None:
    hooks.notices(Reminder.Kind.TASK_ASSIGNED, task_assigned_notice)
    hooks.notices(Reminder.Kind.ROUND_OPENED, round_opened_notice)
    hooks.notices(Reminder.Kind.DRAFT_RETURNED, draft_returned_notice)
    hooks.notices(Reminder.Kind.MATRIX_PUBLISHED, matrix_published_notice)
    hooks.notices(Reminder.Kind.INSTRUMENT_SIGNED, instrument_signed_notice)
