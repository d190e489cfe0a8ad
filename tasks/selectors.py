"""Reads for the health page: is each part of Lekhit up?"""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from project.celery import app
from tasks.models import Heartbeat


def database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "down", reported as such
        return {"ok": False, "error": str(error)}
    return {"ok": True, "vendor": connection.vendor}


def broker_status() -> dict:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "error": str(error)}
    return {"ok": True, "transport": app.conf.broker_url.split(":", 1)[0]}


def heartbeat_status(*, name: str = "celery") -> dict:
    """Beat's last send and a worker's last run of the heartbeat, and whether each is fresh."""
    max_age = timedelta(seconds=settings.HEARTBEAT_MAX_AGE_SECONDS)
    now = timezone.now()
    beat = Heartbeat.objects.filter(name=name).first()
    if beat is None:
        missing = {"ok": False, "last_seen": None}
        return {"beat": dict(missing), "worker": dict(missing)}
    return {
        "beat": {"ok": now - beat.sent_at <= max_age, "last_seen": beat.sent_at.isoformat()},
        "worker": {
            "ok": now - beat.received_at <= max_age,
            "last_seen": beat.received_at.isoformat(),
        },
    }


def roundtrip_status(*, timeout: float = 5.0) -> dict:
    """Send a ping through the broker and wait for a worker's answer."""
    from tasks.tasks import ping

    try:
        result = ping.delay("pong").get(timeout=timeout)
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "error": str(error) or error.__class__.__name__}
    return {"ok": result == "pong"}
