"""Celery jobs. Each takes plain values, calls one service, and owns its retries."""

from celery import shared_task
from celery.signals import before_task_publish
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tasks.services import heartbeat_record


@before_task_publish.connect(sender="tasks.heartbeat")
def _stamp_heartbeat(body=None, **kwargs):
    """Stamp the time beat sends the heartbeat, so that /health/ can tell beat from worker."""
    args, task_kwargs, _embed = body
    task_kwargs.setdefault("sent_at", timezone.now().isoformat())


@shared_task(name="tasks.heartbeat")
def heartbeat(sent_at: str | None = None) -> str:
    """Sent by beat every 30 s; run by a worker. /health/ reads both times."""
    sent = parse_datetime(sent_at) if sent_at else timezone.now()
    heartbeat_record(name="celery", sent_at=sent)
    return "ok"


@shared_task(name="tasks.ping")
def ping(value: str = "pong") -> str:
    """Echo, so that a caller can see a job go through the broker and its result come back."""
    return value


# --- Deadlines and reminders: beat runs the first two, the sweep enqueues the other. -----


@shared_task(name="tasks.sweep", ignore_result=True)
def sweep() -> dict:
    """Every minute: write due reminders, let the process close its rounds past their deadline
    (``tasks.hooks``), hand out sends."""
    from dataclasses import asdict

    from tasks.services import deadlines_sweep

    return asdict(deadlines_sweep())


@shared_task(name="tasks.digest", ignore_result=True)
def digest() -> int:
    """Each morning at 07:00 (local time): one digest per person of what is due or overdue."""
    from tasks.services import digest_prepare

    return digest_prepare()


@shared_task(name="tasks.deliver_reminder", ignore_result=True)
def deliver_reminder(reminder_id: int) -> str:
    """One outbox row. Idempotent: a sent row is skipped, so a redelivered message is harmless.

    A send failure is recorded on the row (not raised), and a later sweep hands it out again
    by ``next_attempt_at``; no Celery countdown, which Redis would redeliver early.
    """
    from tasks.services import reminder_deliver

    return reminder_deliver(reminder_id=reminder_id)


@shared_task(name="tasks.telegram_updates", ignore_result=True)
def telegram_updates() -> int:
    """Every 20 s: link the accounts whose one-time code was sent to the Telegram bot.

    Nothing without ``TELEGRAM_BOT_TOKEN``. A Bot API failure is logged, and the next run
    reads the same updates again (the offset moved only past those read)."""
    import logging

    from notifications.services import telegram_updates_read
    from notifications.telegram import TelegramError

    try:
        return telegram_updates_read()
    except TelegramError as error:
        logging.getLogger(__name__).warning("Telegram updates not read: %s", error)
        return 0
