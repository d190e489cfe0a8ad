"""The instrument list: a page at a time, newest first, filtered, in constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.models import Instrument, InstrumentType
from documents.views import INSTRUMENTS_PER_PAGE
from organisations.models import Organisation

pytestmark = pytest.mark.django_db


def instruments(demo, count: int, *, status=Instrument.Status.DRAFT, title="អនុក្រឹត្យ"):
    kind = InstrumentType.objects.get(code="sub-decree")
    office = Organisation.objects.get(code="dfr-fr")
    return Instrument.objects.bulk_create(
        Instrument(
            instrument_type=kind,
            owning_office=office,
            lead_drafter=demo["drafter"],
            title_km=f"{title} {n}",
            status=status,
        )
        for n in range(count)
    )


def page(client, **query):
    response = client.get(reverse("documents:index"), query)
    assert response.status_code == 200
    return response


def test_the_list_shows_a_page_at_a_time_and_counts_them_all(demo, client):
    instruments(demo, INSTRUMENTS_PER_PAGE + 10)
    client.force_login(demo["chief"])
    first = page(client)
    assert len(first.context["instruments"]) == INSTRUMENTS_PER_PAGE
    body = first.content.decode()
    assert "១–៥០ នៃ ៦០" in body and 'rel="next" href="?page=2"' in body
    second = page(client, page=2)
    assert len(second.context["instruments"]) == 10
    assert page(client, page="x").context["page_obj"].number == 1  # a bad page: the first
    assert page(client, page=99).context["page_obj"].number == 2  # past the end: the last


def test_the_filters_narrow_the_list_and_the_pager_keeps_them(demo, client):
    instruments(demo, INSTRUMENTS_PER_PAGE + 5, status=Instrument.Status.REGISTERED, title="ប្រកាស")
    instruments(demo, 3, title="អនុក្រឹត្យស្តីពីសាលារៀន")
    client.force_login(demo["chief"])
    assert page(client, q="សាលារៀន").context["page_obj"].paginator.count == 3
    registered = page(client, status=Instrument.Status.REGISTERED)
    assert registered.context["page_obj"].paginator.count == INSTRUMENTS_PER_PAGE + 5
    assert "?status=registered&amp;page=2" in registered.content.decode()
    nothing = page(client, q="គ្មាន")
    assert "គ្មានលិខិតបទដ្ឋានគតិយុត្តណាត្រូវនឹងលក្ខខណ្ឌច្រោះទាំងនេះទេ។" in nothing.content.decode()
    # A status that is none: refused by the form, not a 500, and the list unfiltered.
    assert page(client, status="nonsense").context["page_obj"].paginator.count == 58


def test_the_list_costs_the_same_queries_for_10_instruments_or_100(demo, client):
    client.force_login(demo["chief"])
    counts = []
    for count in (10, 90):
        instruments(demo, count)
        with CaptureQueriesContext(connection) as captured:
            page(client)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def test_a_ministry_reviewer_is_not_shown_the_working_drafts(demo, client):
    instruments(demo, 3)
    client.force_login(demo["reviewer-mef"])
    assert client.get(reverse("documents:index")).status_code == 403


def test_each_status_is_named_as_django_names_it_in_both_languages():
    """``get_status_display`` (written once a row) answers as Django's own would: the
    choice's name in the reader's language; a value of no choice, as it is."""
    from django.utils.translation import override

    field = Instrument._meta.get_field("status")
    for language in ("km", "en"):
        with override(language):
            for value, name in field.flatchoices:
                assert Instrument(status=value).get_status_display() == str(name)
    assert Instrument(status="unheard-of").get_status_display() == "unheard-of"
    with override("km"):
        assert Instrument(status="draft").get_status_display() != "Draft"  # translated
