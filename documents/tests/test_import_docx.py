"""A Word draft read into an instrument's structure (``documents.import_docx``) and created
in one transaction (``documents.imports``): every heading form, Latin and Khmer digits,
tracked changes, heading styles, the schedule table, legacy fonts and bad files refused,
export → import giving the same structure, nothing created on error."""

import zipfile
from datetime import date
from io import BytesIO

import docx
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from documents import export_docx, import_docx, imports, official, selectors, services
from documents.models import Instrument, InstrumentType, Provision, ScheduleRow
from documents.views import SCHEDULE_COLUMNS
from organisations.models import Organisation


@pytest.fixture(autouse=True)
def _english():
    """Messages read in English here; the pages' tests read them in Khmer."""
    with translation.override("en"):
        yield


def build(*lines, tables=(), styles=None):
    """A DOCX with one paragraph per line (a (text, style) pair for a styled one)."""
    document = docx.Document()
    for line in lines:
        text, style = line if isinstance(line, tuple) else (line, None)
        document.add_paragraph(text, style=style)
    for rows in tables:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def read(data):
    return import_docx.read_docx(data)


def kinds(parsed):
    return [(p["kind"], p["heading_km"], p["text_km"]) for p in parsed.provisions]


# --- Headings, labels, digits ---------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    ["ជំពូកទី១", "ជំពូកទី ១", "ជំពូក ១", "ជំពូក១", "ជំពូកទី1", "ជំពូក 12", "ជំពូកទី ១២"],
)
def test_every_form_of_chapter_label_makes_a_chapter_its_number_dropped(label):
    parsed = read(build(f"{label} បទប្បញ្ញត្តិទូទៅ", "មាត្រា ១.- គោលបំណង", "អត្ថបទ។"))
    assert kinds(parsed)[0] == ("chapter", "បទប្បញ្ញត្តិទូទៅ", "")
    assert parsed.provisions[1]["parent"] == 0
    assert parsed.unplaced == []


@pytest.mark.parametrize(
    "label", ["មាត្រា ១.-", "មាត្រា ១ .-", "មាត្រា១៖", "មាត្រា 1", "មាត្រាទី ៣.-", "មាត្រា 15:"]
)
def test_every_form_of_article_label_makes_an_article(label):
    parsed = read(build(f"{label} វិសាលភាព", "អនុក្រឹត្យនេះអនុវត្តចំពោះ។"))
    assert kinds(parsed) == [("article", "វិសាលភាព", "អនុក្រឹត្យនេះអនុវត្តចំពោះ។")]


def test_an_article_label_followed_by_a_sentence_takes_it_as_its_text():
    parsed = read(build("មាត្រា ១.- អនុក្រឹត្យនេះមានគោលបំណងកំណត់នីតិវិធី។"))
    assert kinds(parsed) == [("article", "", "អនុក្រឹត្យនេះមានគោលបំណងកំណត់នីតិវិធី។")]


def test_a_label_alone_on_its_line_takes_the_next_line_as_its_heading():
    parsed = read(
        build(
            "ភាគទី១",
            "បទប្បញ្ញត្តិទូទៅ",
            "ជំពូកទី ២",
            "គោលបំណង",
            "ផ្នែកទី១",
            "វិសាលភាព",
            "មាត្រា ៣",
            "អត្ថបទ។",
        )
    )
    assert kinds(parsed) == [
        ("part", "បទប្បញ្ញត្តិទូទៅ", ""),
        ("chapter", "គោលបំណង", ""),
        ("section", "វិសាលភាព", ""),
        ("article", "", "អត្ថបទ។"),
    ]
    assert [p["parent"] for p in parsed.provisions] == [None, 0, 1, 2]


def test_an_article_of_several_lines_gets_paragraphs_and_labelled_paragraphs_count():
    parsed = read(
        build(
            "មាត្រា ១.-",
            "កថាខណ្ឌទីមួយ។",
            "កថាខណ្ឌទីពីរ។",
            "មាត្រា ២.-",
            "កថាខណ្ឌទី១ អត្ថបទមួយ។",
            "កថាខណ្ឌទី 2 អត្ថបទពីរ។",
        )
    )
    assert kinds(parsed) == [
        ("article", "", ""),
        ("paragraph", "", "កថាខណ្ឌទីមួយ។"),
        ("paragraph", "", "កថាខណ្ឌទីពីរ។"),
        ("article", "", ""),
        ("paragraph", "", "អត្ថបទមួយ។"),
        ("paragraph", "", "អត្ថបទពីរ។"),
    ]
    assert [p["parent"] for p in parsed.provisions] == [None, 0, 0, None, 3, 3]


def test_title_preamble_and_layout_lines_and_unplaced_lines():
    parsed = import_docx.read_docx(
        build(
            "ព្រះរាជាណាចក្រកម្ពុជា",
            "ជាតិ សាសនា ព្រះមហាក្សត្រ",
            "❀❀❀",
            "លេខ ១២ អនក.បក",
            "អនុក្រឹត្យ",
            "ស្ដីពី",
            "ការផ្ទេរមុខងារគ្រប់គ្រងមណ្ឌលសុខភាព",
            "បានឃើញរដ្ឋធម្មនុញ្ញនៃព្រះរាជាណាចក្រកម្ពុជា",
            "បានឃើញព្រះរាជក្រឹត្យលេខ នស/រកត/០៩១៨/៩២៥",
            "តាមសំណើរបស់រដ្ឋមន្ត្រីក្រសួងមហាផ្ទៃ",
            "សម្រេច",
            "ជំពូកទី១ បទប្បញ្ញត្តិទូទៅ",
            "អក្សរដែលគ្មានកន្លែង",
            "មាត្រា ១.-",
            "អត្ថបទ។",
            "ធ្វើនៅរាជធានីភ្នំពេញ ថ្ងៃទី២៥ ខែវិច្ឆិកា ឆ្នាំ២០២៦",
            "នាយករដ្ឋមន្ត្រី",
        ),
        known_words=["អនុក្រឹត្យ"],
    )
    assert parsed.title == "ការផ្ទេរមុខងារគ្រប់គ្រងមណ្ឌលសុខភាព"
    assert [p["kind"] for p in parsed.provisions] == [
        "preamble_item",
        "preamble_item",
        "preamble_item",
        "chapter",
        "article",
    ]
    assert parsed.provisions[4]["text_km"] == "អត្ថបទ។"
    assert parsed.unplaced == ["អក្សរដែលគ្មានកន្លែង"]
    assert "ព្រះរាជាណាចក្រកម្ពុជា" in parsed.skipped
    assert "នាយករដ្ឋមន្ត្រី" in parsed.skipped


def test_a_section_without_a_chapter_is_listed_not_placed():
    parsed = read(build("ផ្នែកទី១ គោលបំណង", "មាត្រា ១", "អត្ថបទ។"))
    assert parsed.unplaced == ["ផ្នែកទី១ គោលបំណង"]
    assert kinds(parsed) == [("article", "", "អត្ថបទ។")]


def test_heading_styles_make_chapters_sections_and_articles_without_labels():
    parsed = read(
        build(
            ("ការផ្ទេរមុខងារ", "Title"),
            ("បទប្បញ្ញត្តិទូទៅ", "Heading 1"),
            ("គោលបំណង", "Heading 2"),
            ("វិសាលភាព", "Heading 3"),
            "អត្ថបទ។",
        )
    )
    assert parsed.title == "ការផ្ទេរមុខងារ"
    assert kinds(parsed) == [
        ("chapter", "បទប្បញ្ញត្តិទូទៅ", ""),
        ("section", "គោលបំណង", ""),
        ("article", "វិសាលភាព", "អត្ថបទ។"),
    ]


def test_tracked_changes_read_as_the_text_after_them():
    document = docx.Document()
    document.add_paragraph("មាត្រា ១.-")
    paragraph = document.add_paragraph("អនុក្រឹត្យនេះ")
    paragraph._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="1" w:author="MEF" w:date="2026-01-01T00:00:00Z">'
            "<w:r><w:delText>លុបចោល</w:delText></w:r></w:del>"
        )
    )
    paragraph._p.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="2" w:author="MEF" w:date="2026-01-01T00:00:00Z">'
            "<w:r><w:t>បន្ថែម</w:t></w:r></w:ins>"
        )
    )
    buffer = BytesIO()
    document.save(buffer)
    assert kinds(read(buffer.getvalue())) == [("article", "", "អនុក្រឹត្យនេះបន្ថែម")]


def test_text_is_kept_as_typed_nfc_and_trimmed():
    decomposed = "ការ\u17b6"  # nothing to compose in Khmer here; é decomposed checks NFC
    parsed = read(build("មាត្រា ១", "  cafe\u0301 " + decomposed + "  "))
    assert parsed.provisions[0]["text_km"] == "café " + decomposed


# --- The schedule table -------------------------------------------------------------------


def khmer_header():
    with translation.override("km"):
        return [str(name) for _field, name in SCHEDULE_COLUMNS]


def test_a_table_headed_with_the_schedule_columns_becomes_schedule_rows(demo):
    data = build(
        "ឧបសម្ព័ន្ធ",
        "តារាងផ្ទេរមុខងារ",
        tables=[
            [
                khmer_header(),
                ["គ្រប់គ្រងមណ្ឌលសុខភាព", "moh", "ស្រុក", "", "៤", "១២០.០០០.០០០", "", "០១/០១/២០២៧"],
                ["ថែទាំផ្លូវជនបទ", "moh", "district", "", "5", "0", "", ""],
                ["ជួរមិនស្គាល់", "ក្រសួងមិនស្គាល់", "district", "", "5", "0", "", ""],
            ]
        ],
    )
    structure = imports.draft_structure(data)
    assert [p["kind"] for p in structure["provisions"]] == ["annex"]
    assert structure["provisions"][0]["heading_km"] == "តារាងផ្ទេរមុខងារ"
    level = ScheduleRow.Level.DISTRICT
    first, second = structure["schedule"]
    assert first["from_ministry"] == "moh"
    assert (first["staff_count"], first["budget_riel"]) == (4, 120_000_000)
    assert first["effective_date"] == "2027-01-01"
    assert second["level"] == level and second["effective_date"] is None
    assert structure["unplaced"] == ["ជួរមិនស្គាល់ | ក្រសួងមិនស្គាល់ | district | 5 | 0"]


def test_a_table_of_other_columns_is_listed_not_placed():
    parsed = read(build("មាត្រា ១", "អត្ថបទ។", tables=[[["ក", "ខ"], ["១", "២"]]]))
    assert parsed.schedule == []
    assert parsed.unplaced == ["ក | ខ", "១ | ២"]


# --- Legacy fonts --------------------------------------------------------------------------


def legacy_docx(font, text):
    document = docx.Document()
    document.add_paragraph("មាត្រា ១")
    run = document.add_paragraph().add_run(text)
    run.font.name = font
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("font", ["Limon S1", "ABC-TEXT-05"])
def test_text_in_a_legacy_khmer_font_is_refused_naming_the_font(font):
    with pytest.raises(ValidationError) as refused:
        read(legacy_docx(font, "kaErbRbYlmuxgar"))
    assert font in refused.value.messages[0]


def test_unicode_khmer_in_a_font_named_like_a_legacy_one_is_not_refused():
    parsed = read(legacy_docx("Limon S1", "អត្ថបទ។"))
    assert parsed.provisions[0]["text_km"] == "អត្ថបទ។"


# --- Bad files -----------------------------------------------------------------------------


def zipped(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"%PDF-1.7 not a docx", "not a Word document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected"),
        (b"PK\x03\x04 broken zip", "damaged"),
        (zipped({"hello.txt": b"a zip, not a docx"}), "not a Word document"),
        (
            zipped({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<not xml"}),
            "damaged",
        ),
        (
            zipped({"[Content_Types].xml": b"<x/>", "word/document.xml": b"\0" * (120 << 20)}),
            "unpack to far more",
        ),
        (b"PK\x03\x04" + b"\0" * (21 << 20), "too large"),
    ],
    ids=["not-zip", "ole-password", "corrupt-zip", "zip-not-docx", "corrupt-xml", "bomb", "20MB"],
)
def test_bad_files_are_refused_with_a_clear_message(data, says):
    with pytest.raises(ValidationError) as refused:
        read(data)
    assert says in refused.value.messages[0]


def test_the_zip_bomb_is_refused_from_the_directory_before_inflating(monkeypatch):
    data = zipped({"[Content_Types].xml": b"<x/>", "word/document.xml": b"\0" * (120 << 20)})
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda *a, **k: pytest.fail("inflated"))
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: pytest.fail("inflated"))
    with pytest.raises(ValidationError):
        import_docx.check_file(data)


# --- Round trip and the service --------------------------------------------------------------


@pytest.fixture
def drafter(demo):
    return demo["drafter"]


def typed(instrument):
    snapshot = selectors.instrument_snapshot(instrument=instrument)
    parents = {p["uid"]: p for p in snapshot["provisions"]}
    provisions = [
        (
            p["kind"],
            parents[p["parent"]]["kind"] if p["parent"] else None,
            p["number"],
            p["heading_km"],
            p["text_km"],
        )
        for p in snapshot["provisions"]
    ]
    schedule = [
        {k: v for k, v in row.items() if k not in ("uid", "function_en")}
        for row in snapshot["schedule"]
    ]
    return snapshot["instrument"]["title_km"], provisions, schedule


@pytest.fixture
def written(drafter):
    """An instrument of each kind of provision and a two-row schedule."""
    instrument = services.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="ការផ្ទេរមុខងារគ្រប់គ្រងមណ្ឌលសុខភាព",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )

    def add(kind, parent=None, **texts):
        return services.provision_add(
            instrument=instrument, user=drafter, kind=kind, parent=parent, **texts
        )

    add("preamble_item", text_km="បានឃើញរដ្ឋធម្មនុញ្ញនៃព្រះរាជាណាចក្រកម្ពុជា")
    add("preamble_item", text_km="បានឃើញព្រះរាជក្រឹត្យលេខ នស/រកត/០៩១៨/៩២៥")
    part = add("part", heading_km="បទប្បញ្ញត្តិទូទៅ")
    ch1 = add("chapter", part, heading_km="គោលបំណង")
    s1 = add("section", ch1, heading_km="វិសាលភាព")
    add("article", s1, text_km="អនុក្រឹត្យនេះមានគោលបំណងផ្ទេរមុខងារ។")
    a2 = add("article", s1, heading_km="និយមន័យ")
    add("paragraph", a2, text_km="កថាខណ្ឌទីមួយ។")
    add("paragraph", a2, text_km="កថាខណ្ឌទីពីរ។")
    ch2 = add("chapter", part, heading_km="អវសានបញ្ញត្តិ")  # a part holds what follows it
    add("article", ch2, text_km="អនុក្រឹត្យនេះមានអានុភាពចាប់ពីថ្ងៃចុះហត្ថលេខា។")
    add("annex", heading_km="តារាងផ្ទេរមុខងារ", text_km="មុខងារដែលផ្ទេរទៅស្រុក។")
    for n, function in enumerate(["គ្រប់គ្រងមណ្ឌលសុខភាព", "ថែទាំផ្លូវជនបទ"]):
        services.schedule_row_add(
            instrument=instrument,
            user=drafter,
            function_km=function,
            from_ministry=Organisation.objects.get(code="moh"),
            level=ScheduleRow.Level.DISTRICT,
            legal_basis="ច្បាប់ឆ្នាំ២០០៨",
            staff_count=4 + n,
            budget_riel=120_000_000,
            assets="អគារ",
            effective_date=date(2027, 1, 1),
        )
    return instrument


def test_export_then_import_gives_the_same_structure_text_and_schedule(written, drafter):
    export = official.export_of(instrument=written, version=None)
    data = export_docx.instrument_docx(export)
    structure = imports.draft_structure(data)
    assert structure["unplaced"] == []
    imported = imports.instrument_import(
        user=drafter,
        instrument_type=written.instrument_type,
        owning_office=written.owning_office,
        structure=structure,
    )
    assert imported.pk != written.pk
    assert typed(imported) == typed(written)
    assert imported.lead_drafter == drafter


def test_nothing_is_created_when_any_part_is_invalid(drafter):
    structure = imports.draft_structure(build("ស្ដីពី", "ចំណងជើង", "មាត្រា ១", "អត្ថបទ។"))
    structure["provisions"].append({"kind": "section", "parent": None, "heading_km": "x"})
    before = (Instrument.objects.count(), Provision.objects.count())
    with pytest.raises(ValidationError):
        imports.instrument_import(
            user=drafter,
            instrument_type=InstrumentType.objects.get(code="prakas"),
            owning_office=Organisation.objects.get(code="dfr-fr"),
            structure=structure,
        )
    assert (Instrument.objects.count(), Provision.objects.count()) == before


def test_nothing_is_created_when_the_schedule_fails_after_the_provisions(drafter, monkeypatch):
    structure = imports.draft_structure(build("ស្ដីពី", "ចំណងជើង", "មាត្រា ១", "អត្ថបទ។"))
    structure["schedule"] = [
        {
            "function_km": "មុខងារ",
            "from_ministry": "moh",
            "level": "district",
            "staff_count": 1,
            "budget_riel": 1,
            "effective_date": None,
        }
    ]

    def broken(*args, **kwargs):
        raise ValidationError("the database refused")

    real = imports.bulk_create_with_history

    def failing_for_schedule(rows, model, **kwargs):
        if model is ScheduleRow:
            broken()
        return real(rows, model, **kwargs)

    monkeypatch.setattr(imports, "bulk_create_with_history", failing_for_schedule)
    before = (Instrument.objects.count(), Provision.objects.count())
    with pytest.raises(ValidationError):
        imports.instrument_import(
            user=drafter,
            instrument_type=InstrumentType.objects.get(code="prakas"),
            owning_office=Organisation.objects.get(code="dfr-fr"),
            structure=structure,
        )
    assert (Instrument.objects.count(), Provision.objects.count()) == before


def test_a_structure_without_a_title_is_refused_unless_one_is_given(drafter):
    structure = imports.draft_structure(build("មាត្រា ១", "អត្ថបទ។"))
    arguments = {
        "user": drafter,
        "instrument_type": InstrumentType.objects.get(code="prakas"),
        "owning_office": Organisation.objects.get(code="dfr-fr"),
        "structure": structure,
    }
    with pytest.raises(ValidationError) as refused:
        imports.instrument_import(**arguments)
    assert "title_km" in refused.value.message_dict
    instrument = imports.instrument_import(**arguments, title_km="  ចំណងជើង ")
    assert instrument.title_km == "ចំណងជើង"


def test_someone_who_may_not_create_instruments_is_refused(demo):
    from django.core.exceptions import PermissionDenied

    structure = imports.draft_structure(build("ស្ដីពី", "ចំណងជើង", "មាត្រា ១", "អត្ថបទ។"))
    with pytest.raises(PermissionDenied):
        imports.instrument_import(
            user=demo["reviewer-mef"],
            instrument_type=InstrumentType.objects.get(code="prakas"),
            owning_office=Organisation.objects.get(code="dfr-fr"),
            structure=structure,
        )
    assert not Instrument.objects.exists()
