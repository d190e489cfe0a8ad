"""The "Import from Word" pages and command: upload → preview (nothing written) → confirm;
who may; what a bad, a too large or a tampered request gets; the queries of the confirm
step whatever the length of the text."""

from io import BytesIO, StringIO

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.forms_import import sign
from documents.models import Instrument, InstrumentType, Provision, ScheduleRow
from organisations.models import Organisation

IMPORT, CONFIRM = "documents:import", "documents:import_confirm"


def draft(articles=2, *extra):
    document = docx.Document()
    for line in ("អនុក្រឹត្យ", "ស្ដីពី", "ការផ្ទេរមុខងារ", "បានឃើញរដ្ឋធម្មនុញ្ញ", "ជំពូកទី១"):
        document.add_paragraph(line)
    document.add_paragraph("បទប្បញ្ញត្តិទូទៅ")
    for n in range(1, articles + 1):
        document.add_paragraph(f"មាត្រា {n}.-")
        document.add_paragraph(f"អត្ថបទនៃមាត្រា {n}។")
    for line in extra:
        document.add_paragraph(line)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload_data(data, **fields):
    return {
        "instrument_type": InstrumentType.objects.get(code="sub-decree").pk,
        "owning_office": Organisation.objects.get(code="dfr-fr").pk,
        "file": SimpleUploadedFile("draft.docx", data),
        **fields,
    }


@pytest.fixture
def drafter_client(client, demo):
    client.force_login(demo["drafter"])
    return client


def preview(client, data, **fields):
    return client.post(reverse(IMPORT), upload_data(data, **fields))


def payload_of(response):
    return response.context["confirm"].initial["payload"]


# --- Rights -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["reviewer-mef", "chief"])
def test_only_those_who_may_create_instruments_reach_the_pages(client, demo, username):
    client.force_login(demo["drafter"])
    payload = payload_of(preview(client, draft()))
    client.force_login(demo[username])
    assert client.get(reverse(IMPORT)).status_code == 403
    assert client.post(reverse(IMPORT), upload_data(draft())).status_code == 403
    assert client.post(reverse(CONFIRM), {"payload": payload}).status_code == 403
    assert not Instrument.objects.exists()


def test_the_drafter_sees_the_page_and_the_links_to_it(drafter_client):
    assert drafter_client.get(reverse(IMPORT)).status_code == 200
    for page in ("documents:index", "documents:create"):
        assert reverse(IMPORT) in drafter_client.get(reverse(page)).content.decode()


def test_the_upload_is_csrf_protected_though_its_handler_is_set_first(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo["drafter"])
    assert client.post(reverse(IMPORT), upload_data(draft())).status_code == 403


# --- Upload, preview, confirm -------------------------------------------------------------


def test_the_preview_shows_the_structure_and_unplaced_lines_and_creates_nothing(
    drafter_client,
):
    # a line under a chapter, before its first article: nowhere to go
    response = preview(drafter_client, draft(2, "ជំពូក២", "គោលបំណង", "<b>អក្សរគ្មានកន្លែង</b>"))
    body = response.content.decode().replace("\u200b", "")
    assert response.status_code == 200
    assert "ការផ្ទេរមុខងារ" in body
    assert "ជំពូកទី១" in body and "មាត្រា ២" in body  # computed labels, Khmer digits
    assert "ជំពូកទី២" in body
    assert "&lt;b&gt;អក្សរគ្មានកន្លែង&lt;/b&gt;" in body  # listed, escaped
    assert "<b>អក្សរគ្មានកន្លែង" not in body
    assert response.context["unplaced"] == ["<b>អក្សរគ្មានកន្លែង</b>"]
    assert not Instrument.objects.exists()


def test_confirming_creates_the_instrument_the_preview_showed(drafter_client, demo):
    response = preview(drafter_client, draft(3), title_en="Transfer of functions")
    response = drafter_client.post(reverse(CONFIRM), {"payload": payload_of(response)})
    instrument = Instrument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:instrument", args=[instrument.pk])
    assert (instrument.title_km, instrument.title_en) == ("ការផ្ទេរមុខងារ", "Transfer of functions")
    assert instrument.lead_drafter == demo["drafter"]
    assert instrument.owning_office.code == "dfr-fr"
    kinds = list(Provision.objects.filter(instrument=instrument).values_list("kind", flat=True))
    assert sorted(kinds) == sorted(["preamble_item", "chapter"] + ["article"] * 3)


def test_a_title_typed_on_the_form_wins_and_a_file_without_one_needs_it(drafter_client):
    document = docx.Document()
    document.add_paragraph("មាត្រា ១")
    buffer = BytesIO()
    document.save(buffer)
    response = preview(drafter_client, buffer.getvalue())
    assert response.context["confirm"] is None
    assert response.context["problems"]
    response = preview(drafter_client, buffer.getvalue(), title_km="ចំណងជើងវាយ")
    drafter_client.post(reverse(CONFIRM), {"payload": payload_of(response)})
    assert Instrument.objects.get().title_km == "ចំណងជើងវាយ"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"not a word document", "មិនមែនជាឯកសារ Word"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "ពាក្យសម្ងាត់"),
        (b"PK\x03\x04 broken", "ខូច"),
    ],
)
def test_a_bad_file_gets_its_message_in_khmer_on_the_form_and_nothing_is_created(
    drafter_client, data, says
):
    response = preview(drafter_client, data)
    assert response.status_code == 200
    assert says in " ".join(response.context["form"].errors["file"])
    assert not Instrument.objects.exists()


def test_a_file_over_the_limit_is_refused_and_not_kept_past_it(drafter_client, settings):
    from documents import views_import

    kept = []
    real = views_import.SizeLimit.receive_data_chunk

    def spy(self, raw_data, start):
        passed = real(self, raw_data, start)
        kept.append(len(passed or b""))
        return passed

    views_import.SizeLimit.receive_data_chunk = spy
    try:
        response = preview(drafter_client, b"PK\x03\x04" + b"\0" * (21 << 20))
    finally:
        views_import.SizeLimit.receive_data_chunk = real
    assert "ឯកសារធំពេក៖ យ៉ាងច្រើន ២០ មេកាបៃ" in " ".join(response.context["form"].errors["file"])
    assert sum(kept) <= 20 << 20
    assert not Instrument.objects.exists()


def test_a_changed_payload_or_another_persons_is_refused(drafter_client, demo):
    payload = payload_of(preview(drafter_client, draft()))
    tampered = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    response = drafter_client.post(reverse(CONFIRM), {"payload": tampered}, follow=True)
    assert "មិនអាចប្រើការមើលជាមុននេះបានទេ" in response.content.decode()
    someone_else = sign({"user": demo["chief"].pk, "structure": {}})
    drafter_client.post(reverse(CONFIRM), {"payload": someone_else})
    assert not Instrument.objects.exists()


def test_an_office_the_drafter_may_not_choose_is_refused_at_confirmation(drafter_client, demo):
    structure = {
        "title": "ចំណងជើង",
        "provisions": [],
        "schedule": [],
        "skipped": [],
        "unplaced": [],
    }
    payload = sign(
        {
            "user": demo["drafter"].pk,
            "instrument_type": InstrumentType.objects.get(code="prakas").pk,
            "owning_office": Organisation.objects.get(code="moh").pk,
            "structure": structure,
        }
    )
    drafter_client.post(reverse(CONFIRM), {"payload": payload})
    assert not Instrument.objects.exists()


def statements(queries) -> int:
    """The queries, a bulk insert counted once however many batches the database cut it
    into (SQLite takes at most 999 parameters a statement: 100 articles need two)."""
    counted = []
    for query in queries.captured_queries:
        sql = query["sql"]
        key = sql.split(" VALUES ")[0] if sql.startswith("INSERT") else sql
        if not (sql.startswith("INSERT") and counted and counted[-1] == key):
            counted.append(key)
    return len(counted)


def test_confirmation_costs_the_same_queries_for_10_and_100_articles(drafter_client):
    counts = []
    for articles in (10, 100):
        payload = payload_of(preview(drafter_client, draft(articles)))
        with CaptureQueriesContext(connection) as queries:
            response = drafter_client.post(reverse(CONFIRM), {"payload": payload})
        assert response.status_code == 302
        counts.append(statements(queries))
    assert counts[0] == counts[1]
    assert Provision.objects.filter(kind="article").count() == 110


def test_the_preview_costs_the_same_queries_for_10_and_100_articles(drafter_client):
    preview(drafter_client, draft(1))  # the session's and caches' first reads, once
    counts = []
    for articles in (10, 100):
        data = upload_data(draft(articles))
        with CaptureQueriesContext(connection) as queries:
            response = drafter_client.post(reverse(IMPORT), data)
        assert len(response.context["outline"]) == articles + 2  # with the preamble, chapter
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- The command ----------------------------------------------------------------------------


def test_the_command_prints_the_structure_on_a_dry_run_and_creates_nothing(demo, tmp_path):
    path = tmp_path / "draft.docx"
    path.write_bytes(draft(2, "ជំពូក២", "គោលបំណង", "បន្ទាត់គ្មានកន្លែង"))
    out = StringIO()
    call_command(
        "instrument_import", str(path), "--type", "sub-decree", "--drafter", "drafter",
        "--dry-run", stdout=out,
    )  # fmt: skip
    printed = out.getvalue()
    assert "Title: ការផ្ទេរមុខងារ" in printed
    assert "មាត្រា ២" in printed and "ជំពូកទី១" in printed
    assert "Not placed: 1\n  បន្ទាត់គ្មានកន្លែង" in printed
    assert not Instrument.objects.exists()


def test_the_command_creates_the_instrument_as_the_drafters(demo, tmp_path):
    path = tmp_path / "draft.docx"
    path.write_bytes(draft(2))
    call_command(
        "instrument_import", str(path), "--type", "sub-decree", "--drafter", "drafter",
        "--office", "dfr-fr", stdout=StringIO(),
    )  # fmt: skip
    instrument = Instrument.objects.get()
    assert instrument.lead_drafter == demo["drafter"]
    assert instrument.provisions.filter(kind="article").count() == 2
    assert not ScheduleRow.objects.exists()


def test_the_command_refuses_a_bad_file_and_a_user_who_may_not_create(demo, tmp_path):
    path = tmp_path / "draft.docx"
    path.write_bytes(b"not a docx")
    with pytest.raises(CommandError, match="not a Word document"):
        call_command("instrument_import", str(path), "--type", "prakas", "--drafter", "drafter")
    path.write_bytes(draft(1))
    with pytest.raises(CommandError, match="Only drafters"):
        call_command(
            "instrument_import", str(path), "--type", "prakas", "--drafter", "chief",
            "--office", "dfr-fr", stdout=StringIO(),
        )  # fmt: skip
    assert not Instrument.objects.exists()
