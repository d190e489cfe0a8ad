"""The audit trail reads as sentences in the reader's language, not as codes."""

import re

import pytest
from django.urls import reverse
from django.utils.translation import override

from workflows import selectors, services
from workflows.audit import audit_lines
from workflows.tests.conftest import drive, open_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(demo, instrument):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    drive(process, "chief_review", demo["chief"], decision="return", reason="សូមកែមាត្រា ២")
    drive(process, "revise", demo["drafter"], note="បានកែ")
    drive(process, "chief_review", demo["chief"], decision="approve", reason="")
    drive(process, "director_review", demo["director"], decision="approve", reason="")
    open_round(demo, process, ("mef", "moh"))
    return process


def _lines(instrument, language):
    with override(language):
        return [
            line["sentence"] for line in audit_lines(selectors.audit_trail(instrument=instrument))
        ]


def test_each_step_is_a_sentence_with_who_and_their_role_in_khmer(trail, instrument):
    lines = _lines(instrument, "km")
    assert lines[-1] == "លី ស្រីនាង, អ្នកតាក់តែង បានដាក់សេចក្តីព្រាងជូនពិនិត្យផ្ទៃក្នុង។"
    assert lines[-2] == (
        "ហេង សុធា, ប្រធានការិយាល័យ បានបញ្ជូនសេចក្តីព្រាងត្រឡប់ទៅអ្នកតាក់តែងវិញ (ការពិនិត្យរបស់ប្រធានការិយាល័យ)។"
    )
    assert lines[-3].startswith("លី ស្រីនាង, អ្នកតាក់តែង បានដាក់សេចក្តីព្រាងដែលបានកែសម្រួល")
    assert "ជាកំណែទី២" in lines[-3]
    assert lines[0].startswith("លី ស្រីនាង, អ្នកតាក់តែង បានបើកជុំពិគ្រោះយោបល់ទី១ ជាមួយ ")
    assert "ក្រសួងសេដ្ឋកិច្ច និងហិរញ្ញវត្ថុ" in lines[0] and " និង ក្រសួងសុខាភិបាល" in lines[0]
    assert "ត្រឹមថ្ងៃទី" in lines[0]
    for line in lines:  # no code, no Latin digit
        assert not re.search(r"[A-Za-z0-9_]", line), line


def test_the_same_trail_in_english(trail, instrument):
    lines = _lines(instrument, "en")
    assert lines[-1] == "លី ស្រីនាង, Drafter submitted the draft for internal review."
    assert lines[-2] == (
        "ហេង សុធា, Office chief returned the draft to the drafter (Office chief review)."
    )
    assert "as version 2." in lines[-3]
    assert re.match(
        r"លី ស្រីនាង, Drafter opened consultation round 1 with Ministry of Economy and "
        r"Finance and Ministry of Health, to answer by \d+ \w+ 20\d\d\.$",
        lines[0],
    ), lines[0]
    for line in lines:
        assert not re.search(r"[a-z]+_[a-z]+|\.approve|\.return", line), line


def test_the_reason_is_shown_as_typed_beside_the_sentence(trail, instrument, demo, client):
    client.force_login(demo["director"])
    body = client.get(reverse("workflows:instrument_process", args=[instrument.pk])).content
    body = body.decode()
    assert '<q class="lekhit-typed">សូមកែមាត្រា ២</q>' in body
    assert "chief_review.return" not in body and ">submitted<" not in body


def test_the_trail_costs_the_same_queries_for_one_step_or_many(demo, instrument, trail):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(entries):
        with CaptureQueriesContext(connection) as queries:
            audit_lines(entries)
        return len(queries)

    few = count(selectors.audit_trail(instrument=instrument)[:1])
    many = count(selectors.audit_trail(instrument=instrument))
    assert many <= few + 1  # the organisations the round names: one query more, not one each
    assert many <= 5


def test_viewflow_lists_and_dashboard_show_numbers_and_dates_in_khmer(trail, demo, client):
    from workflows.flows import ApprovalFlow

    client.force_login(demo["director"])
    for name in ("index", "task_list", "process_list"):
        body = client.get(ApprovalFlow.instance.reverse(name)).content.decode()
        text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", body, flags=re.S)
        assert not re.search(r"#[0-9]+/[0-9]+|ឆ្នាំ [0-9]{4}|[0-9]{4}, [0-9]{2}:[0-9]{2}", text), name
