from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tasks.services import heartbeat_record
from tasks.tasks import heartbeat


def test_health_is_503_until_beat_and_a_worker_have_been_seen(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["worker"] == {"ok": False, "last_seen": None}


def test_health_is_200_when_the_heartbeat_is_fresh(client, db):
    heartbeat(sent_at=timezone.now().isoformat())  # what a worker runs when beat sends it
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_a_stale_heartbeat_is_reported_per_part(client, db, settings):
    heartbeat_record(name="celery", sent_at=timezone.now() - timedelta(minutes=1))
    settings.HEARTBEAT_MAX_AGE_SECONDS = 30
    checks = client.get(reverse("health")).json()["checks"]
    assert checks["beat"]["ok"] is False  # beat sent a minute ago
    assert checks["worker"]["ok"] is True  # the worker ran it just now


def test_health_needs_no_login_and_is_never_cached(client, db):
    response = client.get(reverse("health"))
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_health_is_read_only(client, db, method):
    assert getattr(client, method)(reverse("health")).status_code == 405


def test_health_shows_the_last_sweep_and_the_queue(client, db):
    from tasks.services import deadlines_sweep

    checks = client.get(reverse("health")).json()["checks"]
    assert checks["sweep"] == {"ok": True, "last_run": None}
    assert checks["queue"]["outbox_pending"] == 0 and checks["queue"]["outbox_failed"] == 0
    deadlines_sweep()
    checks = client.get(reverse("health")).json()["checks"]
    assert checks["sweep"]["last_run"] is not None
