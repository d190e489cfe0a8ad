"""The process at its deadlines: what happens to a round when its last day has gone, and a
supervisor's extension of a task's deadline.

Time (``tasks``) sits below the process: its sweep runs every minute and knows deadlines,
the calendar and the reminder outbox, not rounds. The process registers here
(``register``, from ``WorkflowsConfig.ready``) what the sweep must also do: close the rounds
where silence is assent (one job per round, ``workflows.round_close``, which closes it
through ``round_close_unanswered`` with the process lock, as a person would) and tell the
director once about the others; and how a reminder names a step, and words the director's
question.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from khmer.formats import format_date
from khmer.text import typed_text
from organisations.models import User
from organisations.roles import Role
from tasks import hooks
from tasks import selectors as time_selectors
from tasks import services as time_services
from tasks.calendar import is_working_day
from tasks.models import Reminder, TaskDeadline
from tasks.permissions import deadline_policy
from workflows.models import ApprovalProcess, Consultation, ConsultationRound, SilenceRule
from workflows.services import audit, round_close_unanswered

ROUND_CLOSE_JOB = "workflows.round_close"

# --- Reads --------------------------------------------------------------------------------


def rounds_past_deadline(*, today: date):
    """Open rounds whose last day has gone, through the partial index ``open_round_deadline``."""
    return ConsultationRound.objects.filter(closed_at__isnull=True, deadline__lt=today)


def round_directors(consultation_round) -> list[int]:
    """The directors over the office that owns the instrument; every director if none is."""
    office = consultation_round.instrument.owning_office
    chain = [office.pk, *(org.pk for org in office.ancestors())] if office else []
    directors = list(
        User.objects.filter(groups__name=Role.DIRECTOR, is_active=True, organisation_id__in=chain)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    return directors or time_selectors.users_with_role(Role.DIRECTOR)


# --- What each sweep does for the process ---------------------------------------------------


def rounds_at_deadline(*, today: date, now: datetime, result) -> set[int]:
    """Rounds past their last day: close those where silence is assent (one job per round);
    for the others, tell the director once that the round awaits a decision.

    Returns the open consultation tasks of the rounds being closed: no reminder is written
    for them, since silence is their answer.
    """
    closing, candidates = [], []
    rounds = rounds_past_deadline(today=today).select_related("instrument__owning_office")
    for consultation_round in rounds:
        if consultation_round.silence_rule == SilenceRule.NO_OBJECTION:
            closing.append((consultation_round.pk,))
            continue
        result.rounds_to_director += 1
        candidates.extend(
            time_services.Planned(
                kind=Reminder.Kind.ROUND_DIRECTOR,
                consultation_round_id=consultation_round.pk,
                recipient_id=director,
                day=consultation_round.deadline,
                payload={"round": consultation_round.number},
            )
            for director in round_directors(consultation_round)
        )
    if candidates:
        existing = {
            (None, round_id, kind, day, recipient_id)
            for round_id, kind, day, recipient_id in Reminder.objects.filter(
                consultation_round_id__in={c.consultation_round_id for c in candidates}
            ).values_list("consultation_round_id", "kind", "day", "recipient_id")
        }
        result.created += time_services.reminders_write(candidates, existing, now=now)
    result.rounds_closing = len(closing)
    time_services.jobs_enqueue(ROUND_CLOSE_JOB, closing)
    if not closing:
        return set()
    return set(
        Consultation.objects.filter(
            round_id__in=[pk for (pk,) in closing], answered_at__isnull=True
        ).values_list("task_id", flat=True)
    )


def round_director_notice(reminder: Reminder, *, today: date) -> time_services.Notice | None:
    """The director's question about a round past its deadline; None once it is closed."""
    consultation_round = reminder.consultation_round
    if consultation_round is None or consultation_round.closed_at is not None:
        return None
    unanswered = [
        c.organisation
        for c in consultation_round.consultations.filter(answered_at__isnull=True).select_related(
            "organisation"
        )
    ]
    return time_services.Notice(
        template=reminder.kind,
        context={
            "instrument": consultation_round.instrument,
            "round": consultation_round,
            "due_on": consultation_round.deadline,
            "unanswered": unanswered,
        },
        url=reverse("deadlines:round_decide", args=[consultation_round.pk]),
        instrument=consultation_round.instrument,
    )


def step_title(step: str) -> str | None:
    from workflows.flows import ApprovalFlow  # the flow imports the views, which import us

    return getattr(getattr(ApprovalFlow, step, None), "task_title", None)


def register() -> None:
    hooks.step_titles(step_title)
    hooks.on_sweep(rounds_at_deadline)
    hooks.notices(Reminder.Kind.ROUND_DIRECTOR, round_director_notice)


# --- Writes -------------------------------------------------------------------------------


def round_close_at_deadline(*, round_id: int) -> int:
    """Close a round whose last day has gone, if its silence means no objection."""
    consultation_round = ConsultationRound.objects.filter(
        pk=round_id, closed_at__isnull=True, silence_rule=SilenceRule.NO_OBJECTION
    ).first()
    if consultation_round is None or consultation_round.deadline >= timezone.localdate():
        return 0
    return round_close_unanswered(consultation_round=consultation_round, user=None, by="deadline")


# How far ahead a deadline may be moved, and how long the reason for it may be.
EXTENSION_HORIZON = timedelta(days=366)
EXTENSION_REASON_MAX = 2000  # the form's


def deadline_extend(*, task: Task, user: User, due_on: date, reason: str) -> TaskDeadline:
    """Move an open task's deadline later, for a reason kept in the audit trail.

    Only the assignee's supervisor, a director or the director-general may, or whoever acts
    for one of them on their own steps (``tasks.permissions``): the person who answers for
    the delay decides it, not the person late. The reminders already sent stay
    sent; those of the new date follow from it (their key includes the day).
    """
    reason = typed_text(reason, field="reason", max_length=EXTENSION_REASON_MAX)
    if not isinstance(due_on, date) or isinstance(due_on, datetime):
        raise ValidationError({"due_on": _("Give a valid date.")})
    with transaction.atomic():
        deadline = (
            TaskDeadline.objects.select_for_update(of=("self",))
            .select_related("assignee", "instrument", "task")
            .filter(task=task, closed_at__isnull=True)
            .first()
        )
        if deadline is None:
            raise ValidationError(_("This task is done: its deadline can no longer change."))
        if not deadline_policy.user_may(user, "extend", deadline):
            raise PermissionDenied(
                _(
                    "Only the assignee's supervisor, a director or the director-general can "
                    "extend a deadline."
                )
            )
        if not reason:
            raise ValidationError({"reason": _("Say why the deadline is extended.")})
        if due_on <= deadline.due_on:
            raise ValidationError({"due_on": _("Choose a day after the current deadline.")})
        today = timezone.localdate()
        if due_on < today:
            raise ValidationError({"due_on": _("Choose a day that has not passed.")})
        if due_on > today + EXTENSION_HORIZON:
            raise ValidationError({"due_on": _("Choose a day within a year from today.")})
        if not is_working_day(due_on):
            raise ValidationError(
                {
                    "due_on": _("%(day)s is not a working day: choose a working day.")
                    % {"day": format_date(due_on)}
                }
            )
        previous = deadline.due_on
        deadline.due_on = due_on
        deadline.extended_reason = reason
        deadline.save(update_fields=["due_on", "extended_reason"])
        audit(
            instrument=deadline.instrument,
            process=ApprovalProcess.objects.filter(pk=task.process_id).first(),
            task=task,
            actor=user,
            on_behalf_of=deadline_policy.acting_for(user, "extend", deadline),
            action="deadline_extended",
            step=deadline.step,
            previous=previous.isoformat(),
            due_on=due_on.isoformat(),
            reason=reason,
        )
    return deadline
