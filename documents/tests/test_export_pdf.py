"""The instrument as PDF in the official layout: its text read back in order with the Khmer
characters it was typed with (``pdftotext``), the lunar line, the page numbers in Khmer
digits, the draft watermark or, once signed, the hash and the verification link; the
English layout; who may download it; and the command. One small instrument, each PDF
printed once for the module."""

import subprocess
import unicodedata
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents import export_pdf, official, services
from documents.models import Instrument, InstrumentType, Provision, ScheduleRow, Version
from khmer.formats import format_date, khmer_digits
from khmer.lunar import lunar_date
from organisations.models import Organisation

ZWSP = "\u200b"
SUBJECT = "ការផ្ទេរមុខងារគ្រប់គ្រងមណ្ឌលសុខភាព"
ARTICLE = "អនុក្រឹត្យនេះមានគោលបំណងផ្ទេរមុខងារគ្រប់គ្រងមណ្ឌលសុខភាពទៅឱ្យរដ្ឋបាលស្រុក។"
LAST_ARTICLE = "អនុក្រឹត្យនេះមានអានុភាពចាប់ពីថ្ងៃចុះហត្ថលេខា។"


def flat(text: str) -> str:
    """The text as it reads, whatever the lines it was wrapped on: NFC, without U+200B and
    white space."""
    return "".join(unicodedata.normalize("NFC", text).replace(ZWSP, "").split())


def pdf_text(content: bytes) -> str:
    """The PDF's text in reading order, as pdftotext gives it (pages split by form feeds)."""
    finished = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return finished.stdout.decode()


def make_text(drafter, *, articles: int = 3) -> Instrument:
    """A preamble line, a chapter of ``articles`` articles (the first in English too), a
    second chapter with one article, an annex and a schedule row."""
    instrument = services.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km=SUBJECT,
        title_en="the transfer of the management of health centres",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )

    def add(kind, parent=None, **texts):
        return services.provision_add(
            instrument=instrument, user=drafter, kind=kind, parent=parent, **texts
        )

    add("preamble_item", text_km="បានឃើញរដ្ឋធម្មនុញ្ញនៃព្រះរាជាណាចក្រកម្ពុជា")
    chapter = add("chapter", heading_km="បទប្បញ្ញត្តិទូទៅ", heading_en="General provisions")
    add("article", chapter, text_km=ARTICLE, text_en="This sub-decree transfers the function.")
    Provision.objects.bulk_create(
        Provision(
            instrument=instrument,
            parent=chapter,
            kind=Provision.Kind.ARTICLE,
            position=n,
            text_km=f"មាត្រានេះកំណត់ការផ្ទេរមុខងារទី{n}។",
        )
        for n in range(2, articles + 1)
    )
    final = add("chapter", heading_km="អវសានបញ្ញត្តិ")
    add("article", final, text_km=LAST_ARTICLE)
    add("annex", heading_km="តារាងផ្ទេរមុខងារ")
    services.schedule_row_add(
        instrument=instrument,
        user=drafter,
        function_km="ថែទាំផ្លូវជនបទ",
        from_ministry=Organisation.objects.get(code="moh"),
        level=ScheduleRow.Level.DISTRICT,
        staff_count=4,
        budget_riel=120_000_000,
        effective_date=date(2027, 1, 1),
    )
    instrument.refresh_from_db()
    return instrument


@pytest.fixture(scope="module")
def printed(django_db_setup, django_db_blocker):
    """The working draft in Khmer and in English, and a signed version, each printed once;
    the data rolled back after."""
    from documents.demo import instrument_types_seed
    from organisations.demo import organisations_seed, users_seed
    from organisations.models import User

    with django_db_blocker.unblock(), transaction.atomic():
        users_seed(organisations=organisations_seed())
        instrument_types_seed()
        drafter = User.objects.get(username="drafter")
        instrument = make_text(drafter)
        Instrument.objects.filter(pk=instrument.pk).update(
            recipients_km="ក្រសួងមហាផ្ទៃ\nឯកសារ-កាលប្បវត្តិ"
        )
        instrument.refresh_from_db()
        draft = official.export_of(instrument=instrument, version=None)
        signed_version = services.version_freeze(
            instrument=instrument,
            user=User.objects.get(username="dg"),
            label="Signed",
            reason=Version.Reason.SIGNED,
        )
        signed = official.export_of(instrument=instrument, version=signed_version)
        result = {
            "today": timezone.localdate(),
            "draft": export_pdf.instrument_pdf(draft),
            "english": export_pdf.instrument_pdf(draft, language="en"),
            "signed": export_pdf.instrument_pdf(signed),
            "sha256": signed_version.sha256,
        }
        transaction.set_rollback(True)
    for name in ("draft", "english", "signed"):
        result[f"{name}_text"] = pdf_text(result[name])
    return result


@pytest.mark.parametrize("name", ["draft", "signed"])
@pytest.mark.browser
@pytest.mark.poppler
def test_the_khmer_text_reads_back_in_order_with_its_own_characters(printed, name):
    text = flat(printed[f"{name}_text"])
    parts = [
        "ព្រះរាជាណាចក្រកម្ពុជា",
        "ជាតិសាសនាព្រះមហាក្សត្រ",
        "រាជរដ្ឋាភិបាល",  # the type's issuing authority
        "អនុក្រឹត្យ",
        "ស្ដីពី",
        SUBJECT,
        "បានឃើញរដ្ឋធម្មនុញ្ញនៃព្រះរាជាណាចក្រកម្ពុជា",
        "សម្រេច",
        "ជំពូកទី១",
        "មាត្រា១.",  # ".-": pdftotext takes the hyphen ending the line for a word's and drops it
        ARTICLE,
        "ជំពូកទី២",
        "មាត្រា៤.",
        LAST_ARTICLE,
        "នាយករដ្ឋមន្ត្រី",  # the type's usual signer
        "ឧបសម្ព័ន្ធទី១",
        "ថែទាំផ្លូវជនបទ",
        "១២០.០០០.០០០",
    ]
    positions = [text.find(flat(part)) for part in parts]
    assert -1 not in positions, [p for p, at in zip(parts, positions, strict=True) if at < 0]
    assert positions == sorted(positions)


@pytest.mark.browser
@pytest.mark.poppler
def test_the_lunar_and_the_place_and_date_lines(printed):
    day = printed["today"]
    text = flat(printed["draft_text"])
    assert flat(lunar_date(day).khmer()) in text
    assert flat(f"ធ្វើនៅរាជធានីភ្នំពេញ {format_date(day, 'km')}") in text


@pytest.mark.browser
@pytest.mark.poppler
def test_every_page_is_numbered_in_khmer_digits(printed):
    pages = printed["draft_text"].split("\f")[:-1]
    assert len(pages) >= 2  # the annex stands on a page of its own
    for number, page in enumerate(pages, 1):
        assert khmer_digits(number) in page.split()
        assert str(number) not in page.split()


@pytest.mark.browser
@pytest.mark.poppler
def test_a_draft_carries_the_watermark_on_every_page_and_the_signed_text_does_not(printed):
    day = format_date(printed["today"], "km")
    for page in printed["draft_text"].split("\f")[:-1]:
        assert flat(page).startswith(flat(f"សេចក្ដីព្រាង · សេចក្ដីព្រាងកំពុងសរសេរ · {day}"))
    assert flat("សេចក្ដីព្រាង") not in flat(printed["signed_text"])


@pytest.mark.browser
@pytest.mark.poppler
def test_the_signed_text_carries_its_hash_and_links_to_its_verification_page(printed, settings):
    url = f"{settings.SITE_URL}/verify/{printed['sha256']}/"
    assert printed["sha256"] in flat(printed["signed_text"])
    assert url in flat(printed["signed_text"])
    # The QR code and the address are links: the PDF's link annotations open the page.
    assert printed["signed"].count(f"/URI ({url})".encode()) == 2
    assert b"/URI" not in printed["draft"]


def test_the_qr_code_holds_the_absolute_verification_address(monkeypatch, settings):
    settings.SITE_URL = "https://lekhit.example.gov.kh"
    made = []
    monkeypatch.setattr(export_pdf.segno, "make", lambda url, **kw: made.append(url) or _Qr())
    export_pdf.qr_svg(export_pdf.verify_url("ab" * 32))
    assert made == [f"https://lekhit.example.gov.kh/verify/{'ab' * 32}/"]


class _Qr:
    def svg_inline(self, **kwargs):
        return "<svg></svg>"


@pytest.mark.browser
@pytest.mark.poppler
def test_the_english_layout_writes_the_english_text_and_the_khmer_where_there_is_none(printed):
    text = flat(printed["english_text"])
    for part in [
        "Kingdom of Cambodia",
        "Nation Religion King",
        "the transfer of the management of health centres",
        "General provisions",
        "Article 1.",
        "This sub-decree transfers the function.",
        LAST_ARTICLE,  # no English text: the Khmer
    ]:
        assert flat(part) in text, part
    first_page = printed["english_text"].split("\f")[0]
    assert "1" in first_page.split()


# --- Downloads: who may have it (the printing itself replaced: these are about rights) ---


@pytest.fixture
def fake_print(monkeypatch):
    printed_html = []

    def html_to_pdf(html):
        printed_html.append(html)
        return b"%PDF-1.4 fake"

    monkeypatch.setattr(export_pdf, "html_to_pdf", html_to_pdf)
    return printed_html


@pytest.fixture
def text(demo):
    return make_text(demo["drafter"])


def pdf_url(instrument, version="draft"):
    return reverse("documents:export_pdf", args=[instrument.pk, version])


def test_the_department_downloads_the_working_draft_and_any_version(client, demo, text, fake_print):
    version = services.version_create(instrument=text, user=demo["drafter"], label="v")
    client.force_login(demo["director"])
    for address in (pdf_url(text), pdf_url(text, version.pk), pdf_url(text) + "?language=en"):
        response = client.get(address)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert response.content == b"%PDF-1.4 fake"
    assert 'lang="en"' in fake_print[-1]


def test_outsiders_get_neither_the_working_draft_nor_a_version(client, demo, text, fake_print):
    """The Instruments application refuses a ministry's reviewer as a whole (403), as for
    the DOCX; they get the version sent to them from the process (workflows' test)."""
    version = services.version_create(instrument=text, user=demo["drafter"], label="v")
    client.force_login(demo["reviewer-mef"])
    for address in (pdf_url(text), pdf_url(text, version.pk)):
        response = client.get(address)
        assert response.status_code == 403
        assert response["Content-Type"] != "application/pdf"
    assert fake_print == []


def test_signed_out_visitors_are_sent_to_sign_in(client, text, fake_print):
    response = client.get(pdf_url(text))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_version_of_another_instrument_or_no_version_is_not_found(client, demo, text, fake_print):
    other = make_text(demo["drafter"], articles=1)
    version = services.version_create(instrument=other, user=demo["drafter"], label="v")
    client.force_login(demo["drafter"])
    assert client.get(pdf_url(text, version.pk)).status_code == 404
    assert client.get(pdf_url(text, "99999999")).status_code == 404
    assert client.get(pdf_url(text, "latest")).status_code == 404


def test_the_editor_and_the_versions_page_link_the_pdf(client, demo, text):
    version = services.version_create(instrument=text, user=demo["drafter"], label="v")
    client.force_login(demo["drafter"])
    editor = client.get(reverse("documents:instrument", args=[text.pk])).content.decode()
    assert pdf_url(text) in editor
    versions = client.get(reverse("documents:versions", args=[text.pk])).content.decode()
    assert pdf_url(text, version.pk) in versions


def test_the_queries_do_not_grow_with_the_text(client, demo, fake_print):
    client.force_login(demo["drafter"])
    counts = []
    for articles in (10, 100):
        instrument = make_text(demo["drafter"], articles=articles)
        client.get(pdf_url(instrument))  # the session and the user, read once
        with CaptureQueriesContext(connection) as queries:
            assert client.get(pdf_url(instrument)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert flat("មាត្រា១០០.-") in flat(fake_print[-1])


def test_the_command_writes_the_pdf(tmp_path, demo, text, fake_print):
    call_command("instrument_export", str(text.pk), "--format", "pdf", "-o", tmp_path / "d.pdf")
    assert (tmp_path / "d.pdf").read_bytes() == b"%PDF-1.4 fake"
    assert SUBJECT in flat(fake_print[0])


@pytest.mark.parametrize("name", ["draft", "english"])
@pytest.mark.browser
@pytest.mark.poppler
def test_every_font_is_ours_and_embedded(printed, name):
    """The reader's machine need not have our fonts: each one is in the file, and they are the
    faces the app serves (Noto Serif Khmer for the text, Khmer OS Muol Light for headings)."""
    listed = subprocess.run(
        ["pdffonts", "-"], input=printed[name], capture_output=True, check=True
    ).stdout.decode()
    fonts = [line.split() for line in listed.splitlines()[2:] if line.strip()]
    assert fonts, listed
    names = " ".join(font[0] for font in fonts)
    assert "NotoSerifKhmer" in names, listed
    if name == "draft":  # the Khmer layout's headings (the English one sets them in serif)
        assert "KhmerOSMuolLight" in names.replace(" ", ""), listed
    # pdffonts' last five columns: emb, sub, uni, object, id.
    assert all(font[-5] == "yes" for font in fonts), listed


@pytest.mark.browser
@pytest.mark.poppler
def test_the_recipients_are_listed_under_the_signer(printed):
    text = flat(printed["draft_text"])
    assert flat("កន្លែងទទួល ៖ - ក្រសួងមហាផ្ទៃ - ឯកសារ-កាលប្បវត្តិ") in text
    assert text.index(flat("កន្លែងទទួល")) > text.index(flat("ធ្វើនៅរាជធានីភ្នំពេញ"))
