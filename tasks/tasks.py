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
