"""Every list of the process costs the same number of queries with 10 instruments as with
100: each row's process, instrument, owner and deadline come with the page query, and the
filters do not write one choice per process into the page.

The journeys are run once through the product (``bench.bench_process.Journey``) and then
copied row by row (``copy_journey``), as the page benchmark builds its ten years of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.bench_pages import RoundsJourney
from bench.bench_process import CODES, copy_journey
from organisations.models import Organisation
from workflows.flows import ApprovalFlow

ROLES = ("drafter", "chief", "director", "dg", "registry", "reviewer-mef", "reviewer-moh", "admin")


def opens(name: str, role: str) -> bool:
    """Whether ``role`` may open the list: a ministry reviewer has no instrument list."""
    return not (name.startswith("instruments") and role.startswith("reviewer"))


def lists() -> dict[str, str]:
    return {
        "inbox": reverse("workflow:inbox"),
        "queue": reverse("workflow:queue"),
        "archive": reverse("workflow:archive"),
        "process list": ApprovalFlow.instance.reverse("process_list"),
        "task list": ApprovalFlow.instance.reverse("task_list"),
        "dashboard": ApprovalFlow.instance.reverse("index"),
        "instruments": reverse("documents:index"),
        "instruments by step": reverse("documents:index") + "?step=chief_review&sort=title",
    }


def journeys(demo) -> list:
    """One instrument registered, one in consultation (the ministries' tasks open), one
    waiting for the office chief: a step on everyone's desk and in everyone's archive."""
    organisations = {code: Organisation.objects.get(code=code) for code in CODES}
    built = []
    for number, stop in ((1, None), (2, 5), (3, 1)):
        journey = RoundsJourney(demo, number, stop=stop)
        journey.organisations = organisations
        journey.draft()
        steps = journey.steps()
        for _name, step in steps if stop is None else steps[:stop]:
            step()
        built.append(journey.instrument)
    return built


def grow(instruments, copies: int, first: int) -> None:
    for instrument in instruments:
        copy_journey(instrument, copies, first=first)


def queries(client, user, path) -> tuple[int, str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, user.username, response.status_code)
    return len(captured), response.content.decode()


@pytest.mark.django_db
def test_every_list_costs_the_same_queries_at_10_and_100_instruments(demo, client):
    built = journeys(demo)
    grow(built, 9, first=1)  # 10 of each
    small = {
        (name, role): queries(client, demo[role], path)
        for name, path in lists().items()
        for role in ROLES
        if opens(name, role)
    }
    grow(built, 90, first=10)  # 100 of each
    grown = []
    for (name, role), (count, _body) in small.items():
        now, _page = queries(client, demo[role], lists()[name])
        if now != count:
            grown.append(f"{name} as {role}: {count} -> {now}")
    assert grown == [], "\n".join(grown)


def choices(body: str) -> int:
    """The choices a page's filters write (viewflow's selects carry them as JSON)."""
    return body.count("<option") + body.count("&quot;index&quot;")


@pytest.mark.django_db
def test_the_lists_do_not_write_a_choice_per_process(demo, client):
    """viewflow's "process" filter offered every process with a task in the list as a
    choice: a reviewer's queue grew with every round ever opened for their ministry."""
    built = journeys(demo)
    grow(built, 4, first=1)
    pages = [(name, role) for role in ROLES for name in ("inbox", "queue", "archive")]
    few = {page: choices(queries(client, demo[page[1]], lists()[page[0]])[1]) for page in pages}
    grow(built, 25, first=5)
    many = {page: choices(queries(client, demo[page[1]], lists()[page[0]])[1]) for page in pages}
    assert many == few
    assert max(few.values()) > 0  # the filters' choices are counted at all
