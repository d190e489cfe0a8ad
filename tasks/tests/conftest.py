"""Helpers for the deadline tests: a clock in Phnom Penh, jobs run in-process, the process."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from workflows.tests.conftest import _flow_urls_loaded, instrument  # noqa: F401 - fixtures

PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")


def at(year, month, day, hour=9, minute=0):
    """Travel to a local time in Phnom Penh (the clock stands still there)."""
    return time_machine.travel(
        datetime(year, month, day, hour, minute, tzinfo=PHNOM_PENH), tick=False
    )


class Jobs:
    """Stands in for the broker: records each job the services enqueue, runs them on demand
    through the same Celery task functions a worker runs."""

    def __init__(self):
        self.queue: list[tuple[str, tuple]] = []

    def enqueue(self, name, args_list):
        self.queue.extend((name, tuple(args)) for args in args_list)

    def names(self):
        return [name for name, _args in self.queue]

    def run(self) -> list:
        from tasks import tasks
        from workflows.tasks import round_close, signed_pdf_keep

        registry = {
            "tasks.deliver_reminder": tasks.deliver_reminder,
            "workflows.round_close": round_close,
            "workflows.signed_pdf_keep": signed_pdf_keep,
        }
        results = []
        while self.queue:
            name, args = self.queue.pop(0)
            results.append(registry[name](*args))
        return results


def jobs_recorded(monkeypatch) -> Jobs:
    """The services' jobs, recorded in a ``Jobs`` instead of the broker."""
    queue = Jobs()
    monkeypatch.setattr("tasks.services.jobs_enqueue", queue.enqueue)
    return queue


@pytest.fixture
def jobs(monkeypatch):
    return jobs_recorded(monkeypatch)


def new_instrument(demo, title="Sub-decree on school transfers"):
    """Another instrument with text, ready to submit (as the ``instrument`` fixture's)."""
    from documents import services as documents
    from documents.models import InstrumentType, Provision
    from organisations.models import Organisation

    drafter = demo["drafter"]
    created = documents.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យស្តីពីការផ្ទេរសាលារៀន",
        title_en=title,
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    documents.provision_add(
        instrument=created,
        user=drafter,
        kind=Provision.Kind.ARTICLE,
        text_km="អនុក្រឹត្យនេះមានគោលបំណងផ្ទេរមុខងារ។",
    )
    created.refresh_from_db()
    return created


def make_deadlines(task, count: int, *, due_on, assignee=None):
    """``count`` more open tasks like ``task`` (same process and step), each with a deadline:
    enough rows for sweeps and workers to race over, without driving the process each time."""
    from django.utils import timezone
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from tasks.models import TaskDeadline

    tasks = Task.objects.bulk_create(
        Task(
            process_id=task.process_id,
            flow_task=task.flow_task,
            flow_task_type=task.flow_task_type,
            status=STATUS.ASSIGNED,
            owner=assignee,
            data={},
        )
        for _ in range(count)
    )
    if tasks and tasks[0].pk is None:  # backends that return no ids
        tasks = list(Task.objects.filter(process_id=task.process_id).order_by("-pk")[:count])
    instrument_id = task.deadline.instrument_id
    return TaskDeadline.objects.bulk_create(
        TaskDeadline(
            task=t,
            instrument_id=instrument_id,
            step=task.deadline.step,
            assignee=assignee,
            opened_at=timezone.now(),
            assigned_at=timezone.now(),
            due_on=due_on,
        )
        for t in tasks
    )


@pytest.fixture(autouse=True)
def quiet_events(monkeypatch):
    """The deadline tests count the outbox's reminders: the announcements the process also
    writes as it moves (a task, a round, a return) are not theirs to count, and are tested
    on their own (``notifications/tests/test_events.py``)."""
    monkeypatch.setattr("workflows.events.event_announce", lambda **kwargs: 0)
