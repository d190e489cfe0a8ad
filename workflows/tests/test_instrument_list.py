"""The instrument list as a working tool: each instrument with the step it is at, who holds
it and by when; filtered by step, holder, organisation, lateness and year; sorted by title in
Khmer order; every choice kept in the URL; the record shown to the department only."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from documents.models import Instrument
from organisations.models import Organisation
from tasks.models import TaskDeadline
from workflows.tests.test_list_queries import journeys

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(demo):
    """Registered, in consultation with the ministries, waiting for the office chief."""
    registered, consulting, waiting = journeys(demo)
    return {"registered": registered, "consulting": consulting, "waiting": waiting}


def listed(client, user, **query) -> tuple[list[Instrument], str]:
    client.force_login(user)
    response = client.get(reverse("documents:index"), query)
    assert response.status_code == 200
    return list(response.context["instruments"]), response.content.decode()


def test_each_row_says_its_step_holder_and_deadline(demo, client, three):
    rows, body = listed(client, demo["director"])
    waiting = next(row for row in rows if row.pk == three["waiting"].pk)
    assert [step.step for step in waiting.open_steps] == ["chief_review"]
    assert "ការពិនិត្យរបស់ប្រធានការិយាល័យ" in body  # the step, by its Khmer title
    consulting = next(row for row in rows if row.pk == three["consulting"].pk)
    # The ministry of economy has answered; health and the NCDD have not.
    assert {step.organisation.code for step in consulting.open_steps} == {"moh", "ncdd-s"}
    registered = next(row for row in rows if row.pk == three["registered"].pk)
    assert registered.open_steps == []
    due = TaskDeadline.objects.get(instrument=three["waiting"], closed_at=None).due_on
    assert f"ថ្ងៃទី{due.day}" not in body  # dates in Khmer digits
    assert "<th>ដំណាក់កាលបច្ចុប្បន្ន</th>" in body


def test_the_filters_find_by_step_holder_organisation_lateness_and_year(demo, client, three):
    def found(**query):
        rows, _body = listed(client, demo["director"], **query)
        return {row.pk for row in rows}

    assert found(step="chief_review") == {three["waiting"].pk}
    assert found(step="organisation_review") == {three["consulting"].pk}
    health = Organisation.objects.get(code="moh")
    assert found(organisation=health.pk) == {three["consulting"].pk}
    economy = Organisation.objects.get(code="mef")  # it has answered: nothing of its own open
    assert found(organisation=economy.pk) == set()
    chief_deadline = TaskDeadline.objects.get(instrument=three["waiting"], closed_at=None)
    if chief_deadline.assignee_id:
        assert found(holder=chief_deadline.assignee_id) == {three["waiting"].pk}
    assert found(overdue="on") == set()
    with time_machine.travel(timezone.now() + timedelta(days=120), tick=False):
        assert found(overdue="on") == {three["waiting"].pk, three["consulting"].pk}
    this_year = timezone.localdate().year
    assert found(year=this_year) == {instrument.pk for instrument in three.values()}
    assert found(year=this_year - 1) == set()
    # Choices outside the lists are refused by the form: the list is not filtered, no 500.
    assert len(found(step="nonsense", year="abc")) == 3


def test_the_holder_filter_finds_who_holds_a_step(demo, client, three):
    deadline = TaskDeadline.objects.get(instrument=three["waiting"], closed_at=None)
    TaskDeadline.objects.filter(pk=deadline.pk).update(assignee=demo["chief"])
    rows, body = listed(client, demo["director"], holder=demo["chief"].pk)
    assert [row.pk for row in rows] == [three["waiting"].pk]
    assert str(demo["chief"]) in body


def test_sorted_by_title_in_khmer_order(demo, client, three):
    # ឫ (a vowel written as a letter) sorts with រ in the dictionary, after the consonants in
    # code-point order: only ICU's collation, on PostgreSQL, puts it there.
    for instrument, title in zip(three.values(), ["សាលា", "ឫស្សី", "កិច្ចការ"], strict=True):
        Instrument.objects.filter(pk=instrument.pk).update(title_km=title)
    rows, body = listed(client, demo["director"], sort="title")
    titles = [row.title_km for row in rows]
    if connection.vendor == "postgresql":
        assert titles == ["កិច្ចការ", "ឫស្សី", "សាលា"]
    else:
        assert titles == ["កិច្ចការ", "សាលា", "ឫស្សី"]
    assert '<option value="title" selected>' in body


def test_the_pager_keeps_every_choice(demo, client, three):
    from bench.bench_process import copy_journey

    copy_journey(three["waiting"], 55, first=1)
    rows, body = listed(client, demo["director"], step="chief_review", sort="title")
    assert len(rows) == 50
    assert "?step=chief_review&amp;sort=title&amp;page=2" in body


def test_a_ministry_reviewer_has_no_instrument_list(demo, client, three):
    client.force_login(demo["reviewer-mef"])
    for query in ({}, {"step": "chief_review"}, {"holder": demo["chief"].pk}):
        assert client.get(reverse("documents:index"), query).status_code == 403


def test_the_inbox_filters_by_type_and_lateness(demo, client, three):
    """The consulted ministry's reviewer finds their overdue steps and those of one type."""
    client.force_login(demo["reviewer-moh"])
    inbox = reverse("workflow:inbox")

    def rows(**query):
        response = client.get(inbox, query)
        assert response.status_code == 200
        return {
            task.process.approvalprocess.instrument_id for task in response.context["object_list"]
        }

    assert rows() == {three["consulting"].pk}
    kind = three["consulting"].instrument_type
    assert rows(instrument_type=kind.pk) == {three["consulting"].pk}
    other = type(kind).objects.exclude(pk=kind.pk).first()
    assert rows(instrument_type=other.pk) == set()
    assert rows(lateness="overdue") == set()
    with time_machine.travel(timezone.now() + timedelta(days=120), tick=False):
        client.force_login(demo["reviewer-moh"])  # signed out when idle that long
        assert rows(lateness="overdue") == {three["consulting"].pk}
    body = client.get(inbox).content.decode()
    # The choice, in Khmer (viewflow writes a select's options as JSON, escaped).
    assert json.dumps("តែការងារហួសកាលកំណត់")[1:-1] in body


def test_every_cell_escapes_what_a_person_typed(demo, client, three):
    """The table is written in Python (``documents.table``): each column escapes its values."""
    Instrument.objects.filter(pk=three["waiting"].pk).update(
        title_km="<b>ក</b>", title_en="<i>e</i>", reference_number="<u>1</u>"
    )
    deadline = TaskDeadline.objects.get(instrument=three["waiting"], closed_at=None)
    TaskDeadline.objects.filter(pk=deadline.pk).update(assignee=demo["chief"])
    type(demo["chief"]).objects.filter(pk=demo["chief"].pk).update(first_name="<s>ស</s>")
    consulted = TaskDeadline.objects.filter(instrument=three["consulting"], closed_at=None)
    Organisation.objects.filter(pk=consulted[0].organisation_id).update(name_km="<em>ម</em>")
    _rows, body = listed(client, demo["director"])
    for typed in ("<b>ក</b>", "<i>e</i>", "<u>1</u>", "<s>ស</s>", "<em>ម</em>"):
        assert typed not in body
    for shown in ("&lt;b&gt;ក&lt;/b&gt;", "&lt;i&gt;e&lt;/i&gt;", "&lt;u&gt;1&lt;/u&gt;"):
        assert shown in body
    assert "&lt;s&gt;ស&lt;/s&gt;" in body and "&lt;em&gt;ម&lt;/em&gt;" in body
