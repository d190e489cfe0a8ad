"""Deadlines of process tasks: opened with the task, then kept in step with it.

The approval process opens one from ``workflows.services`` as each human task is created, so
every human task has exactly one ``TaskDeadline`` from its first moment. From then on the
database keeps it in step with its task (migration ``0005_deadline_follows_its_task``): it
takes the task's new assignee whoever assigns it, and closes when the task is done, cancelled
or revived, whichever code path changed the task.
"""

from datetime import date

from django.utils import timezone
from viewflow.workflow.models import Task

from documents.models import Instrument
from tasks.calendar import add_working_days
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
