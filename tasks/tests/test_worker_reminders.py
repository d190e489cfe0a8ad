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
from notifications.services import _message_id
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


@pytest.mark.postgres  # the worker process reaches the test's database over the network
def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(
    broker, demo, due_today, tmp_path
):
    """A real worker process, killed (SIGKILL: no shutdown, no acknowledgement) in the middle
    of a batch. Its open transaction dies with it: the reminder it was sending is pending
    again. Restarted, with the sweep handing out again what the dead worker held, every
    reminder goes out; one in flight may have reached the mail server just before the kill,
    and then goes again with the same Message-ID (which mail servers collapse), never under
    another. In the database, each is sent exactly once."""
    import os
    import signal
    import subprocess
    import sys
    from email import message_from_bytes

    from django.db import connection

    make_deadlines(due_today, 19, due_on=timezone.localdate(), assignee=demo["drafter"])
    deadlines_sweep()  # twenty reminders written, twenty jobs in Redis
    assert Reminder.objects.count() == 20
    # These twenty are counted, not every reminder: the second sweep below, six minutes
    # ahead, is on the next day when the test runs just before midnight in Phnom Penh, and
    # it then writes the twenty deadlines' next reminders too, which the worker also sends.
    twenty = list(Reminder.objects.values_list("pk", flat=True))
    keys = [f"reminder:{pk}" for pk in twenty]

    def sent_count():
        return Reminder.objects.filter(pk__in=twenty, status=Reminder.Status.SENT).count()

    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tasks.tests.worker_settings",
        "LEKHIT_TEST_MAIL_DIR": str(tmp_path),
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        ),
        "DEBUG": "true",
        "SECRET_KEY": "test-only-" + "k" * 60,
    }
    command = [sys.executable, "-m", "celery", "-A", "project", "worker", "-P", "threads",
               "-c", "2", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
               "--without-heartbeat"]  # fmt: skip

    def mails():
        return [message_from_bytes(path.read_bytes()) for path in sorted(tmp_path.iterdir())]

    worker = subprocess.Popen(command, env=env)  # noqa: S603 - our own command line
    try:
        assert wait_until(lambda: sent_count() >= 5, timeout=60), "the worker sent nothing"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    assert sent_count() < 20, "the whole batch went before the kill: nothing was tested"

    worker = subprocess.Popen(command, env=env)  # noqa: S603
    try:
        # The dead worker's jobs wait in Redis for their visibility timeout; the sweep hands
        # out its unfinished rows as soon as their lease is over (here: now).
        deadlines_sweep(now=timezone.now() + timedelta(minutes=6))
        assert wait_until(lambda: sent_count() == 20, timeout=60), list(
            Reminder.objects.values_list("pk", "status", "attempts")
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        # The database drops the dead workers' sessions a moment after they are gone.
        with connection.cursor() as cursor:
            others = (
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            wait_until(lambda: cursor.execute(others) or cursor.fetchone()[0] == 0, 10)

    assert Notification.objects.filter(key__in=keys).count() == 20
    theirs = {_message_id(key) for key in keys}
    ids = [mail["Message-ID"] for mail in mails() if mail["Message-ID"] in theirs]
    assert len(set(ids)) == 20  # every reminder reached the mail server
    # At most those in flight at the kill (one a thread) went twice, each as itself.
    assert len(ids) - len(set(ids)) <= 2
