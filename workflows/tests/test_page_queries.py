"""The process's pages cost the same number of queries for a short text with few comments
as for a longer one with many: a count that grows with the rows is an N+1."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from viewflow.workflow.status import STATUS

from documents import services as documents
from documents.models import InstrumentType, Provision
from organisations.models import Organisation
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import Consultation, Disposition, Position

from .conftest import act, internal_approvals, open_round, open_task

REVIEWERS = {"mef": "reviewer-mef", "moh": "reviewer-moh"}


def in_consultation(demo, *, articles: int, comments: int):
    """A process in its first round (mef and moh consulted) on a text of ``articles``
    articles, each reviewer having made ``comments`` comments (one an article)."""
    drafter = demo["drafter"]
    instrument = documents.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km=f"អនុក្រឹត្យ {articles}",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    chapter = documents.provision_add(
        instrument=instrument, user=drafter, kind=Provision.Kind.CHAPTER, heading_km="ជំពូក"
    )
    Provision.objects.bulk_create(
        Provision(
            instrument=instrument,
            parent=chapter,
            kind=Provision.Kind.ARTICLE,
            position=n,
            text_km=f"មាត្រាទី{n} ស្តីពីការផ្ទេរមុខងារ។",
        )
        for n in range(1, articles + 1)
    )
    process = services.process_start(instrument=instrument, user=drafter)
    internal_approvals(demo, process)
    consultation_round = open_round(demo, process, tuple(REVIEWERS))
    uids = [
        p["uid"]
        for p in consultation_round.version.snapshot["provisions"]
        if p["kind"] == "article"
    ]
    for code, username in REVIEWERS.items():
        consultation = Consultation.objects.get(round=consultation_round, organisation__code=code)
        for n in range(comments):
            services.comment_add(
                consultation=consultation,
                user=demo[username],
                text=f"យោបល់ទី{n} ({code})",
                provision_uid=uids[n % len(uids)] if n else None,
            )
    return process, consultation_round


def review_task(process, code):
    organisation = Organisation.objects.get(code=code)
    return process.task_set.get(
        flow_task=ApprovalFlow.organisation_review,
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
        data__organisation_id=organisation.pk,
    )


def to_consolidation(demo, process, consultation_round):
    for code, username in REVIEWERS.items():
        act(
            review_task(process, code),
            demo[username],
            services.consultation_answer,
            position=Position.COMMENTS,
            remarks="",
        )
    article = next(
        p for p in consultation_round.version.snapshot["provisions"] if p["kind"] == "article"
    )
    for n, comment in enumerate(services.unanswered_comments(process=process)):
        if n % 2:  # half answered, each saying it changed the first article
            services.comment_respond(
                comment=comment,
                user=demo["drafter"],
                disposition=Disposition.ACCEPTED,
                response="បានកែ",
                changed_provisions=[article["uid"]],
            )


def execute_url(client, task):
    """Take ``task`` through its page if it is no one's yet, and give its execute URL."""
    if task.status == STATUS.NEW:
        response = client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
        assert response.status_code == 302
    return task.flow_task.reverse("execute", args=[task.process_id, task.pk])


def count(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.fixture
def small_and_large(demo):
    return (
        in_consultation(demo, articles=2, comments=1),
        in_consultation(demo, articles=40, comments=12),
    )


def assert_same_queries(client, django_assert_num_queries, small_path, large_path):
    client.get(small_path)  # the first page after signing in also writes the session
    small = count(client, small_path)
    with django_assert_num_queries(small):
        response = client.get(large_path)
    assert response.status_code == 200


def test_the_reviewer_s_task_page(demo, client, small_and_large, django_assert_num_queries):
    client.force_login(demo["reviewer-mef"])
    (small, _), (large, _) = small_and_large
    small_url = execute_url(client, review_task(small, "mef"))
    large_url = execute_url(client, review_task(large, "mef"))
    assert_same_queries(client, django_assert_num_queries, small_url, large_url)
    body = client.get(large_url).content.decode()
    assert "យោបល់ទី11 (mef)" in body and "(moh)" not in body  # its own comments only


def test_the_process_page_and_the_matrix(demo, client, small_and_large, django_assert_num_queries):
    (small, small_round), (large, large_round) = small_and_large
    for username in ("drafter", "reviewer-mef"):
        client.force_login(demo[username])
        for name, args in (
            ("instrument_process", lambda p, r: [p.instrument_id]),
            ("matrix", lambda p, r: [p.pk, r.number]),
        ):
            assert_same_queries(
                client,
                django_assert_num_queries,
                reverse(f"workflows:{name}", args=args(small, small_round)),
                reverse(f"workflows:{name}", args=args(large, large_round)),
            )


def test_the_consolidation_page(demo, client, small_and_large, django_assert_num_queries):
    for process, consultation_round in small_and_large:
        to_consolidation(demo, process, consultation_round)
    client.force_login(demo["drafter"])
    (small, _), (large, _) = small_and_large
    urls = [execute_url(client, open_task(p, ApprovalFlow.consolidate)) for p in (small, large)]
    assert_same_queries(client, django_assert_num_queries, *urls)
    page = client.get(urls[1])
    assert len(page.context["rows"]) == 24 and page.context["unanswered"] == 12
    # The matrix of a round whose answers are given, too.
    assert_same_queries(
        client,
        django_assert_num_queries,
        *(reverse("workflows:matrix", args=[p.pk, 1]) for p in (small, large)),
    )


def test_the_process_page_for_the_director_whatever_the_number_consulted(
    demo, client, django_assert_num_queries
):
    paths = []
    for codes in (("mef",), ("mef", "moh", "ncdd-s")):
        instrument = documents.instrument_create(
            user=demo["drafter"],
            instrument_type=InstrumentType.objects.get(code="sub-decree"),
            title_km="អនុក្រឹត្យ",
            owning_office=Organisation.objects.get(code="dfr-fr"),
        )
        documents.provision_add(
            instrument=instrument, user=demo["drafter"], kind="article", text_km="មាត្រា"
        )
        process = services.process_start(instrument=instrument, user=demo["drafter"])
        internal_approvals(demo, process)
        open_round(demo, process, codes)
        paths.append(reverse("workflows:instrument_process", args=[instrument.pk]))
    client.force_login(demo["director"])
    assert_same_queries(client, django_assert_num_queries, *paths)
