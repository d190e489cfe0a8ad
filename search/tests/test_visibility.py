"""Each person finds only what the policies let them read: internal staff everything; a
ministry reviewer the version sent to their organisation and their organisation's comments,
never the working draft; a ministry not consulted nothing.

Each test runs twice for a reviewer's search: among the entries of the few instruments they
may see, and among every match, as for a ministry that sees more than
``FEW_INSTRUMENTS`` (see ``search.selectors.sees_few``)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents import services as documents
from documents.models import InstrumentType, Provision
from organisations.models import Organisation
from search import selectors
from search.models import SearchEntry
from search.selectors import hits, results, search

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["few", "many"])
def plan(request, monkeypatch):
    if request.param == "many":
        monkeypatch.setattr(selectors, "FEW_INSTRUMENTS", 0)
    # "sees few" is remembered (by user id, which the next test's users reuse)
    cache.clear()
    yield request.param
    cache.clear()


def _seen(user, query, **filters):
    return {(entry.kind, entry.version_id) for entry in search(user, query, **filters)}


def test_the_reviewer_finds_the_version_sent_not_the_draft(demo, sent):
    instrument, provisions, version, comment = sent
    reviewer = demo["reviewer-mef"]
    assert _seen(reviewer, "ត្រួតពិនិត្យ") == {("provision", version.pk)}
    assert _seen(demo["drafter"], "ត្រួតពិនិត្យ") == {("provision", None), ("provision", version.pk)}
    assert _seen(reviewer, "សាលាបឋមសិក្សា") == {("title", None)}


def test_the_working_draft_stays_with_the_department(demo, sent):
    instrument, provisions, version, comment = sent
    entries = SearchEntry.objects.filter(provision=provisions["monitor"])
    assert entries.exists()
    found = search(demo["reviewer-mef"], "ត្រួតពិនិត្យ")
    assert not found.filter(version__isnull=True).exists()


def test_a_comment_is_found_by_its_organisation_and_the_department(demo, sent):
    instrument, provisions, version, comment = sent
    assert _seen(demo["reviewer-mef"], "ឡើងវិញ", kind="comment") == {("comment", version.pk)}
    assert _seen(demo["director"], "ឡើងវិញ", kind="comment") == {("comment", version.pk)}
    assert _seen(demo["reviewer-moh"], "ឡើងវិញ") == set()
    [hit] = hits(search(demo["reviewer-mef"], "ឡើងវិញ", kind="comment"), "ឡើងវិញ")
    assert hit.label == "មាត្រា ៣"  # the article commented on, as numbered in the version sent


def test_a_ministry_not_consulted_finds_nothing(demo, sent):
    for query in ("ពិនិត្យ", "សាលាបឋមសិក្សា", "មន្ត្រី", "ឡើងវិញ"):
        assert _seen(demo["reviewer-moh"], query, inside_words=True) == set()


def test_filters_narrow_the_results(demo, sent):
    instrument, provisions, version, comment = sent
    drafter = demo["drafter"]
    mef = Organisation.objects.get(code="mef")
    assert _seen(drafter, "មន្ត្រី", organisation=mef.pk) == {("comment", version.pk)}
    assert _seen(drafter, "សាលាបឋមសិក្សា", status="consultation") == {("title", None)}
    assert _seen(drafter, "សាលាបឋមសិក្សា", status="signed") == set()
    other_type = InstrumentType.objects.exclude(pk=instrument.instrument_type_id).first()
    assert _seen(drafter, "សាលាបឋមសិក្សា", instrument_type=other_type.pk) == set()
    year = instrument.created_at.year
    assert _seen(drafter, "សាលាបឋមសិក្សា", year=year) == {("title", None)}
    assert _seen(drafter, "សាលាបឋមសិក្សា", year=year - 1) == set()


def test_filters_narrow_what_the_reviewer_may_see(demo, sent):
    """A reviewer's matches are read first and then checked against the policies, with the
    filters' joins (on PostgreSQL from a subquery of the matches): the same answer."""
    instrument, provisions, version, comment = sent
    reviewer = demo["reviewer-mef"]
    mef = Organisation.objects.get(code="mef")
    assert _seen(reviewer, "មន្ត្រី", organisation=mef.pk) == {("comment", version.pk)}
    assert _seen(reviewer, "ត្រួតពិនិត្យ", kind="provision") == {("provision", version.pk)}
    assert _seen(reviewer, "ត្រួតពិនិត្យ", kind="comment") == set()
    assert _seen(reviewer, "សាលាបឋមសិក្សា", instrument_type=instrument.instrument_type_id) == {
        ("title", None)
    }
    other_type = InstrumentType.objects.exclude(pk=instrument.instrument_type_id).first()
    assert _seen(reviewer, "ត្រួតពិនិត្យ", instrument_type=other_type.pk) == set()
    year = instrument.created_at.year
    assert _seen(reviewer, "ត្រួតពិនិត្យ", year=year) == {("provision", version.pk)}
    assert _seen(reviewer, "ត្រួតពិនិត្យ", year=year - 1) == set()
    assert _seen(demo["reviewer-moh"], "ត្រួតពិនិត្យ", year=year) == set()


def _sent_with_articles(demo, count):
    """A sub-decree of ``count`` articles holding ពិនិត្យ, sent for consultation to MEF."""
    from workflows import services as workflows

    from .conftest import internal_approvals, open_round

    instrument = documents.instrument_create(
        user=demo["drafter"],
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យស្តីពីការលើកទឹកចិត្ត",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    for _ in range(count):
        documents.provision_add(
            instrument=instrument,
            user=demo["drafter"],
            kind=Provision.Kind.ARTICLE,
            text_km="ពិនិត្យ និងផ្តល់យោបល់លើការបែងចែកប្រាក់រង្វាន់",
        )
    process = workflows.process_start(instrument=instrument, user=demo["drafter"])
    internal_approvals(demo, process)
    open_round(demo, process, ("mef",))


def _queries_for_a_page(user, query):
    from project.pagination import BoundedPaginator

    with CaptureQueriesContext(connection) as captured:
        page = BoundedPaginator(results(user, query), 20).get_page(1)
        shown = hits(page.object_list, query)
    return len(captured), len(shown)


@pytest.mark.parametrize("username", ["drafter", "reviewer-mef"])
def test_a_page_of_results_costs_the_same_queries_for_10_or_100(demo, username, plan):
    user = demo[username]
    _sent_with_articles(demo, 10)
    # what the policies read of a person once per request (their rights, organisations),
    # and whether the reviewer sees many instruments
    _queries_for_a_page(user, "ពិនិត្យ")
    few, shown_few = _queries_for_a_page(user, "ពិនិត្យ")
    _sent_with_articles(demo, 90)
    many, shown_many = _queries_for_a_page(user, "ពិនិត្យ")
    # the ranked keys (their count), the page, and (when the page holds working-draft
    # provisions) their numbers: never a query per row or per instrument
    assert few <= 3
    assert many <= 3
    # the drafter finds the draft's and the version's articles; the reviewer the version's
    assert (shown_few, shown_many) == ((20, 20) if username == "drafter" else (10, 20))
    if username == "reviewer-mef":
        # whether they see few, once known, is not asked again; the instruments and versions
        # they see are found in the query of the matches
        assert few == many == 2


def test_whether_a_reviewer_sees_few_instruments_is_asked_once(demo, sent, monkeypatch):
    """Whether a reviewer sees more than ``FEW_INSTRUMENTS`` chooses the plan of the next
    searches; what they find is the policies' answer, whichever plan."""
    instrument, provisions, version, comment = sent
    reviewer = demo["reviewer-mef"]
    monkeypatch.setattr(selectors, "FEW_INSTRUMENTS", 1)
    assert selectors.sees_few(reviewer) is True
    cache.clear()
    monkeypatch.setattr(selectors, "FEW_INSTRUMENTS", 0)
    assert selectors.sees_few(reviewer) is False
    monkeypatch.setattr(selectors, "FEW_INSTRUMENTS", 4000)
    with CaptureQueriesContext(connection) as captured:
        assert selectors.sees_few(reviewer) is False
    assert len(captured) == 0
    assert _seen(reviewer, "ត្រួតពិនិត្យ") == {("provision", version.pk)}
    # another reviewer is asked for their own
    assert selectors.sees_few(demo["reviewer-moh"]) is True
