"""The portfolio dashboard: where the instruments stand, who is late, how long each step
takes, each ministry's record and the month's signatures — for the director, the
director-general and the administrator only; each figure a link to the list behind it, each
table an XLSX file, in a constant number of queries."""

from datetime import UTC, datetime, time, timedelta
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bench.bench_process import copy_journey
from documents.models import Instrument
from khmer.formats import format_month
from khmer.forms import months_before
from oversight import selectors
from oversight.forms import PeriodForm
from tasks.models import TaskDeadline
from workflows.models import Consultation
from workflows.tests.test_list_queries import journeys

pytestmark = pytest.mark.django_db

ALLOWED = ("director", "dg", "admin")
REFUSED = ("drafter", "chief", "legal", "registry", "reviewer-mef", "head-mef")


@pytest.fixture
def three(demo):
    """Registered, in consultation (economy has answered), waiting for the office chief."""
    return journeys(demo)


def tables(client, user, **query):
    client.force_login(user)
    response = client.get(reverse("oversight:index"), query)
    assert response.status_code == 200
    return {table.name: table for table in response.context["tables"]}, response.content.decode()


def column(table, index=1):
    return {line[0].value: line[index].value for line in table.lines}


@pytest.mark.parametrize("role", ALLOWED + REFUSED)
def test_only_the_director_the_dg_and_the_administrator_see_it(demo, client, role):
    client.force_login(demo[role])
    expected = 200 if role in ALLOWED else 403
    for url in (
        reverse("oversight:index"),
        reverse("oversight:index") + "?export=stages",
        reverse("oversight:transfers"),
        reverse("oversight:transfers") + "?export=xlsx",
    ):
        assert client.get(url).status_code == expected, url


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("oversight:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_where_the_instruments_stand_each_figure_a_link(demo, client, three):
    found, body = tables(client, demo["director"])
    stages = {line[0].value: line[1] for line in found["stages"].lines}
    status = dict(Instrument.Status.choices)
    assert stages[status["registered"]].value == 1
    assert stages[status["consultation"]].value == 1
    assert stages[status["internal_review"]].value == 1
    assert stages[status["draft"]].value == 0
    assert stages[status["registered"]].href == "/documents/?status=registered"
    assert 'href="/documents/?status=registered">១</a>' in body  # Khmer digits


def test_signed_per_month_and_each_ministrys_record(demo, client, three):
    found, body = tables(client, demo["dg"])
    signed = found["signed"].lines
    assert len(signed) == 12  # the twelve months to this one
    assert signed[-1][1].value == 1 and sum(line[1].value for line in signed) == 1
    assert signed[-1][1].href == f"/documents/?signed={timezone.localdate():%Y-%m}"
    record = {
        line[0].value: [cell.value for cell in line[1:]]
        for line in found["consultation-record"].lines
    }
    # consulted, on time, late, by silence, not yet answered: the registered instrument's
    # round was answered by all three; the other round's economy answered, two wait.
    assert sorted(record.values()) == [[2, 1, 0, 0, 1], [2, 1, 0, 0, 1], [2, 2, 0, 0, 0]]
    assert "ក្រសួងសេដ្ឋកិច្ច និងហិរញ្ញវត្ថុ" in body


def test_an_answer_is_on_time_to_the_end_of_its_deadline_day_where_the_department_is(three):
    """The deadline is a day in Phnom Penh: an answer at 23:30 there is on time, one at 00:30
    the next day (still the deadline's date in UTC) is late."""

    def record():
        period = PeriodForm({}).period()
        return {f.key.pk: f.values for f in selectors.consultation_record(period=period)}

    registered = three[0]
    first, second, _third = Consultation.objects.filter(
        round__process__instrument=registered
    ).order_by("pk")
    before = record()
    deadline = first.round.deadline
    evening = datetime.combine(deadline, time(23, 30), tzinfo=timezone.get_current_timezone())
    late = evening + timedelta(hours=1)
    assert evening.astimezone(UTC).date() == late.astimezone(UTC).date() == deadline
    Consultation.objects.filter(pk=first.pk).update(answered_at=evening)
    Consultation.objects.filter(pk=second.pk).update(answered_at=late)

    after = record()
    assert after[first.organisation_id] == before[first.organisation_id]
    assert after[second.organisation_id]["on_time"] == before[second.organisation_id]["on_time"] - 1
    assert after[second.organisation_id]["late"] == before[second.organisation_id]["late"] + 1
    # the day of the answer, as the database keeps it beside the moment
    assert Consultation.objects.get(pk=second.pk).answered_on == deadline + timedelta(days=1)


def test_the_list_behind_a_months_signatures(demo, client, three):
    registered = three[0]
    client.force_login(demo["director"])
    response = client.get(reverse("documents:index"), {"signed": f"{timezone.localdate():%Y-%m}"})
    assert [row.pk for row in response.context["instruments"]] == [registered.pk]
    response = client.get(reverse("documents:index"), {"signed": "២០០១-០១"})  # Khmer digits
    assert list(response.context["instruments"]) == []


def test_who_is_late_by_organisation_and_by_person(demo, client, three):
    found, _ = tables(client, demo["director"])
    assert found["overdue-organisations"].lines == [] and found["overdue-people"].lines == []
    with time_machine.travel(timezone.now() + timedelta(days=90), tick=False):
        client.force_login(demo["director"])
        found, body = tables(client, demo["director"])
    by_organisation = column(found["overdue-organisations"])
    assert sorted(by_organisation.values()) == [1, 1]  # health and the NCDD, one step each
    hrefs = [line[1].href for line in found["overdue-organisations"].lines]
    assert all(
        href.startswith("/documents/?organisation=") and "overdue=on" in href for href in hrefs
    )
    assert (
        sum(column(found["overdue-people"]).values())
        == TaskDeadline.objects.filter(closed_at=None).exclude(assignee=None).count()
    )


def test_cycle_time_median_and_90th_percentile(demo, three):
    """Durations set by hand: 1, 2, 3, 4 and 10 days for the office chief's step."""
    now = timezone.now()
    chief = TaskDeadline.objects.filter(step="chief_review").order_by("pk")
    copy_journey(three[1], 3, first=1)  # more closed chief reviews
    ids = list(chief.exclude(closed_at=None).values_list("pk", flat=True)[:5])
    assert len(ids) == 5
    for days, pk in zip([1, 2, 3, 4, 10], ids, strict=True):
        TaskDeadline.objects.filter(pk=pk).update(
            opened_at=now - timedelta(days=days), closed_at=now
        )
    TaskDeadline.objects.filter(step="chief_review").exclude(pk__in=ids).exclude(
        closed_at=None
    ).update(closed_at=now - timedelta(days=800))  # ended long before the period
    period = PeriodForm({}).period()
    figures = {
        f.key: f.values
        for f in selectors.cycle_time_by_step(period=period, steps=[("chief_review", "chief")])
    }
    assert figures["chief_review"]["count"] == 5
    assert figures["chief_review"]["median"] == pytest.approx(3)
    assert figures["chief_review"]["p90"] == pytest.approx(4 + 0.6 * 6)  # linear, as PostgreSQL


def test_the_period_is_chosen_by_month_and_bad_months_are_refused(demo, client, three):
    found, body = tables(client, demo["director"], start="2026-01", end="2026-03")
    assert len(found["signed"].lines) == 3
    found, body = tables(client, demo["director"], start="2026-13", end="x")
    assert len(found["signed"].lines) == 12  # the default period
    assert "សូមផ្ដល់ខែ ដូចជា ២០២៦-១១។" in body
    # Ten years at most, and the months in either order.
    assert (
        len(tables(client, demo["director"], start="2026-01", end="1990-01")[0]["signed"].lines)
        == 120
    )


def test_the_period_is_chosen_from_the_months_named_in_khmer(demo, client, three):
    this_month = timezone.localdate().replace(day=1)
    start = months_before(this_month, 11)
    _found, body = tables(client, demo["director"])
    # The default period is the one chosen in the lists: the twelve months to this one.
    for month in (start, this_month):
        named = format_month(month, "km")
        assert f'<option value="{month:%Y-%m}" selected>{named}</option>' in body
    assert 'type="month"' not in body


def test_each_table_as_xlsx(demo, client, three):
    client.force_login(demo["director"])
    response = client.get(reverse("oversight:index"), {"export": "consultation-record"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("ស្ថាប័ន", "បានពិគ្រោះ", "ឆ្លើយទាន់ពេល")
    assert len(rows) == 4 and all(isinstance(value, int) for value in rows[1][1:])
    assert client.get(reverse("oversight:index"), {"export": "nonsense"}).status_code == 404


def test_the_dashboard_costs_the_same_queries_at_10_and_100_instruments(demo, client, three):
    def count():
        client.force_login(demo["director"])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("oversight:index")).status_code == 200
        return len(captured)

    for instrument in three:
        copy_journey(instrument, 9, first=1)
    few = count()
    for instrument in three:
        copy_journey(instrument, 90, first=10)
    assert count() == few


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan cache")
def test_the_period_figures_are_planned_for_their_period_each_time(demo, client, three):
    """The connection prepares a query run five times, and PostgreSQL's generic plan of the
    medians, made without the period's bounds, ranked ten years of steps three times slower
    (``make bench``'s "dashboard, ten years"): each period figure is planned for its period,
    and sorts its steps in memory (the server's 4 MB spilled ten years of them to disk)."""
    from oversight.selectors import PERIOD_WORK_MEM

    seen = []

    def settings_in_force(execute, sql, params, many, context):
        if "PERCENTILE_CONT" in sql or 'FROM "workflows_consultation"' in sql:
            cursor = context["cursor"]
            cursor.execute("SELECT current_setting('plan_cache_mode'), current_setting('work_mem')")
            seen.append(cursor.fetchone())
        return execute(sql, params, many, context)

    client.force_login(demo["director"])
    with connection.execute_wrapper(settings_in_force):
        assert client.get(reverse("oversight:index")).status_code == 200
    # (each for its own transaction: in a test, inside the test's, so not asserted after)
    assert seen == [("force_custom_plan", PERIOD_WORK_MEM)] * 3


def test_the_demo_shows_who_is_late(demo, client):
    """Under ``make run`` the overdue tables are not empty: two ministries let the demo's
    round pass its deadline, and the office chief has held a prakas past his days."""
    from organisations.models import Organisation
    from workflows.demo_portfolio import LATE_FUNCTION, portfolio_seed

    assert portfolio_seed() and not portfolio_seed()  # once
    found, body = tables(client, demo["director"])
    late_organisations = {Organisation.objects.get(code=code).name for code in ("mef", "ncdd-s")}
    assert column(found["overdue-organisations"]) == dict.fromkeys(late_organisations, 1)
    late_people = {str(demo[name]) for name in ("reviewer-mef", "reviewer-ncdd", "chief")}
    assert column(found["overdue-people"]) == dict.fromkeys(late_people, 1)
    # the round's function, being consulted on, beside the signed schedule's three
    client.force_login(demo["director"])
    response = client.get(reverse("oversight:transfers"), {"stage": "consultation"})
    lines = response.context["lines"]
    assert [line["row"].function_km for line in lines] == [LATE_FUNCTION[0]]


def test_the_months_chart_names_each_month_above_its_year_in_khmer(demo, client, three):
    """Month and year on one line overran the column beside it, and the first and the last
    were cut at the chart's edges: each column's label is two lines, as wide as its month."""
    import re

    _found, body = tables(client, demo["director"])
    chart = re.search(r'<svg class="lekhit-month-chart".*?</svg>', body, re.S).group()
    labels = re.findall(r'class="lekhit-axis">([^<]*)</text>', chart)
    this_month = timezone.localdate().replace(day=1)
    months = [months_before(this_month, back) for back in range(11, -1, -1)]  # the default
    month_and_year = [format_month(month, "km", short=True).split(" ") for month in months]
    assert labels == [part for label in month_and_year for part in label]
    assert "ឆ្នាំ" not in chart and not re.search(r">[^<]*[0-9][^<]*</text>", chart)
