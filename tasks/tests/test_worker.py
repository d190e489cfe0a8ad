"""A real Celery worker (in a thread of this process) takes jobs from a real broker."""

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from project.celery import app
from tasks.tasks import ping


@pytest.mark.worker
def test_a_worker_on_the_embedded_broker_returns_a_result(tmp_path):
    """The broker ``make run`` uses without Redis: kombu's SQLAlchemy transport on SQLite."""
    embedded = Celery(
        "embedded",
        broker=f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}",
        backend=f"db+sqlite:///{tmp_path / 'results.sqlite3'}",
    )
    echo = embedded.task(name="tasks.ping")(ping.run)
    with start_worker(embedded, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        assert echo.delay("សួស្តី").get(timeout=30) == "សួស្តី"


@pytest.mark.worker
@pytest.mark.redis
def test_a_worker_on_redis_returns_a_result():
    assert app.conf.broker_url.startswith("redis"), "REDIS_URL should configure the broker"
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        assert ping.delay("lekhit").get(timeout=30) == "lekhit"
