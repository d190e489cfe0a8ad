"""An instrument's text as DOCX, in the official Cambodian layout as far as Word allows.

From top to bottom: the national heading; the issuing authority and the reference number at
the top left; the type's title word, "ស្ដីពី" and the subject; the preamble (បានឃើញ …); the
deciding word; the chapters, sections and articles as Word's own heading styles (Heading 1,
2, 3: Word's navigation pane lists them); the lunar and the place-and-date lines; the signer;
then each annex on a page of its own, the transfer schedule as a table. The page number is a
PAGE field in the footer; a text not signed says "សេចក្ដីព្រាង", its version and date, in
the header.

Word and LibreOffice pick a complex-script font of their own for Khmer unless every run
names one in ``w:rFonts w:cs``, with ``w:szCs``, ``w:bCs`` and ``w:lang w:bidi``: every run
written here does (as ``workflows.exports`` does for the matrix). The paragraphs are written
as WordprocessingML and parsed once: python-docx's objects, run by run, take seconds for
300 articles.
"""

from datetime import date
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm

from documents.models import InstrumentType, ScheduleRow
from documents.numbering import provision_label
from documents.official import (
    Export,
    Layout,
    arrangement,
    document_date,
    draft_marker,
    is_signed,
)
from documents.views import SCHEDULE_COLUMNS  # the schedule page's own column names
from khmer.formats import format_date, format_number
from khmer.lunar import lunar_date

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The faces the app serves (static/css/fonts.css): legal text, and official headings.
TEXT_FONT = "Noto Serif Khmer"
HEADING_FONT = "Khmer OS Muol Light"
ENGLISH_FONT = "Times New Roman"

HEADING_STYLES = {"part": 1, "chapter": 1, "annex": 1, "section": 2, "article": 3}
"""Which of Word's heading styles each kind of provision takes."""

# Each schedule column's width in millimetres: the 180 mm between A4 portrait's margins.
_SCHEDULE_WIDTHS_MM = [40, 22, 18, 24, 12, 24, 20, 20]
_MARGIN_MM = 15


# --- Runs and paragraphs ------------------------------------------------------------------


def _run_properties(layout: Layout, *, heading: bool, bold: bool, size: float) -> str:
    """The font on every slot, ``w:cs`` (where Word looks for Khmer) included, its size and
    bold there too (``w:szCs``, ``w:bCs``), and the languages that pick Khmer shaping."""
    khmer_face = HEADING_FONT if heading else TEXT_FONT
    face = ENGLISH_FONT if layout.english else khmer_face
    weight = "<w:b/><w:bCs/>" if bold else ""
    half_points = round(2 * size)
    language = "en-GB" if layout.english else "km-KH"
    return (
        f'<w:rPr><w:rFonts w:ascii="{face}" w:hAnsi="{face}" w:eastAsia="{face}"'
        f' w:cs="{khmer_face}"/>{weight}<w:color w:val="000000"/>'
        f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
        f'<w:lang w:val="{language}" w:bidi="km-KH"/></w:rPr>'
    )


def _run(
    layout: Layout,
    text: str,
    *,
    heading: bool = False,
    bold: bool = False,
    size: float = 12,
    inside: str = "",
) -> str:
    """A run of text: each line break a ``w:br`` (``inside``: a field character instead)."""
    pieces = []
    for n, line in enumerate(_writable(text).split("\n")):
        if n:
            pieces.append("<w:br/>")
        if line:
            pieces.append(f'<w:t xml:space="preserve">{escape(line)}</w:t>')
    properties = _run_properties(layout, heading=heading, bold=bold, size=size)
    return f"<w:r>{properties}{inside}{''.join(pieces)}</w:r>"


def _writable(text: str) -> str:
    """``text`` without the control characters XML cannot hold, its line ends "\\n"."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c >= " " or c in "\n\t").replace("\t", " ")


def _paragraph(
    runs: str,
    *,
    align: str = "both",
    style: str = "",
    before: int = 0,
    after: int = 6,
    indent_mm: int = 0,
    page_break: bool = False,
) -> str:
    """A paragraph: alignment, spacing in points, an optional style id ("Heading1")."""
    properties = f'<w:pStyle w:val="{style}"/>' if style else ""
    if page_break:
        properties += "<w:pageBreakBefore/>"
    properties += f'<w:spacing w:before="{before * 20}" w:after="{after * 20}"/>'
    if indent_mm:
        properties += f'<w:ind w:firstLine="{Mm(indent_mm).twips}"/>'
    properties += f'<w:jc w:val="{align}"/>'
    return f"<w:p><w:pPr>{properties}</w:pPr>{runs}</w:p>"


# --- The parts of the document ------------------------------------------------------------


def _national_heading(layout: Layout) -> list[str]:
    return [
        _paragraph(
            _run(layout, _("Kingdom of Cambodia"), heading=True, bold=layout.english, size=14),
            align="center",
            after=0,
        ),
        _paragraph(
            _run(layout, _("Nation Religion King"), heading=True, bold=layout.english, size=13),
            align="center",
            after=12,
        ),
    ]


def _issuer(layout: Layout, kind: InstrumentType, reference: str) -> list[str]:
    """The issuing authority and the reference number, at the top left."""
    paragraphs = []
    authority = layout.pick(kind.issuing_authority_km, kind.issuing_authority_en)
    if authority:
        paragraphs.append(
            _paragraph(
                _run(layout, authority, heading=True, bold=layout.english), align="left", after=0
            )
        )
    number = layout.digits(reference) if reference else _("No. ……………")
    paragraphs.append(_paragraph(_run(layout, number), align="left", after=12))
    return paragraphs


def _date_lines(layout: Layout, day: date, *, align: str) -> list[str]:
    """The lunar date ("ថ្ងៃពុធ ១៣កើត ខែកត្តិក ឆ្នាំរោង ឆស័ក ព.ស.២៥៦៨") over the place and
    the solar date, as Cambodian instruments print them."""
    lunar = lunar_date(day)
    place = _("Done at Phnom Penh, %(date)s") % {
        "date": format_date(day, layout.language),
    }
    return [
        _paragraph(
            _run(layout, lunar.english() if layout.english else lunar.khmer()),
            align=align,
            before=12,
            after=0,
        ),
        _paragraph(_run(layout, place), align=align, after=12),
    ]


def _title(layout: Layout, kind: InstrumentType, subject: str) -> list[str]:
    word = layout.pick(kind.title_word_km or kind.name_km, kind.title_word_en or kind.name_en)
    return [
        _paragraph(
            _run(layout, word, heading=True, bold=layout.english, size=16),
            align="center",
            after=0,
        ),
        _paragraph(
            _run(layout, pgettext("instrument title", "on"), heading=True, bold=layout.english),
            align="center",
        ),
        _paragraph(
            _run(layout, subject, heading=True, bold=layout.english, size=13),
            align="center",
            after=12,
        ),
    ]


def _deciding_word(layout: Layout, kind: InstrumentType) -> str:
    word = layout.pick(kind.deciding_word_km, kind.deciding_word_en) or pgettext(
        "deciding word", "Decides"
    )
    return _paragraph(
        _run(layout, word, heading=True, bold=layout.english, size=14),
        align="center",
        before=12,
        after=12,
    )


def _provision_paragraphs(layout: Layout, provision: dict, *, page_break: bool) -> list[str]:
    """A provision as printed: a heading (its computed label and its heading) in Word's
    heading style for its kind, then its text; a preamble line or a paragraph as text."""
    kind = provision["kind"]
    heading = layout.pick(provision.get("heading_km", ""), provision.get("heading_en", ""))
    text = layout.pick(provision.get("text_km", ""), provision.get("text_en", ""))
    paragraphs = []
    level = HEADING_STYLES.get(kind)
    if level:
        label = provision_label(kind, provision.get("number", ""), layout.language)
        if kind == "article":
            title = f"{label}.-" + (f" {heading}" if heading else "")
        else:
            title = "\n".join(part for part in (label, heading) if part)
        paragraphs.append(
            _paragraph(
                _run(layout, title, heading=level < 3, bold=layout.english or level == 3),
                style=f"Heading{level}",
                align="left" if level == 3 else "center",
                before=6 if level == 3 else 12,
                after=6,
                page_break=page_break,
            )
        )
    elif heading:
        paragraphs.append(_paragraph(_run(layout, heading, bold=True)))
    if text:
        indent = 0 if kind == "preamble_item" else 10
        for line in text.split("\n"):
            if line.strip():
                paragraphs.append(_paragraph(_run(layout, line), indent_mm=indent))
    return paragraphs


def _recipients(layout: Layout, lines: list[str]) -> list[str]:
    """Who receives it (កន្លែងទទួល), at the left under the signer, a line each."""
    if not lines:
        return []
    heading = _paragraph(_run(layout, _("Recipients:"), bold=True))
    return [heading, *(_paragraph(_run(layout, f"- {line}")) for line in lines)]


def _signer(layout: Layout, kind: InstrumentType, name: str) -> list[str]:
    """The signer's title (the type's usual signer) and, once signed, their name; room for
    the signature and the seal between them."""
    title = layout.pick(kind.usual_signer_km, kind.usual_signer_en)
    paragraphs = []
    if title:
        paragraphs.append(
            _paragraph(
                _run(layout, title, heading=True, bold=layout.english),
                align="right",
                after=48,
            )
        )
    if name:
        paragraphs.append(
            _paragraph(_run(layout, name, heading=True, bold=layout.english), align="right")
        )
    return paragraphs


def _cell(layout: Layout, text: str, width_mm: int, *, bold: bool = False) -> str:
    runs = _run(layout, text, bold=bold, size=9)
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{Mm(width_mm).twips}" w:type="dxa"/></w:tcPr>'
        f'<w:p><w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr>{runs}</w:p></w:tc>'
    )


def _schedule_cells(layout: Layout, row: dict, ministries: dict[str, str]) -> list[str]:
    """A transfer schedule row's values, as the schedule page shows them."""
    try:
        level = str(ScheduleRow.Level(row.get("level")).label)
    except ValueError:
        level = row.get("level") or ""
    effective = row.get("effective_date")
    return [
        layout.pick(row.get("function_km", ""), row.get("function_en", "")),
        ministries.get(row.get("from_ministry"), row.get("from_ministry") or ""),
        level,
        row.get("legal_basis", ""),
        format_number(row.get("staff_count") or 0, layout.language),
        format_number(row.get("budget_riel") or 0, layout.language),
        row.get("assets", ""),
        format_date(date.fromisoformat(effective), layout.language, long=False)
        if effective
        else "",
    ]


def _schedule_table(layout: Layout, rows: list[dict], ministries: dict[str, str]) -> str:
    """The transfer schedule as a table, its heading row repeated on every page."""
    widths = _SCHEDULE_WIDTHS_MM
    heading = "".join(
        _cell(layout, str(name), width, bold=True)
        for (_field, name), width in zip(SCHEDULE_COLUMNS, widths, strict=True)
    )
    body = "".join(
        "<w:tr>"
        + "".join(
            _cell(layout, value, width)
            for value, width in zip(_schedule_cells(layout, row, ministries), widths, strict=True)
        )
        + "</w:tr>"
        for row in rows
    )
    grid = "".join(f'<w:gridCol w:w="{Mm(width).twips}"/>' for width in widths)
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{Mm(sum(widths)).twips}" w:type="dxa"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>"
        f"<w:tr><w:trPr><w:tblHeader/></w:trPr>{heading}</w:tr>{body}</w:tbl>"
        "<w:p/>"  # Word wants a paragraph after a table, even at the end of the text
    )


# --- The document -------------------------------------------------------------------------


def _body(export: Export, layout: Layout) -> list[str]:
    instrument, kind = export.instrument, export.instrument.instrument_type
    header = export.snapshot.get("instrument", {})
    subject = layout.pick(
        header.get("title_km", instrument.title_km), header.get("title_en", instrument.title_en)
    )
    signed = is_signed(export.version)
    reference = instrument.reference_number if signed else ""
    day = document_date(export)
    top = kind.date_position == InstrumentType.DatePosition.TOP

    paragraphs = _national_heading(layout) + _issuer(layout, kind, reference)
    if top:
        paragraphs += _date_lines(layout, day, align="right")
    paragraphs += _title(layout, kind, subject)

    arranged = arrangement(export.snapshot)
    for provision in arranged.preamble:
        paragraphs += _provision_paragraphs(layout, provision, page_break=False)
    paragraphs.append(_deciding_word(layout, kind))
    for provision in arranged.text:
        paragraphs += _provision_paragraphs(layout, provision, page_break=False)
    if not top:
        paragraphs += _date_lines(layout, day, align="right")
    paragraphs += _signer(layout, kind, export.signer_name if signed else "")
    paragraphs += _recipients(layout, export.recipients(layout))

    schedule = export.snapshot.get("schedule", [])
    for n, provision in enumerate(arranged.annexes):
        if n == arranged.schedule_after:  # the schedule closes the first annex
            paragraphs.append(_schedule_table(layout, schedule, export.ministries))
        paragraphs += _provision_paragraphs(
            layout, provision, page_break=provision["kind"] == "annex"
        )
    if arranged.schedule_after == len(arranged.annexes):
        if not arranged.annexes:
            paragraphs.append(
                _paragraph(
                    _run(layout, _("Transfer schedule"), heading=True, bold=layout.english),
                    style="Heading1",
                    align="center",
                    after=12,
                    page_break=True,
                )
            )
        paragraphs.append(_schedule_table(layout, schedule, export.ministries))
    return paragraphs


def _append_xml(container, xml: str) -> None:
    """Append the paragraphs (and tables) in ``xml`` to ``container``, before its section
    properties: parsed in one go."""
    parsed = parse_xml(f"<w:body {nsdecls('w')}>{xml}</w:body>")
    anchor = container.find(qn("w:sectPr"))
    for element in list(parsed):
        if anchor is not None:
            anchor.addprevious(element)
        else:
            container.append(element)


def _page_number_field(layout: Layout) -> str:
    """A PAGE field, centred: Word and LibreOffice write each page's number in it."""
    return _paragraph(
        _run(layout, "", inside='<w:fldChar w:fldCharType="begin"/>')
        + _run(layout, "", inside='<w:instrText xml:space="preserve"> PAGE </w:instrText>')
        + _run(layout, "", inside='<w:fldChar w:fldCharType="separate"/>')
        + _run(layout, "1")
        + _run(layout, "", inside='<w:fldChar w:fldCharType="end"/>'),
        align="center",
        after=0,
    )


def _styles(document, layout: Layout) -> None:
    """Defaults and heading styles in the document's fonts and black: what a person types
    into it later, and the navigation pane's headings, look like the rest."""
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    properties = defaults.find(qn("w:rPr"))
    fonts = properties.find(qn("w:rFonts"))
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the names
    face = ENGLISH_FONT if layout.english else TEXT_FONT
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(slot), face)
    fonts.set(qn("w:cs"), TEXT_FONT)
    properties.find(qn("w:lang")).set(qn("w:bidi"), "km-KH")
    for level in (1, 2, 3):
        style = document.styles[f"Heading {level}"]
        style.font.color.rgb = None
        style.font.italic = False


def instrument_docx(export: Export, *, language: str = "km") -> bytes:
    """The document, in Khmer, or (``language="en"``) in English: the English text where
    there is one, the Khmer where not, so that nothing is left out."""
    layout = Layout(english=language.startswith("en"))
    with translation.override(layout.language):
        document = Document()
        document.core_properties.author = document.core_properties.last_modified_by = "Lekhit"
        document.core_properties.title = layout.pick(
            export.instrument.title_km, export.instrument.title_en
        )
        document.core_properties.language = "en-GB" if layout.english else "km-KH"
        _styles(document, layout)
        section = document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(_MARGIN_MM))
        footer = section.footer._element
        footer.remove_all("w:p")
        _append_xml(footer, _page_number_field(layout))
        if not is_signed(export.version):
            header = section.header._element
            header.remove_all("w:p")
            marker = _run(layout, draft_marker(export, layout), bold=True, size=10)
            _append_xml(header, _paragraph(marker, align="center", after=0))
        body = document.element.body
        body.remove_all("w:p")
        _append_xml(body, "".join(_body(export, layout)))
        buffer = BytesIO()
        document.save(buffer)
    return buffer.getvalue()


def filename(export: Export, *, language: str) -> str:
    instrument = export.instrument
    which = f"v{export.version.number}" if export.version else "draft"
    suffix = "-en" if language.startswith("en") else ""
    return f"lekhit-{instrument.instrument_type.code}-{instrument.pk}-{which}{suffix}.docx"
