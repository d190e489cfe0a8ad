"""The comment–response matrix as files: an XLSX sheet (openpyxl) to sort and filter, and a
landscape DOCX table (python-docx) to print and send. Both have the same columns, headed in
the reader's language, and set the Khmer font the app serves on every cell and run: Word
and LibreOffice otherwise pick a complex-script font of their own for Khmer."""

import re
import unicodedata
from copy import deepcopy
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
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
    return _UNWRITABLE.sub("", text)


def _resulting_text(line: MatrixLine) -> str:
    return "\n".join(f"{label} {text}".strip() for label, text in line.resulting)


# --- XLSX ---------------------------------------------------------------------------------

# Each column's width, in characters, at least and at most (openpyxl cannot measure text).
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


def matrix_xlsx(matrix: MatrixFile) -> bytes:
    """One sheet, one row per comment, the heading row frozen and filtered; numbers stay
    numbers (to sort), the Khmer font is on every cell and long texts wrap."""
    workbook = Workbook()
    workbook.properties.creator = "Lekhit"
    workbook.properties.title = matrix.title
    sheet = workbook.active
    sheet.title = _writable(matrix.scope)[:31]
    regular, bold = Font(name=KHMER_FONT, size=10), Font(name=KHMER_FONT, size=10, bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")
    shaded = PatternFill("solid", fgColor="E8EAED")

    sheet.append(headings())
    for cell in sheet[1]:
        cell.font, cell.alignment, cell.fill = bold, wrapped, shaded
    widths = [
        _shown_width(heading, most)
        for heading, (_least, most) in zip(headings(), _XLSX_WIDTHS, strict=True)
    ]
    for line in matrix.lines:
        values = [
            line.number,
            line.round,
            _writable(line.provision),
            _writable(line.organisation),
            _writable(line.comment),
            _writable(line.disposition),
            _writable(line.reason),
            _writable(_resulting_text(line)),
        ]
        sheet.append(values)
        for column, (cell, value) in enumerate(zip(sheet[sheet.max_row], values, strict=True)):
            cell.font, cell.alignment = regular, wrapped
            if isinstance(value, str):
                cell.data_type = "s"  # a comment starting with "=" is text, never a formula
                widths[column] = max(widths[column], _shown_width(value, _XLSX_WIDTHS[column][1]))
    for column, (width, (least, most)) in enumerate(zip(widths, _XLSX_WIDTHS, strict=True)):
        sheet.column_dimensions[get_column_letter(column + 1)].width = min(
            max(width + 2, least), most
        )

    last = get_column_letter(len(_XLSX_WIDTHS))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{len(matrix.lines) + 1}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- DOCX ---------------------------------------------------------------------------------

# Each column's width in millimetres: together the 267 mm between A4 landscape's margins.
_DOCX_WIDTHS_MM = [10, 12, 25, 32, 60, 22, 50, 56]
_DOCX_MARGIN_MM = 15


def _run_properties(*, bold: bool, half_points: int):
    """The run properties of Khmer text: the font on the complex-script slot too (``w:cs``,
    where Word looks for Khmer), its size (``w:szCs``) and bold (``w:bCs``) there, and the
    language (``w:lang w:bidi``) that picks Khmer shaping and line breaking."""
    weight = "<w:b/><w:bCs/>" if bold else ""
    return parse_xml(
        f"<w:rPr {nsdecls('w')}>"
        f'<w:rFonts w:ascii="{KHMER_FONT}" w:hAnsi="{KHMER_FONT}" w:eastAsia="{KHMER_FONT}"'
        f' w:cs="{KHMER_FONT}"/>{weight}'
        f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
        '<w:lang w:val="km-KH" w:bidi="km-KH"/></w:rPr>'
    )


class _Runs:
    """Adds Khmer runs, each with a copy of one of a few prepared run properties (copying
    an element is much cheaper than setting each property through python-docx)."""

    def __init__(self):
        self._properties = {}

    def add(self, paragraph, text: str, *, bold: bool = False, size: int = 10):
        key = (bold, size)
        if key not in self._properties:
            self._properties[key] = _run_properties(bold=bold, half_points=2 * size)
        run = paragraph.add_run(_writable(text))  # python-docx writes "\n" as a line break
        run._r.insert(0, deepcopy(self._properties[key]))
        return run


def _khmer_defaults(document) -> None:
    """The document's defaults set to Khmer too, for what a person types into it later."""
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    properties = defaults.find(qn("w:rPr"))
    fonts = properties.find(qn("w:rFonts"))
    fonts.attrib.pop(qn("w:cstheme"), None)  # a theme font would win over w:cs
    fonts.set(qn("w:cs"), KHMER_FONT)
    properties.find(qn("w:lang")).set(qn("w:bidi"), "km-KH")


def _page_number(paragraph, runs: _Runs) -> None:
    """A PAGE field: Word and LibreOffice write each page's number in it."""
    for kind, instruction in (("begin", None), (None, " PAGE "), ("separate", None)):
        run = runs.add(paragraph, "")
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
        else:
            field = OxmlElement("w:instrText")
            field.set(qn("xml:space"), "preserve")
            field.text = instruction
        run._r.append(field)
    runs.add(paragraph, "1")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    runs.add(paragraph, "")._r.append(end)


def _landscape_a4(section) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(_DOCX_MARGIN_MM))


def _fill(cell, text: str, runs: _Runs, *, bold: bool = False) -> None:
    runs.add(cell.paragraphs[0], text, bold=bold)


def matrix_docx(matrix: MatrixFile) -> bytes:
    """A4 landscape: the title (matrix, instrument, round, date), then the table, its
    heading row repeated on every page, and the page number in the footer."""
    document = Document()
    document.core_properties.author = document.core_properties.last_modified_by = "Lekhit"
    document.core_properties.title = matrix.title
    _khmer_defaults(document)
    section = document.sections[0]
    _landscape_a4(section)
    runs = _Runs()
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer, runs)

    made_on = format_date(matrix.made_on)
    for text, size in (
        (_("Comment–response matrix"), 14),
        (matrix.title, 12),
        (f"{matrix.scope} · {made_on}", 10),
    ):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        runs.add(paragraph, text, bold=size > 10, size=size)

    khmer = is_khmer()
    table = document.add_table(rows=1, cols=len(_DOCX_WIDTHS_MM))
    table.style = "Table Grid"
    table.autofit = False  # fixed layout: the widths below, not the longest word's
    for column, width in zip(table.columns, _DOCX_WIDTHS_MM, strict=True):
        column.width = Mm(width)
    heading_row = table.rows[0]
    heading_row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # on every page
    for cell, heading, width in zip(heading_row.cells, headings(), _DOCX_WIDTHS_MM, strict=True):
        cell.width = Mm(width)
        _fill(cell, heading, runs, bold=True)
    for line in matrix.lines:
        cells = table.add_row().cells
        for cell, text in zip(
            cells,
            [
                khmer_digits(line.number) if khmer else str(line.number),
                khmer_digits(line.round) if khmer else str(line.round),
                line.provision,
                line.organisation,
                line.comment,
                line.disposition or "—",
                line.reason,
            ],
            strict=False,
        ):
            _fill(cell, text, runs)
        _resulting_cell(cells[-1], line, runs)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _resulting_cell(cell, line: MatrixLine, runs: _Runs) -> None:
    """Each provision the answer changed, a paragraph each: its label in bold, its text."""
    if not line.resulting:
        _fill(cell, "—", runs)
        return
    for n, (label, text) in enumerate(line.resulting):
        paragraph = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
        if label:
            runs.add(paragraph, f"{label} ", bold=True)
        runs.add(paragraph, text)
