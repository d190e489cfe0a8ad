"""Fixtures and service gates shared by the whole suite.

Tests that need a real service carry a marker (postgres, redis, browser, poppler). Where the
service is missing they skip, unless REQUIRE_SERVICES=1 (as CI sets), where they fail: a green
CI run has really exercised PostgreSQL, Redis, Chromium and pdftotext.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# under one unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _redis_database_of_this_worker(url: str, worker: str) -> str:
    """Under pytest-xdist each worker takes a Redis database of its own (the one REDIS_URL
    names, plus one plus the worker's number): a Celery worker started by one test must not
    take another's jobs, and ``cache.clear()`` (FLUSHDB) must not empty another's queue."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + 1 + int(worker.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{database % 16}"))


def pytest_configure(config):
    worker, url = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("REDIS_URL")
    if not (worker and url):
        return
    # Settings were read before this conftest (pytest-django loads them first): set the
    # worker's database on them, on Celery's configuration and for the processes tests start.
    from django.conf import settings

    url = os.environ["REDIS_URL"] = _redis_database_of_this_worker(url, worker)
    settings.REDIS_URL = settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = url
    settings.CACHES["default"]["LOCATION"] = url
    from project.celery import app

    app.conf.update(broker_url=url, result_backend=url)


def _postgres_missing() -> str | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://…"
    return None


def _redis_missing() -> str | None:
    url = os.environ.get("REDIS_URL")
    if not url:
        return "needs Redis: set REDIS_URL=redis://…"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"Redis at {url} does not answer: {error}"
    return None


def _browser_missing() -> str | None:
    if not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def _poppler_missing() -> str | None:
    if not shutil.which("pdftotext"):
        return "needs pdftotext (apt-get install poppler-utils)"
    return None


_GATES = {
    "postgres": _postgres_missing,
    "redis": _redis_missing,
    "browser": _browser_missing,
    "poppler": _poppler_missing,
}


def pytest_runtest_setup(item):
    for marker, missing in _GATES.items():
        if item.get_closest_marker(marker) is None:
            continue
        reason = missing()
        if reason:
            if REQUIRE_SERVICES:
                pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
            pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded browser; flags keep it off the network."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _demo_seed() -> None:
    from django.test import override_settings

    from documents.demo import instrument_types_seed
    from organisations.demo import organisations_seed, users_seed

    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        organisations = organisations_seed()
        instrument_types_seed()
        users_seed(organisations=organisations)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the demo's organisations, instrument types and users from the
    start (each test's transaction rolls back to them): seeding them for each test cost a
    third of a second, some 2,000 times."""
    with django_db_blocker.unblock():
        _demo_seed()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (threads, a live server) ends by emptying every table: seed the
    demo again for the tests after it."""
    yield
    marker = item.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )
    if transactional and nextitem is not None:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _demo_seed()


@pytest.fixture
def demo(db):
    """The demo organisations, instrument types and one user a role, as ``make run`` has them."""
    from organisations.models import User

    if not User.objects.filter(username="admin").exists():  # a transactional test's own
        _demo_seed()
    return {user.username: user for user in User.objects.all()}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Demo users are made in many tests: PBKDF2 would spend most of the suite hashing."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _idle_timeout_out_of_the_way(settings):
    """Many tests sign a client in today and then travel days ahead with the clock: the idle
    timeout (project.security) would rightly sign them out. Its own tests set it back."""
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 100_000_000


@pytest.fixture(autouse=True)
def _language_reset():
    """A request activates its user's language in the test's thread; do not let it leak."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _calendar_settings_reset():
    """Each test rolls its rows back, calendar days and step durations included: the copy a
    process keeps of them (``tasks.calendar``) must not carry one test's into the next."""
    from tasks.calendar import settings_cache

    settings_cache.clear()
    yield
    settings_cache.clear()


@pytest.fixture(autouse=True)
def _version_memos_reset():
    """What this process keeps of saved versions is kept by content, so it is never wrong in
    another test; but a test counting queries must not find a snapshot already read."""
    from documents.selectors import comparison_memo, snapshot_memo

    snapshot_memo.clear()
    comparison_memo.clear()
