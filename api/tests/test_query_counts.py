"""Every list costs the same number of queries whatever its length: each is counted once on
a small database and again, with ``django_assert_num_queries``, on a larger one, as a
drafter and as a ministry reviewer."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents import services as documents
from documents.models import InstrumentType, Provision, ScheduleRow
from organisations.models import Organisation
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import Consultation, NextStep
from workflows.tests.conftest import act, open_round, open_task
from workflows.tests.test_journey import answer_round, consolidate

from .conftest import submitted


def new_instrument(demo, title, articles=2):
    drafter = demo["drafter"]
    instrument = documents.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km=title,
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    grow_text(demo, instrument, articles)
    return instrument


def grow_text(demo, instrument, articles):
    for n in range(articles):
        documents.provision_add(
            instrument=instrument,
            user=demo["drafter"],
            kind=Provision.Kind.ARTICLE,
            text_km=f"មាត្រាទី {n}",
        )


def grow_schedule(demo, instrument, rows):
    for n in range(rows):
        documents.schedule_row_add(
            instrument=instrument,
            user=demo["drafter"],
            function_km=f"មុខងារ {n}",
            from_ministry=Organisation.objects.get(code="moh"),
            level=ScheduleRow.Level.PROVINCE,
        )


def grow_versions(demo, instrument, count):
    for n in range(count):
        documents.version_create(instrument=instrument, user=demo["drafter"], label=f"v {n}")


def returned(demo, title):
    """A draft the office chief sent back: its revision waits in the drafter's inbox."""
    process = services.process_start(instrument=new_instrument(demo, title), user=demo["drafter"])
    act(
        open_task(process, ApprovalFlow.chief_review),
        demo["chief"],
        services.review_decide,
        decision="return",
        reason="សូមកែ",
    )


def comment(demo, process, code, count):
    consultation = Consultation.objects.get(round__process=process, organisation__code=code)
    username = {"mef": "reviewer-mef", "moh": "reviewer-moh"}[code]
    for n in range(count):
        services.comment_add(consultation=consultation, user=demo[username], text=f"មតិ {n}")
    return consultation


def endpoints(*, draft, process, rounds_process, consultation):
    return {
        "instruments": "/api/v1/instruments/",
        "text": f"/api/v1/instruments/{draft.pk}/text/",
        "schedule": f"/api/v1/instruments/{draft.pk}/schedule/",
        "versions": f"/api/v1/instruments/{draft.pk}/versions/",
        "audit": f"/api/v1/instruments/{process.instrument_id}/audit/",
        "sent versions": f"/api/v1/instruments/{rounds_process.instrument_id}/versions/",
        "processes": "/api/v1/processes/",
        "tasks": f"/api/v1/processes/{rounds_process.pk}/tasks/",
        "rounds": f"/api/v1/processes/{rounds_process.pk}/rounds/",
        "matrix": f"/api/v1/processes/{process.pk}/rounds/1/matrix/",
        "my tasks": "/api/v1/tasks/mine/",
        "consultations": "/api/v1/consultations/",
        "comments": f"/api/v1/consultations/{consultation.pk}/comments/",
    }


REVIEWER_SEES = {
    "instruments",
    "sent versions",
    "processes",
    "tasks",
    "rounds",
    "matrix",
    "my tasks",
    "consultations",
    "comments",
}


def count(client, url) -> tuple[int, int]:
    client.get(url)  # the first request of a run also fills caches (viewflow's, the calendar's)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content)
    return len(queries), response.json()["count"]


def test_every_list_costs_the_same_queries_at_two_sizes(
    demo, consulting, api, django_assert_num_queries
):
    small_process, _round = consulting
    draft = new_instrument(demo, "សេចក្តីព្រាងតូច", articles=2)
    grow_schedule(demo, draft, 1)
    grow_versions(demo, draft, 1)
    small_consultation = comment(demo, small_process, "mef", 1)
    returned(demo, "ត្រឡប់ ១")
    small = endpoints(
        draft=draft,
        process=small_process,
        rounds_process=small_process,
        consultation=small_consultation,
    )
    clients = {"drafter": api("drafter"), "reviewer-mef": api("reviewer-mef")}
    seen = {
        (who, name): count(client, url)
        for who, client in clients.items()
        for name, url in small.items()
        if who == "drafter" or name in REVIEWER_SEES
    }

    # Larger: more of everything, and larger objects of each kind.
    big_draft = new_instrument(demo, "សេចក្តីព្រាងធំ", articles=9)
    grow_schedule(demo, big_draft, 6)
    grow_versions(demo, big_draft, 5)
    big_process = submitted(demo, new_instrument(demo, "ដំណើរការធំ"))
    open_round(demo, big_process, codes=("mef", "moh", "ncdd-s"))
    big_consultation = comment(demo, big_process, "mef", 5)
    comment(demo, big_process, "moh", 3)
    ncdd = Consultation.objects.get(round__process=big_process, organisation__code="ncdd-s")
    act(ncdd.task, demo["reviewer-ncdd"], services.consultation_answer, position="no_objection")
    two_rounds = submitted(demo, new_instrument(demo, "ពីរជុំ"))
    first = open_round(demo, two_rounds)
    answer_round(demo, two_rounds, first)
    consolidate(demo, two_rounds, NextStep.ROUND)
    open_round(demo, two_rounds, codes=("mef", "moh"))
    returned(demo, "ត្រឡប់ ២")
    returned(demo, "ត្រឡប់ ៣")
    big = endpoints(
        draft=big_draft,
        process=big_process,
        rounds_process=two_rounds,
        consultation=big_consultation,
    )
    for (who, name), (queries, items) in seen.items():
        url = big[name]
        with django_assert_num_queries(queries, info=f"{name} as {who}"):
            response = clients[who].get(url)
        assert response.status_code == 200
        assert response.json()["count"] > items, (who, name)  # it did grow
