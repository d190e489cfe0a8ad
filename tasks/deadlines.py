"""Deadlines of process tasks: opened with the task, then kept in step with it.

The approval process opens one from ``workflows.services`` as each human task is created, so
every human task has exactly one ``TaskDeadline`` from its first moment. From then on the
database keeps it in step with its task (migration ``0005_deadline_follows_its_task``): it
takes the task's new assignee whoever assigns it, and closes when the task is done, cancelled
or revived, whichever code path changed the task.
"""

from datetime import date, datetime, timedelta

from django.utils import timezone
from viewflow.workflow.models import Task

from documents.models import Instrument
from organisations.models import User
from tasks.calendar import add_working_days, is_working_day
from tasks.models import StepDuration, TaskDeadline

# Working days each step may take when the administrator has set nothing for it.
DEFAULT_WORKING_DAYS = {
    "chief_review": 3,
    "director_review": 3,
    "revise": 5,
    "plan_round": 3,
    "organisation_review": 10,
    "consolidate": 10,
    "legal_review": 5,
    "sign_off": 5,
    "register": 2,
}


def step_duration(*, step: str, instrument: Instrument) -> StepDuration:
    """The administrator's setting for this step and type, else for this step, else ours."""
    from tasks.selectors import step_duration_for, step_durations

    return step_duration_for(
        step_durations(), instrument_type_id=instrument.instrument_type_id, step=step
    )


def deadline_open(
    *,
    task: Task,
    instrument: Instrument,
    step: str,
    organisation_id: int | None = None,
    due_on: date | None = None,
) -> TaskDeadline:
    (deadline,) = deadlines_open(
        tasks=[task],
        instrument=instrument,
        step=step,
        organisation_ids=[organisation_id],
        due_on=due_on,
    )
    return deadline


def deadlines_open(
    *,
    tasks: list[Task],
    instrument: Instrument,
    step: str,
    organisation_ids: list[int | None],
    due_on: date | None = None,
) -> list[TaskDeadline]:
    """The deadlines of new tasks of one step (a round's, one per organisation), written in
    one statement. Without ``due_on``, the step's working days from today."""
    now = timezone.now()
    if due_on is None:
        days = step_duration(step=step, instrument=instrument).working_days
        due_on = add_working_days(timezone.localdate(now), days)
    return TaskDeadline.objects.bulk_create(
        TaskDeadline(
            task=task,
            instrument=instrument,
            step=step,
            organisation_id=organisation_id,
            assignee=task.owner,
            opened_at=now,
            assigned_at=now if task.owner_id else None,
            due_on=due_on,
        )
        for task, organisation_id in zip(tasks, organisation_ids, strict=True)
    )


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
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import transaction
    from django.utils.translation import gettext as _

    from khmer.formats import format_date
    from khmer.text import typed_text
    from tasks.permissions import deadline_policy
    from workflows.models import ApprovalProcess
    from workflows.services import audit

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
