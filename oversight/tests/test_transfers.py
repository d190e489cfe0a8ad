"""The function-transfer tracker: every function in the transfer schedules, from which
ministry, to which level, with what staff, budget and assets, effective when, by which
instrument and at which stage; filtered, totalled, exported as the periodic report."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bench.bench_process import copy_journey
from documents import services as documents
from documents.models import Instrument, InstrumentType, ScheduleRow
from organisations.models import Organisation
from tasks.calendar import is_working_day
from tasks.models import TaskDeadline
from workflows.demo_portfolio import FUNCTIONS, signed_seed
from workflows.models import Consultation

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(demo):
    """The demo's signed sub-decree: three education functions, in force since 1 January."""
    return signed_seed(timezone.localdate())


def tracker(client, user, **query):
    client.force_login(user)
    response = client.get(reverse("oversight:transfers"), query)
    assert response.status_code == 200
    return response.context, response.content.decode()


def test_the_signed_schedule_is_tracked_with_its_totals(demo, client, signed):
    assert signed.status == Instrument.Status.REGISTERED
    context, body = tracker(client, demo["director"])
    assert [line["row"].function_km for line in context["lines"]] == [f[0] for f in FUNCTIONS]
    assert {line["stage"] for line in context["lines"]} == {"ចូលជាធរមាន"}
    assert context["totals"] == {"functions": 3, "staff": 175, "budget": 1_210_000_000}
    assert "មុខងារ ៣ បុគ្គលិក ១៧៥ នាក់ ថវិកា ១.២១០.០០០.០០០ រៀល" in body


def test_the_signed_text_is_the_signed_versions_pdf_and_word_file(demo, client):
    """Linked by the version's key, not its number (the two differ once another instrument
    has versions: here a draft's, saved first)."""
    other = documents.instrument_create(
        user=demo["drafter"],
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="សេចក្ដីព្រាងផ្សេង",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    documents.version_create(instrument=other, user=demo["drafter"], label="ទី១")
    signed = signed_seed(timezone.localdate())
    version = signed.sign_offs.get().version
    assert version.number != version.pk
    _context, body = tracker(client, demo["director"])
    pdf = reverse("documents:export_pdf", args=[signed.pk, version.pk])
    docx = reverse("documents:export_docx", args=[signed.pk, version.pk])
    assert pdf in body and docx in body
    response = client.get(docx)
    assert response.status_code == 200 and response["Content-Type"].endswith("document")


def test_the_demo_journey_took_weeks_and_one_ministry_answered_late(demo, client, signed):
    """Seeded over the weeks a real journey takes, each step on a working morning: the
    dashboard's cycle times are days and the NCDD secretariat's answer came after the
    round's deadline; nothing is dated after the seeding."""
    now = timezone.now()
    steps = TaskDeadline.objects.filter(instrument=signed)
    assert steps.count() == 10 and not steps.filter(closed_at=None).exists()
    assert not steps.filter(closed_at__gt=now).exists()
    first = steps.order_by("opened_at").first().opened_at
    assert timedelta(days=30) < now - first < timedelta(days=70)
    assert all(is_working_day(timezone.localtime(t.closed_at).date()) for t in steps)
    assert all(t.closed_at - t.opened_at > timedelta(hours=23) for t in steps)  # a day or more
    answers = {
        c.organisation.code: c.answered_on <= c.round.deadline
        for c in Consultation.objects.filter(round__process__instrument=signed)
    }
    assert answers == {"moh": True, "mef": True, "ncdd-s": False}

    client.force_login(demo["dg"])
    tables = {
        table.name: table for table in client.get(reverse("oversight:index")).context["tables"]
    }
    record = {
        line[0].value: [cell.value for cell in line[1:]]
        for line in tables["consultation-record"].lines
    }
    # consulted, on time, late
    assert record[str(Organisation.objects.get(code="ncdd-s"))][:3] == [1, 0, 1]
    assert record[str(Organisation.objects.get(code="mef"))][:3] == [1, 1, 0]


def test_each_function_and_instrument_is_named_in_the_readers_language(demo, client, signed):
    _context, body = tracker(client, demo["director"])
    body = body.replace("\u200b", "")  # the zero-width spaces that break Khmer at words
    assert FUNCTIONS[0][0] in body and signed.title_km in body
    assert FUNCTIONS[0][1] not in body and signed.title_en not in body
    demo["director"].language = "en"
    demo["director"].save(update_fields=["language"])
    _context, body = tracker(client, demo["director"])
    assert FUNCTIONS[0][1] in body and signed.title_en in body
    assert FUNCTIONS[0][0] not in body and signed.title_km not in body


def test_a_draft_schedule_is_tracked_as_being_drafted(demo, client, signed):
    draft = Instrument.objects.create(
        instrument_type=signed.instrument_type,
        owning_office=signed.owning_office,
        lead_drafter=demo["drafter"],
        title_km="សេចក្ដីព្រាង",
        sector="សុខាភិបាល",
    )
    health = Organisation.objects.get(code="moh")
    ScheduleRow.objects.create(
        instrument=draft,
        position=1,
        function_km="មណ្ឌលសុខភាព",
        from_ministry=health,
        level=ScheduleRow.Level.PROVINCE,
        staff_count=5,
    )
    context, _ = tracker(client, demo["director"], stage="drafting")
    assert [line["row"].function_km for line in context["lines"]] == ["មណ្ឌលសុខភាព"]
    assert context["lines"][0]["stage"] == "កំពុងតាក់តែង"
    assert tracker(client, demo["director"], ministry=health.pk)[0]["totals"]["functions"] == 1
    assert tracker(client, demo["director"], sector="អប់រំ")[0]["totals"]["functions"] == 3
    assert tracker(client, demo["director"], level="commune")[0]["totals"]["functions"] == 1
    this_year = timezone.localdate().year
    assert tracker(client, demo["director"], year=this_year)[0]["totals"]["functions"] == 3
    assert tracker(client, demo["director"], stage="in_force")[0]["totals"]["functions"] == 3
    assert tracker(client, demo["director"], stage="signed")[0]["totals"]["functions"] == 0
    # A rejected instrument transfers nothing.
    Instrument.objects.filter(pk=draft.pk).update(status=Instrument.Status.REJECTED)
    assert tracker(client, demo["director"])[0]["totals"]["functions"] == 3


def test_a_refused_filter_is_named_and_the_others_still_apply(demo, client, signed):
    """A link to a ministry no longer listed, or a level that is not one: the page says which
    filter it could not apply, in the reader's language, and applies the others."""
    context, body = tracker(client, demo["director"], ministry="abc", level="district")
    assert context["totals"]["functions"] == 2  # the district's two, of every ministry
    assert "ពីក្រសួង៖ សូមជ្រើសរើសជម្រើសដែលត្រឹមត្រូវ។" in body
    context, body = tracker(client, demo["director"], level="galaxy", stage="nowhere")
    assert context["totals"]["functions"] == 3
    assert "ទៅថ្នាក់៖ សូមជ្រើសរើសជម្រើសដែលត្រឹមត្រូវ។ galaxy" in body
    assert body.count('role="alert"') == 1 and body.count("<li>ដំណាក់កាល៖") == 1
    context, body = tracker(client, demo["director"], level="district")
    assert 'role="alert"' not in body


def test_the_report_as_xlsx(demo, client, signed):
    client.force_login(demo["dg"])
    response = client.get(reverse("oversight:transfers"), {"export": "xlsx", "level": "district"})
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[0][:4] == ("ល.រ", "មុខងារដែលផ្ទេរ", "ពីក្រសួង", "ទៅថ្នាក់")
    assert [row[1] for row in rows[1:-1]] == [FUNCTIONS[0][0], FUNCTIONS[1][0]]
    assert rows[-1][1] == "សរុប" and rows[-1][4] == 135 and rows[-1][5] == 1_090_000_000


def test_the_tracker_costs_the_same_queries_at_10_and_100_instruments(demo, client, signed):
    def count():
        client.force_login(demo["director"])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("oversight:transfers")).status_code == 200
        return len(captured)

    copy_journey(signed, 9, first=1)
    few = count()
    copy_journey(signed, 90, first=10)
    assert count() == few
