"""The instrument as DOCX in the official layout: what Word shows (heading styles in the
navigation pane, the text in order, the annex table, the page number, the draft marker),
the Khmer fonts on every run, the English layout, who may download it, and the command."""

from datetime import date
from io import BytesIO

import docx
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from documents import services
from documents.models import Instrument, InstrumentType, ScheduleRow, Version
from documents.views import SCHEDULE_COLUMNS
from khmer.lunar import lunar_date
from organisations.models import Organisation


@pytest.fixture
def drafter(demo):
    return demo["drafter"]


@pytest.fixture
def instrument(drafter):
    return services.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="ការផ្ទេរមុខងារគ្រប់គ្រងមណ្ឌលសុខភាព",
        title_en="the transfer of the management of health centres",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )


@pytest.fixture
def text(instrument, drafter):
    """A preamble line; chapter 1 with a section holding two articles (the second with two
    paragraphs); chapter 2 with one article; an annex; two schedule rows."""
    add = services.provision_add

    def provision(kind, parent=None, **texts):
        return add(instrument=instrument, user=drafter, kind=kind, parent=parent, **texts)

    provision("preamble_item", text_km="បានឃើញរដ្ឋធម្មនុញ្ញនៃព្រះរាជាណាចក្រកម្ពុជា")
    ch1 = provision("chapter", heading_km="បទប្បញ្ញត្តិទូទៅ", heading_en="General provisions")
    s1 = provision("section", ch1, heading_km="គោលបំណង", heading_en="Purpose")
    provision("article", s1, text_km="អនុក្រឹត្យនេះមានគោលបំណងផ្ទេរមុខងារ។", text_en="Purpose.")
    a2 = provision("article", s1, heading_km="វិសាលភាព")
    provision("paragraph", a2, text_km="កថាខណ្ឌទីមួយ។")
    provision("paragraph", a2, text_km="កថាខណ្ឌទីពីរ។")
    ch2 = provision("chapter", heading_km="អវសានបញ្ញត្តិ")
    provision("article", ch2, text_km="អនុក្រឹត្យនេះមានអានុភាពចាប់ពីថ្ងៃចុះហត្ថលេខា។")
    provision("annex", heading_km="តារាងផ្ទេរមុខងារ")
    for n, function in enumerate(["គ្រប់គ្រងមណ្ឌលសុខភាព", "ថែទាំផ្លូវជនបទ"]):
        services.schedule_row_add(
            instrument=instrument,
            user=drafter,
            function_km=function,
            from_ministry=Organisation.objects.get(code="moh"),
            level=ScheduleRow.Level.DISTRICT,
            staff_count=4 + n,
            budget_riel=120_000_000,
            effective_date=date(2027, 1, 1),
        )
    return instrument


def export_url(instrument, version="draft", **query):
    address = reverse("documents:export_docx", args=[instrument.pk, version])
    return address + ("?language=en" if query.get("english") else "")


def download(client, user, instrument, version="draft", english=False):
    client.force_login(user)
    response = client.get(export_url(instrument, version, english=english))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return docx.Document(BytesIO(response.content))


def sign(instrument, user) -> Version:
    """A version as the sign-off freezes it."""
    return services.version_freeze(
        instrument=instrument, user=user, label="Signed", reason=Version.Reason.SIGNED
    )


def headings(document) -> list[tuple[str, str]]:
    return [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]


def header_text(document) -> str:
    return "\n".join(p.text for p in document.sections[0].header.paragraphs)


# --- The layout -----------------------------------------------------------------------------


def test_chapters_sections_and_articles_are_word_headings_with_their_computed_labels(
    client, demo, text
):
    document = download(client, demo["drafter"], text)
    assert headings(document) == [
        ("Heading 1", "ជំពូកទី១\nបទប្បញ្ញត្តិទូទៅ"),
        ("Heading 2", "ផ្នែកទី១\nគោលបំណង"),
        ("Heading 3", "មាត្រា ១.-"),
        ("Heading 3", "មាត្រា ២.- វិសាលភាព"),
        ("Heading 1", "ជំពូកទី២\nអវសានបញ្ញត្តិ"),
        ("Heading 3", "មាត្រា ៣.-"),
        ("Heading 1", "ឧបសម្ព័ន្ធទី១\nតារាងផ្ទេរមុខងារ"),
    ]
    # Word's navigation pane lists the paragraphs whose style has an outline level.
    for level in (1, 2, 3):
        style = document.styles[f"Heading {level}"].element
        assert style.find(qn("w:pPr")).find(qn("w:outlineLvl")).get(qn("w:val")) == str(level - 1)


def test_the_official_parts_stand_in_order_and_every_provision_text_follows(client, demo, text):
    document = download(client, demo["drafter"], text)
    lines = [p.text for p in document.paragraphs if p.text]
    today = date.today()
    expected = [
        "ព្រះរាជាណាចក្រកម្ពុជា",
        "ជាតិ សាសនា ព្រះមហាក្សត្រ",
        "រាជរដ្ឋាភិបាល",  # the type's issuing authority
        "លេខ ……………",  # no reference number before registration
        "អនុក្រឹត្យ",
        "ស្ដីពី",
        "ការផ្ទេរមុខងារគ្រប់គ្រងមណ្ឌលសុខភាព",
        "បានឃើញរដ្ឋធម្មនុញ្ញនៃព្រះរាជាណាចក្រកម្ពុជា",
        "សម្រេច",
        "ជំពូកទី១\nបទប្បញ្ញត្តិទូទៅ",
        "ផ្នែកទី១\nគោលបំណង",
        "មាត្រា ១.-",
        "អនុក្រឹត្យនេះមានគោលបំណងផ្ទេរមុខងារ។",
        "មាត្រា ២.- វិសាលភាព",
        "កថាខណ្ឌទីមួយ។",
        "កថាខណ្ឌទីពីរ។",
        "ជំពូកទី២\nអវសានបញ្ញត្តិ",
        "មាត្រា ៣.-",
        "អនុក្រឹត្យនេះមានអានុភាពចាប់ពីថ្ងៃចុះហត្ថលេខា។",
        lunar_date(today).khmer(),
        "ធ្វើនៅរាជធានីភ្នំពេញ " + _khmer_long_date(today),
        "នាយករដ្ឋមន្ត្រី",  # the type's usual signer
        "ឧបសម្ព័ន្ធទី១\nតារាងផ្ទេរមុខងារ",
    ]
    assert lines == expected
    # The national heading, the title word and the subject are in Muol Light.
    official = {p.text: p for p in document.paragraphs if p.text in expected[:7]}
    for line in ("ព្រះរាជាណាចក្រកម្ពុជា", "អនុក្រឹត្យ", "ស្ដីពី", expected[6]):
        fonts = official[line].runs[0]._r.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts.get(qn("w:cs")) == "Khmer OS Muol Light", line


def _khmer_long_date(day: date) -> str:
    from khmer.formats import format_date

    return format_date(day, "km")


def test_the_transfer_schedule_is_the_annex_table(client, demo, text):
    document = download(client, demo["drafter"], text)
    (table,) = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    with translation.override("km"):  # headed as the schedule page is
        assert rows[0] == [str(name) for _field, name in SCHEDULE_COLUMNS]
    assert len(rows) == 3
    assert [row[0] for row in rows[1:]] == ["គ្រប់គ្រងមណ្ឌលសុខភាព", "ថែទាំផ្លូវជនបទ"]
    assert [row[4] for row in rows[1:]] == ["៤", "៥"]  # staff, in Khmer digits
    assert rows[1][7] == "០១/០១/២០២៧"
    # The heading row repeats on every page.
    assert table.rows[0]._tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None


def test_every_run_names_the_khmer_font_size_and_language_for_complex_scripts(client, demo, text):
    document = download(client, demo["drafter"], text)
    runs = [run for p in document.paragraphs for run in p.runs]
    runs += [run for t in document.tables for c in t._cells for p in c.paragraphs for run in p.runs]
    assert len(runs) > 20
    for run in runs:
        properties = run._r.find(qn("w:rPr"))
        assert properties.find(qn("w:rFonts")).get(qn("w:cs")) in {
            "Noto Serif Khmer",
            "Khmer OS Muol Light",
        }
        assert properties.find(qn("w:szCs")) is not None
        assert properties.find(qn("w:lang")).get(qn("w:bidi")) == "km-KH"
    bold = [r for r in runs if r._r.find(qn("w:rPr")).find(qn("w:b")) is not None]
    assert bold and all(r._r.find(qn("w:rPr")).find(qn("w:bCs")) is not None for r in bold)


def test_portrait_a4_with_the_page_number_field_in_the_footer(client, demo, text):
    document = download(client, demo["drafter"], text)
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    footer = section.footer._element
    assert [t.text.strip() for t in footer.iter(qn("w:instrText"))] == ["PAGE"]


def test_a_text_not_signed_says_draft_its_version_and_date_in_the_header(
    client, demo, text, drafter
):
    version = services.version_create(instrument=text, user=drafter, label="ពង្រាង")
    document = download(client, demo["drafter"], text, version.pk)
    assert header_text(document).startswith("សេចក្ដីព្រាង · កំណែទី១ · ថ្ងៃទី")
    draft = download(client, demo["drafter"], text)
    assert header_text(draft).startswith("សេចក្ដីព្រាង · សេចក្ដីព្រាងកំពុងសរសេរ")


def test_the_signed_version_has_no_draft_marker_and_names_its_signer(client, demo, text):
    Instrument.objects.filter(pk=text.pk).update(
        reference_number="លេខ ១២ អនក.បក", registered_on=date(2026, 11, 18)
    )
    signed = sign(text, demo["dg"])
    document = download(client, demo["drafter"], text, signed.pk)
    assert "សេចក្ដីព្រាង" not in header_text(document)
    lines = [p.text for p in document.paragraphs]
    assert "លេខ ១២ អនក.បក" in lines
    assert demo["dg"].get_full_name() in lines
    # The registration date, with its lunar day (the 18th of November 2026).
    assert "ធ្វើនៅរាជធានីភ្នំពេញ ថ្ងៃទី១៨ ខែវិច្ឆិកា ឆ្នាំ២០២៦" in lines
    assert lunar_date(date(2026, 11, 18)).khmer() in lines


def test_the_layout_words_are_the_types_data(client, demo, text):
    kind = text.instrument_type
    kind.title_word_km, kind.deciding_word_km = "", "ប្រកាស"
    kind.issuing_authority_km, kind.date_position = "ក្រសួងមហាផ្ទៃ", "top"
    kind.save()
    lines = [p.text for p in download(client, demo["drafter"], text).paragraphs if p.text]
    assert lines[2:4] == ["ក្រសួងមហាផ្ទៃ", "លេខ ……………"]
    assert lines[4] == lunar_date(date.today()).khmer()  # the dates at the top
    assert lines[6] == kind.name_km  # blank title word: the type's name
    assert "ប្រកាស" in lines and "សម្រេច" not in lines


def test_the_english_layout_writes_the_english_text_and_the_khmer_where_there_is_none(
    client, demo, text
):
    document = download(client, demo["drafter"], text, english=True)
    lines = [p.text for p in document.paragraphs if p.text]
    assert lines[:2] == ["Kingdom of Cambodia", "Nation Religion King"]
    assert "Sub-decree" in lines and "the transfer of the management of health centres" in lines
    assert "Chapter 1\nGeneral provisions" in lines
    assert "Article 1.-" in lines and "Purpose." in lines
    assert "កថាខណ្ឌទីមួយ។" in lines  # no English text: the Khmer stays
    assert "Draft · working draft · " in header_text(document)
    lang = document.paragraphs[0].runs[0]._r.find(qn("w:rPr")).find(qn("w:lang"))
    assert (lang.get(qn("w:val")), lang.get(qn("w:bidi"))) == ("en-GB", "km-KH")


# --- Who may download it ----------------------------------------------------------------


@pytest.mark.parametrize("username", ["reviewer-mef", "head-moh"])
def test_outsiders_get_neither_the_working_draft_nor_a_version(
    client, demo, text, drafter, username
):
    """The Instruments application refuses them as a whole (403), as every page of it; a
    ministry's reviewer gets the version sent to them from the process, not here."""
    version = services.version_create(instrument=text, user=drafter, label="v")
    client.force_login(demo[username])
    for address in (export_url(text), export_url(text, version.pk), export_url(text, 999999)):
        response = client.get(address)
        assert response.status_code == 403, address
        assert not response["Content-Type"].startswith("application/vnd")


def test_signed_out_visitors_are_sent_to_sign_in(client, text):
    response = client.get(export_url(text))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_version_of_another_instrument_is_not_found(client, demo, text, drafter, instrument):
    other = services.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="prakas"),
        title_km="ប្រកាសមួយទៀត",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    version = services.version_create(instrument=other, user=drafter, label="v")
    client.force_login(demo["director"])
    assert client.get(export_url(text, version.pk)).status_code == 404
    assert client.get(export_url(other, version.pk)).status_code == 200
    assert client.get(export_url(text, "latest")).status_code == 404


def test_the_department_finds_the_downloads_on_the_editor_and_versions_pages(
    client, demo, text, drafter
):
    version = services.version_create(instrument=text, user=drafter, label="v")
    client.force_login(demo["legal"])
    editor = client.get(reverse("documents:instrument", args=[text.pk])).content.decode()
    assert export_url(text) in editor
    versions = client.get(reverse("documents:versions", args=[text.pk])).content.decode()
    assert export_url(text, version.pk) in versions
    assert client.get(export_url(text, version.pk)).status_code == 200


def test_the_queries_do_not_grow_with_the_text(client, demo, drafter):
    def queries_for(articles: int) -> int:
        instrument = services.instrument_create(
            user=drafter,
            instrument_type=InstrumentType.objects.get(code="sub-decree"),
            title_km=f"អត្ថបទ {articles}",
            owning_office=Organisation.objects.get(code="dfr-fr"),
        )
        chapter = services.provision_add(instrument=instrument, user=drafter, kind="chapter")
        for n in range(articles):
            services.provision_add(
                instrument=instrument, user=drafter, kind="article", parent=chapter, text_km=f"{n}"
            )
        version = services.version_create(instrument=instrument, user=drafter, label="v")
        client.force_login(demo["director"])
        counts = []
        for key in ("draft", version.pk):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(export_url(instrument, key)).status_code == 200
            counts.append(len(queries))
        return counts

    assert queries_for(10) == queries_for(100)


# --- The command --------------------------------------------------------------------------


def test_the_command_writes_a_version_that_word_opens(tmp_path, demo, text, drafter):
    services.version_create(instrument=text, user=drafter, label="v")
    target = tmp_path / "v1.docx"
    call_command(
        "instrument_export", str(text.pk), "--version", "1", "--format", "docx", "-o", target
    )
    document = docx.Document(target)
    assert "មាត្រា ៣.-" in [p.text for p in document.paragraphs]
    assert header_text(document).startswith("សេចក្ដីព្រាង · កំណែទី១")
    call_command("instrument_export", str(text.pk), "-o", tmp_path / "draft.docx")
    assert docx.Document(tmp_path / "draft.docx").tables


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--format", "odt"], "only docx, pdf"),
        (["--version", "9"], "has no version 9"),
        (["--version", "one"], "give a version's number"),
    ],
)
def test_the_command_refuses_what_it_cannot_write(tmp_path, text, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("instrument_export", str(text.pk), *arguments, "-o", tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_the_administrator_edits_the_layout_of_a_type_in_the_admin(client, demo):
    kind = InstrumentType.objects.get(code="prakas")
    client.force_login(demo["admin"])
    page = client.get(reverse("admin:documents_instrumenttype_change", args=[kind.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for field in ("title_word_km", "deciding_word_en", "issuing_authority_km", "date_position"):
        assert f'name="{field}"' in html, field
