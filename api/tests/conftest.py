import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from workflows import services
from workflows.tests.conftest import (  # noqa: F401 - fixtures
    _flow_urls_loaded,
    instrument,
    internal_approvals,
    open_round,
)

REVIEWERS = {"mef": "reviewer-mef", "moh": "reviewer-moh", "ncdd-s": "reviewer-ncdd"}


@pytest.fixture(autouse=True)
def _throttle_history_cleared():
    """DRF counts requests in the cache (Redis in CI): one test's must not throttle the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(demo):
    """``api(username)``: a client that sends that demo user's API token."""

    def client_for(username: str | None) -> APIClient:
        client = APIClient()
        if username is not None:
            token, _created = Token.objects.get_or_create(user=demo[username])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


def submitted(demo, draft):
    """Submitted and approved by the office chief and the director: ready for a round."""
    process = services.process_start(instrument=draft, user=demo["drafter"])
    internal_approvals(demo, process)
    return process


@pytest.fixture
def consulting(demo, instrument):  # noqa: F811 - the fixture imported above
    """A process whose first round consults the Ministry of Economy and Finance and the
    Ministry of Health (not the NCDD Secretariat)."""
    process = submitted(demo, instrument)
    consultation_round = open_round(demo, process, codes=("mef", "moh"))
    return process, consultation_round
