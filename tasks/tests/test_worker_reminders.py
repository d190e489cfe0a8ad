"""A real worker on Redis: a reminder goes end to end, and a worker stopped mid-batch loses
nothing and sends nothing twice once it is back."""

import threading
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from viewflow.workflow.status import STATUS

from notifications.models import Notification
from project.celery import app
from tasks.models import Reminder, TaskDeadline
from tasks.services import deadlines_sweep
from tasks.tasks import deliver_reminder, sweep
from workflows.flows import ApprovalFlow
from workflows.tests.test_journey import through_internal_review

from .conftest import make_deadlines

pytestmark = [
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def broker():
    """An empty queue on the test's Redis database, before and after."""
    assert app.conf.broker_url.startswith("redis"), "REDIS_URL should configure the broker"
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    yield app
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)


@pytest.fixture
def due_today(demo, instrument):
    """The plan-the-round task, due today (real time: the worker's clock is not frozen)."""
    process = through_internal_review(demo, instrument)
    task = process.task_set.get(flow_task=ApprovalFlow.plan_round, status=STATUS.ASSIGNED)
    TaskDeadline.objects.filter(task=task).update(due_on=timezone.localdate())
    task.refresh_from_db()
    return task


def wait_until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def sent_count():
    return Reminder.objects.filter(status=Reminder.Status.SENT).count()


def test_beat_s_sweep_through_redis_delivers_a_reminder(broker, due_today, mailoutbox):
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=20):
        sweep.delay()  # what beat sends every minute
        assert wait_until(lambda: sent_count() == 1), Reminder.objects.values()
        deliver_reminder.delay(Reminder.objects.get().pk)  # a duplicated message
        sweep.delay()  # and the next sweep
        time.sleep(1.5)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["drafter@lekhit.example"]
    assert "ថ្ងៃនេះជាកាលកំណត់" in mailoutbox[0].subject
    assert Notification.objects.get().recipient.username == "drafter"


def test_a_worker_stopped_mid_batch_sends_each_reminder_once_after_restart(
    broker, demo, due_today, mailoutbox, monkeypatch
):
    from django.core.mail.backends.locmem import EmailBackend

    make_deadlines(due_today, 5, due_on=timezone.localdate(), assignee=demo["drafter"])
    real_send = EmailBackend.send_messages
    calls = {"n": 0}
    stop = threading.Event()

    def fails_on_the_third(self, messages):
        calls["n"] += 1
        if calls["n"] == 3:
            stop.set()  # ... and the worker goes down right after
            raise ConnectionResetError("SMTP connection lost")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", fails_on_the_third)
    deadlines_sweep()  # six reminders written, six jobs in Redis
    assert Reminder.objects.count() == 6

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=20):
        assert stop.wait(30)
    # Stopped mid-batch: two sent, the third failed and waits for its retry, the rest are
    # still in the queue (or were handed back to it unacknowledged).
    assert sent_count() < 6
    failed = Reminder.objects.get(attempts=1, status=Reminder.Status.PENDING, last_error__gt="")
    assert "SMTP connection lost" in failed.last_error

    # Restarted; a sweep a little later hands out the failed one again, by next_attempt_at.
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=20):
        deadlines_sweep(now=timezone.now() + timedelta(minutes=2))
        assert wait_until(lambda: sent_count() == 6), list(
            Reminder.objects.values_list("pk", "status", "attempts")
        )
        for reminder in Reminder.objects.all():  # every message duplicated, for good measure
            deliver_reminder.delay(reminder.pk)
        time.sleep(2)

    assert len(mailoutbox) == 6
    assert len({m.extra_headers["Message-ID"] for m in mailoutbox}) == 6
    assert Notification.objects.count() == 6
    failed.refresh_from_db()
    assert failed.status == Reminder.Status.SENT and failed.attempts == 2
