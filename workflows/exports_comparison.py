"""The comparison table (តារាងប្រៀបធៀប) as DOCX (and as PDF, ``comparison_pdf``): a
landscape table of the provisions two versions differ in (or all of them), the text before
and after with the changed words marked as the comparison page marks them, and the
drafters' answers that gave the reason.

Built as ``workflows.exports`` builds the matrix: each row written as WordprocessingML and
parsed once, the Khmer font on the complex-script slot of every run."""

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm

from documents import export_pdf
from documents.diffing import ProvisionDiff
from documents.models import Provision
from documents.numbering import provision_label
from khmer.formats import format_date
from khmer.segment import insert_zwsp
from workflows.exports import (
    KHMER_FONT,
    _append_runs,
    _cell,
    _writable,
    landscape_document,
)

# Each column's width in millimetres: together the 267 mm between A4 landscape's margins.
_WIDTHS_MM = [33, 85, 85, 64]

# A provision's fields in the order the comparison page shows them; headings in bold.
_FIELDS = (("heading_km", True), ("text_km", False), ("heading_en", True), ("text_en", False))

# How a changed word is marked: struck through (and red) on the old side, underlined and
# bold on the new, as the page's <del> and <ins>.
_DELETED, _ADDED = "deleted", "added"


@dataclass(frozen=True)
class Answer:
    """A drafter's answer to one comment, as the reason for a change."""

    organisation: str
    disposition: str
    response: str


@dataclass(frozen=True)
class ComparisonFile:
    title: str  # the instrument's
    old: str  # "Version 1: Draft for consultation", or "Working draft"
    old_date: date
    new: str
    new_date: date
    rows: list[ProvisionDiff]
    answers: Mapping[str, list[Answer]]  # by provision uid


def is_changed(row: ProvisionDiff) -> bool:
    """A provision the table holds by default: its text added, deleted or changed, or the
    provision moved. Renumbered alone, its text is the same: not a change to explain."""
    return row.status != "unchanged" or row.moved


def headings() -> list[str]:
    return [_("Provision"), _("Text before"), _("Text after"), _("Reason")]


@functools.cache
def _properties(*, bold: bool = False, size: int = 10, mark: str | None = None) -> str:
    """Khmer run properties (as ``workflows.exports``), with a changed word's mark; the
    elements in the order the schema requires."""
    bold = bold or mark == _ADDED
    return (
        f'<w:rPr><w:rFonts w:ascii="{KHMER_FONT}" w:hAnsi="{KHMER_FONT}"'
        f' w:eastAsia="{KHMER_FONT}" w:cs="{KHMER_FONT}"/>'
        + ("<w:b/><w:bCs/>" if bold else "")
        + ('<w:strike/><w:color w:val="B3261E"/>' if mark == _DELETED else "")
        + f'<w:sz w:val="{2 * size}"/><w:szCs w:val="{2 * size}"/>'
        + ('<w:u w:val="single"/>' if mark == _ADDED else "")
        + '<w:lang w:val="km-KH" w:bidi="km-KH"/></w:rPr>'
    )


def _run(text: str, *, bold: bool = False, size: int = 10, mark: str | None = None) -> str:
    """A run of text, each line break a ``w:br``; "" for no text."""
    pieces = []
    for n, line in enumerate(_writable(text).split("\n")):
        if n:
            pieces.append("<w:br/>")
        if line:
            pieces.append(f'<w:t xml:space="preserve">{escape(line)}</w:t>')
    if not pieces:
        return ""
    return f"<w:r>{_properties(bold=bold, size=size, mark=mark)}{''.join(pieces)}</w:r>"


def _segment_runs(segments: Iterable[tuple[str, str]], side: str, *, bold: bool) -> str:
    """One side of a word diff as runs: what both sides share plain, what this side alone
    has marked; the other side's words left out."""
    own, mark = ("delete", _DELETED) if side == "old" else ("insert", _ADDED)
    runs = []
    for op, text in segments:
        if op == "equal":
            runs.append(_run(text, bold=bold))
        elif op == own:
            runs.append(_run(text, bold=bold, mark=mark))
    return "".join(runs)


def _side_paragraphs(row: ProvisionDiff, side: str) -> list[str]:
    """A provision's headings and texts on one side, a paragraph each; a changed field's
    words marked. An added or deleted provision is shown whole, as on the page."""
    item = row.old if side == "old" else row.new
    if item is None:
        return []
    changed = {field.name: field for field in row.fields}
    paragraphs = []
    for name, bold in _FIELDS:
        if name in changed:
            runs = _segment_runs(changed[name].segments, side, bold=bold)
        else:
            runs = _run(str(item.get(name) or ""), bold=bold)
        if runs:
            paragraphs.append(runs)
    return paragraphs


def _label(item: Mapping | None) -> str:
    if item is None:
        return "—"
    label = provision_label(item["kind"], item.get("number") or "")
    return label or str(dict(Provision.Kind.choices).get(item["kind"], item["kind"]))


def _label_paragraphs(row: ProvisionDiff) -> list[str]:
    """The provision's label before → after (once if the same), then what happened to it."""
    before, after = _label(row.old), _label(row.new)
    labels = before if before == after else f"{before} → {after}"
    what = {"added": _("Added"), "deleted": _("Deleted"), "changed": _("Changed")}
    badges = [what[row.status]] if row.status in what else []
    badges += [_("Moved")] * row.moved + [_("Renumbered")] * row.renumbered
    paragraphs = [_run(labels, bold=True)]
    if badges:
        paragraphs.append(_run(" · ".join(badges), size=9))
    return paragraphs


def _answer_paragraphs(answers: list[Answer]) -> list[str]:
    return [
        _run(f"{answer.organisation} · {answer.disposition}: ", bold=True) + _run(answer.response)
        for answer in answers
    ]


def _row(cells: list[list[str]], *, heading: bool = False):
    properties = "<w:trPr><w:tblHeader/></w:trPr>" if heading else ""  # on every page
    tcs = "".join(
        _cell(paragraphs or [""], width)
        for paragraphs, width in zip(cells, _WIDTHS_MM, strict=True)
    )
    return parse_xml(f"<w:tr {nsdecls('w')}>{properties}{tcs}</w:tr>")


def comparison_docx(comparison: ComparisonFile) -> bytes:
    """A4 landscape: the title (the table, the instrument, the two versions and their
    dates), then one row per provision, the heading row repeated on every page, and the
    page number in the footer."""
    document = landscape_document(comparison.title)

    versions = (
        f"{comparison.old} ({format_date(comparison.old_date)})"
        f" → {comparison.new} ({format_date(comparison.new_date)})"
    )
    for text, size in ((_("Comparison table"), 14), (comparison.title, 12), (versions, 10)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _append_runs(paragraph, _run(text, bold=size > 10, size=size))

    table = document.add_table(rows=0, cols=len(_WIDTHS_MM))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, _WIDTHS_MM, strict=True):
        column.width = Mm(width)
    tbl = table._tbl
    tbl.append(_row([[_run(text, bold=True)] for text in headings()], heading=True))
    for row in comparison.rows:
        tbl.append(
            _row(
                [
                    _label_paragraphs(row),
                    _side_paragraphs(row, "old"),
                    _side_paragraphs(row, "new"),
                    _answer_paragraphs(comparison.answers.get(row.uid, [])),
                ]
            )
        )
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- As PDF -------------------------------------------------------------------------------


def _side_html(row: ProvisionDiff, side: str) -> list[list[tuple[str, str, bool]]]:
    """One side's lines as (mark, text, bold) pieces: "" plain, or the changed words'
    "del" / "ins", as ``_side_paragraphs`` marks them in the DOCX."""
    item = row.old if side == "old" else row.new
    if item is None:
        return []
    own, mark = ("delete", "del") if side == "old" else ("insert", "ins")
    changed = {field.name: field for field in row.fields}
    lines = []
    for name, bold in _FIELDS:
        if name in changed:
            pieces = [
                ("" if op == "equal" else mark, insert_zwsp(text), bold)
                for op, text in changed[name].segments
                if op in ("equal", own)
            ]
        else:
            text = str(item.get(name) or "")
            pieces = [("", insert_zwsp(text), bold)] if text else []
        if pieces:
            lines.append(pieces)
    return lines


def comparison_pdf(comparison: ComparisonFile) -> bytes:
    """The same table as PDF (A4 landscape, headings repeated on every page), printed as the
    instrument's PDF is (``documents.export_pdf``)."""
    what = {"added": _("Added"), "deleted": _("Deleted"), "changed": _("Changed")}
    rows = []
    for row in comparison.rows:
        before, after = _label(row.old), _label(row.new)
        badges = [what[row.status]] if row.status in what else []
        badges += [_("Moved")] * row.moved + [_("Renumbered")] * row.renumbered
        rows.append(
            {
                "label": before if before == after else f"{before} → {after}",
                "badges": " · ".join(badges),
                "old": _side_html(row, "old"),
                "new": _side_html(row, "new"),
                "answers": [
                    {
                        "who": f"{a.organisation} · {a.disposition}",
                        "response": insert_zwsp(a.response),
                    }
                    for a in comparison.answers.get(row.uid, [])
                ],
            }
        )
    html = render_to_string(
        "documents/pdf/comparison.html",
        {
            "language": get_language() or "km",
            "css_url": export_pdf.stylesheet_url(),
            "title": insert_zwsp(comparison.title),
            "old": insert_zwsp(comparison.old),
            "old_date": format_date(comparison.old_date),
            "new": insert_zwsp(comparison.new),
            "new_date": format_date(comparison.new_date),
            "headings": headings(),
            "rows": rows,
        },
    )
    return export_pdf.html_to_pdf(html)
