"""Exactly once under concurrency, on PostgreSQL: racing sweeps and twin delivery jobs.

Each thread has its own database connection, so these tests commit for real
(``transaction=True``); the row locks (``FOR UPDATE SKIP LOCKED``) and the UNIQUE
constraints are PostgreSQL's own.
"""

import threading
import time
from datetime import date

import pytest
from django.db import connection
from viewflow.workflow.status import STATUS

from notifications.models import Notification
from tasks.models import Reminder
from tasks.services import deadlines_sweep, reminder_deliver
from workflows.flows import ApprovalFlow
from workflows.tests.test_journey import through_internal_review

from .conftest import at, make_deadlines

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_parallel(function, count: int) -> list:
    """Run ``function`` in ``count`` threads released at the same instant."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


@pytest.fixture
def plan_round(demo, instrument):
    with at(2026, 12, 7):
        process = through_internal_review(demo, instrument)
    return process.task_set.get(flow_task=ApprovalFlow.plan_round, status=STATUS.ASSIGNED)


@pytest.fixture
def slow_mail(monkeypatch):
    """A mail server that takes its time, so that twin jobs overlap for certain."""
    from django.core.mail.backends.locmem import EmailBackend

    real = EmailBackend.send_messages

    def slow(self, messages):
        time.sleep(0.3)
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", slow)


def test_twin_delivery_jobs_at_the_same_instant_send_once(
    demo, plan_round, jobs, mailoutbox, slow_mail
):
    with at(2026, 12, 8, 8):
        deadlines_sweep()
        ((_name, (reminder_id,)),) = jobs.queue
        results = in_parallel(lambda: reminder_deliver(reminder_id=reminder_id), 6)
    assert sorted(results) == ["not pending"] * 5 + ["sent"]
    assert len(mailoutbox) == 1
    assert Notification.objects.count() == 1


def test_racing_sweeps_write_and_hand_out_each_reminder_once(demo, plan_round, jobs):
    make_deadlines(plan_round, 300, due_on=date(2026, 12, 10), assignee=demo["drafter"])
    with at(2026, 12, 8, 8):
        results = in_parallel(deadlines_sweep, 4)
    assert Reminder.objects.count() == 301
    assert sum(result.dispatched for result in results) == 301
    handed_out = [args[0] for name, args in jobs.queue if name == "tasks.deliver_reminder"]
    assert len(handed_out) == len(set(handed_out)) == 301


def test_racing_workers_over_a_batch_send_each_once(demo, plan_round, jobs, mailoutbox):
    make_deadlines(plan_round, 60, due_on=date(2026, 12, 10), assignee=demo["drafter"])
    with at(2026, 12, 8, 8):
        deadlines_sweep()
        ids = [args[0] for _name, args in jobs.queue]
        # Every job delivered by four workers at once: each message duplicated three times.
        results = in_parallel(lambda: [reminder_deliver(reminder_id=pk) for pk in ids], 4)
    outcomes = [outcome for result in results for outcome in result]
    assert outcomes.count("sent") == 61
    assert len(mailoutbox) == 61
    assert len({m.extra_headers["Message-ID"] for m in mailoutbox}) == 61
    assert Notification.objects.count() == 61
