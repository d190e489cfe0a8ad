"""The comment–response matrix as files: an XLSX sheet (openpyxl) to sort and filter, and a
landscape DOCX table (python-docx) to print and send. Both have the same columns, headed in
the reader's language, and set the Khmer font the app serves on every cell and run: Word
and LibreOffice otherwise pick a complex-script font of their own for Khmer."""

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter

from khmer.formats import format_date, is_khmer, khmer_digits

KHMER_FONT = "Noto Sans Khmer"  # the app's own Khmer face (static/css/fonts.css)

# Control characters that XML 1.0 (so both file formats) cannot hold; tab and newline stay.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class MatrixLine:
    """One comment as a row of the file."""

    number: int
    round: int
    provision: str
    organisation: str
    comment: str
    disposition: str
    reason: str
    resulting: tuple[tuple[str, str], ...]  # (label, text) of each provision the answer changed


@dataclass(frozen=True)
class MatrixFile:
    title: str  # the instrument's
    scope: str  # "Round 2", "All rounds"
    made_on: date
    lines: list[MatrixLine]


def headings() -> list[str]:
    return [
        _("No."),
        _("Round"),
        _("Provision"),
        _("Organisation"),
        _("Comment"),
        _("Disposition"),
        _("Reason"),
        _("Resulting text"),
    ]


def matrix_lines(rows: list[dict], *, answers_shown: frozenset[int]) -> list[MatrixLine]:
    """``selectors.matrix_rows`` as the file's lines, numbered in order. A round whose
    answers the reader may not see yet gives neither disposition, reason nor resulting
    text, as on the page."""
    lines = []
    for number, row in enumerate(rows, start=1):
        comment, shown = row["comment"], row["round"] in answers_shown
        lines.append(
            MatrixLine(
                number=number,
                round=row["round"],
                provision=row["provision"] or _("Whole text"),
                organisation=str(row["organisation"]),
                comment=comment.text,
                disposition=comment.get_disposition_display() if shown else "",
                reason=comment.response if shown else "",
                resulting=tuple(
                    ("", _("A provision since deleted"))
                    if change["deleted"]
                    else (change["label"], change["text"])
                    for change in (row["changes"] if shown else [])
                ),
            )
        )
    return lines


def _writable(text: str) -> str:
    """``text`` without what XML cannot hold, its line ends as "\\n" alone."""
    return _UNWRITABLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def _resulting_text(line: MatrixLine) -> str:
    return "\n".join(f"{label} {text}".strip() for label, text in line.resulting)


# --- XLSX ---------------------------------------------------------------------------------

# Each column's width, in characters, at least and at most (openpyxl cannot measure text).
_XLSX_CELL_MOST = 32_767  # characters in a cell: Excel calls a file with more corrupt
_XLSX_WIDTHS = [(5, 8), (6, 8), (12, 24), (14, 30), (24, 60), (12, 20), (20, 50), (24, 60)]


def _shown_width(text: str, most: int) -> int:
    """About how many characters wide ``text``'s longest line is: Khmer's subscript
    consonants and vowel signs stack on their base letter, taking no width of their own."""
    widest = 0
    for line in text.split("\n"):
        if len(line) > 2 * most:  # wider than the column may be whatever the marks
            return most
        widest = max(widest, sum(1 for c in line if unicodedata.category(c) != "Mn"))
    return widest


def _xlsx_row(
    sheet, row_number: int, values: list, style: str, shown: list[int], widths: list[tuple]
) -> None:
    """Write one row, in ``style``; widen ``shown`` to its texts."""
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            value = _writable(value)
            if len(value) > _XLSX_CELL_MOST:
                value = value[: _XLSX_CELL_MOST - 1] + "…"
            shown[column - 1] = max(shown[column - 1], _shown_width(value, widths[column - 1][1]))
        cell = sheet.cell(row=row_number, column=column, value=value)
        cell.style = style
        if isinstance(value, str):
            cell.data_type = "s"  # a comment starting with "=" is text, never a formula


def table_xlsx(
    *, title: str, sheet: str, headings: list[str], rows: list[list], widths: list[tuple[int, int]]
) -> bytes:
    """One sheet of ``rows`` under ``headings``, the heading row frozen and filtered;
    numbers stay numbers (to sort), the Khmer font is on every cell and long texts wrap.
    ``widths``: each column's least and most width, in characters."""
    workbook = Workbook()
    workbook.properties.creator = "Lekhit"
    workbook.properties.title = title
    worksheet = workbook.active
    worksheet.title = _writable(sheet)[:31]
    # Named styles: set once, and a cell takes one by name (much cheaper than a font and
    # an alignment set on each cell); they also show in the spreadsheet's styles list.
    wrapped = Alignment(wrap_text=True, vertical="top")
    body = NamedStyle("Lekhit", font=Font(name=KHMER_FONT, size=10), alignment=wrapped)
    heading = NamedStyle(
        "Lekhit heading",
        font=Font(name=KHMER_FONT, size=10, bold=True),
        alignment=wrapped,
        fill=PatternFill("solid", fgColor="E8EAED"),
    )
    workbook.add_named_style(body)
    workbook.add_named_style(heading)

    shown = [0] * len(widths)
    _xlsx_row(worksheet, 1, headings, heading.name, shown, widths)
    for row_number, values in enumerate(rows, start=2):
        _xlsx_row(worksheet, row_number, values, body.name, shown, widths)
    for column, (width, (least, most)) in enumerate(zip(shown, widths, strict=True)):
        worksheet.column_dimensions[get_column_letter(column + 1)].width = min(
            max(width + 2, least), most
        )

    last = get_column_letter(len(widths))
    worksheet.freeze_panes = "A2"
    worksheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    worksheet.print_title_rows = "1:1"
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.page_setup.fitToWidth, worksheet.page_setup.fitToHeight = 1, 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def matrix_xlsx(matrix: MatrixFile) -> bytes:
    """One row per comment."""
    rows = [
        [
            line.number,
            line.round,
            line.provision,
            line.organisation,
            line.comment,
            line.disposition,
            line.reason,
            _resulting_text(line),
        ]
        for line in matrix.lines
    ]
    return table_xlsx(
        title=matrix.title, sheet=matrix.scope, headings=headings(), rows=rows, widths=_XLSX_WIDTHS
    )


# --- DOCX ---------------------------------------------------------------------------------

# Each column's width in millimetres: together the 267 mm between A4 landscape's margins.
_DOCX_WIDTHS_MM = [10, 12, 25, 32, 60, 22, 50, 56]
_DOCX_MARGIN_MM = 15


@functools.cache
def _run_properties(*, bold: bool = False, size: int = 10) -> str:
    """The run properties of Khmer text: the font on the complex-script slot too (``w:cs``,
    where Word looks for Khmer), its size (``w:szCs``) and bold (``w:bCs``) there, and the
    language (``w:lang w:bidi``) that picks Khmer shaping and line breaking."""
    weight = "<w:b/><w:bCs/>" if bold else ""
    return (
        f'<w:rPr><w:rFonts w:ascii="{KHMER_FONT}" w:hAnsi="{KHMER_FONT}"'
        f' w:eastAsia="{KHMER_FONT}" w:cs="{KHMER_FONT}"/>{weight}'
        f'<w:sz w:val="{2 * size}"/><w:szCs w:val="{2 * size}"/>'
        '<w:lang w:val="km-KH" w:bidi="km-KH"/></w:rPr>'
    )


def _run(text: str, *, bold: bool = False, size: int = 10, inside: str = "") -> str:
    """A run of Khmer text as WordprocessingML: each line break a ``w:br``, each tab a
    ``w:tab`` (``inside``: a field character instead of text)."""
    pieces = []
    lines = _writable(text).split("\n")
    for n, line in enumerate(lines):
        if n:
            pieces.append("<w:br/>")
        for m, part in enumerate(line.split("\t")):
            if m:
                pieces.append("<w:tab/>")
            if part:
                pieces.append(f'<w:t xml:space="preserve">{escape(part)}</w:t>')
    return f"<w:r>{_run_properties(bold=bold, size=size)}{inside}{''.join(pieces)}</w:r>"


def _cell(paragraphs: list[str], width_mm: int) -> str:
    """A table cell of the given width; ``paragraphs``: each paragraph's runs."""
    body = "".join(f"<w:p>{runs}</w:p>" for runs in paragraphs)
    return f'<w:tc><w:tcPr><w:tcW w:w="{Mm(width_mm).twips}" w:type="dxa"/></w:tcPr>{body}</w:tc>'


def _row(cells: list[list[str]], *, heading: bool = False):
    """A table row (``w:tr``), written as XML and parsed once: building a thousand rows run
    by run through python-docx's objects takes seconds."""
    properties = "<w:trPr><w:tblHeader/></w:trPr>" if heading else ""  # on every page
    tcs = "".join(
        _cell(paragraphs, width) for paragraphs, width in zip(cells, _DOCX_WIDTHS_MM, strict=True)
    )
    return parse_xml(f"<w:tr {nsdecls('w')}>{properties}{tcs}</w:tr>")


def _line_cells(line: MatrixLine, *, khmer: bool) -> list[list[str]]:
    """A comment's cells; the resulting text a paragraph per provision the answer changed,
    its label in bold."""
    texts = [
        khmer_digits(line.number) if khmer else str(line.number),
        khmer_digits(line.round) if khmer else str(line.round),
        line.provision,
        line.organisation,
        line.comment,
        line.disposition or "—",
        line.reason,
    ]
    resulting = [
        (_run(f"{label} ", bold=True) if label else "") + _run(text)
        for label, text in line.resulting
    ]
    return [[_run(text)] for text in texts] + [resulting or [_run("—")]]


def _khmer_defaults(document) -> None:
    """The document's defaults set to Khmer too, for what a person types into it later."""
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    properties = defaults.find(qn("w:rPr"))
    fonts = properties.find(qn("w:rFonts"))
    fonts.attrib.pop(qn("w:cstheme"), None)  # a theme font would win over w:cs
    fonts.set(qn("w:cs"), KHMER_FONT)
    properties.find(qn("w:lang")).set(qn("w:bidi"), "km-KH")


def _append_runs(paragraph, runs: str) -> None:
    for run in parse_xml(f"<w:p {nsdecls('w')}>{runs}</w:p>"):
        paragraph._p.append(run)


def _page_number(paragraph) -> None:
    """A PAGE field: Word and LibreOffice write each page's number in it."""
    _append_runs(
        paragraph,
        _run("", inside='<w:fldChar w:fldCharType="begin"/>')
        + _run("", inside='<w:instrText xml:space="preserve"> PAGE </w:instrText>')
        + _run("", inside='<w:fldChar w:fldCharType="separate"/>')
        + _run("1")
        + _run("", inside='<w:fldChar w:fldCharType="end"/>'),
    )


def _landscape_a4(section) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(_DOCX_MARGIN_MM))


def landscape_document(title: str) -> Document:
    """A Word document for a table: A4 landscape, Khmer fonts by default, the page number
    centred in the footer, ``title`` in its properties."""
    document = Document()
    document.core_properties.author = document.core_properties.last_modified_by = "Lekhit"
    document.core_properties.title = title
    _khmer_defaults(document)
    section = document.sections[0]
    _landscape_a4(section)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)
    return document


def matrix_docx(matrix: MatrixFile) -> bytes:
    """A4 landscape: the title (matrix, instrument, round, date), then the table, its
    heading row repeated on every page, and the page number in the footer."""
    document = landscape_document(matrix.title)

    made_on = format_date(matrix.made_on)
    for text, size in (
        (_("Comment–response matrix"), 14),
        (matrix.title, 12),
        (f"{matrix.scope} · {made_on}", 10),
    ):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _append_runs(paragraph, _run(text, bold=size > 10, size=size))

    table = document.add_table(rows=0, cols=len(_DOCX_WIDTHS_MM))
    table.style = "Table Grid"
    table.autofit = False  # fixed layout: the widths below, not the longest word's
    for column, width in zip(table.columns, _DOCX_WIDTHS_MM, strict=True):
        column.width = Mm(width)
    tbl = table._tbl
    tbl.append(_row([[_run(text, bold=True)] for text in headings()], heading=True))
    khmer = is_khmer()
    for line in matrix.lines:
        tbl.append(_row(_line_cells(line, khmer=khmer)))
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
