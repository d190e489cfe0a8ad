"""An instrument's text as PDF, in the official Cambodian layout.

The same document as ``export_docx`` (``documents.official`` gathers what it says), written
as HTML (``templates/documents/pdf/instrument.html``, ``static/css/pdf.css``) and printed
to PDF by headless Chromium (Debian's ``/usr/bin/chromium``, the one the browser tests use),
with the fonts the app serves (``static/fonts``).

Why Chromium and not WeasyPrint. Checked on this machine (2 December 2026), the Khmer
paragraph "មាត្រា ១.- អនុក្រឹត្យនេះមានគោលបំណង…ស្ដីពី សេចក្ដីព្រាង" in Noto Serif Khmer and in
Khmer OS Muol Light, U+200B at ICU word boundaries: WeasyPrint 70.0 (Pango) draws it right
but its text comes back from ``pdftotext`` garbled — "ក្រឹត្យនេះ" as "ក្រត ់ … ឹ", vowels
before their consonant lost ("ព្រះ" as "ពះ", "សេចក្ដី" as "សចក្រ្ដ ី") — with its default
settings, with ``full_fonts``, ``hinting`` and ``pdf_variant="pdf/ua-1"`` alike: a signed
text that cannot be searched or copied. The same HTML printed by Chromium 156 extracts
NFC-equal to the original (ignoring U+200B and white space), in both fonts. So Chromium it
is, run as a process of its own (``--print-to-pdf``): no event loop in the request's thread,
no script runs (the page's Content-Security-Policy), nothing fetched but the local files.

Khmer wraps at words only: every Khmer text gets U+200B at its ICU word boundaries
(``khmer.segment.insert_zwsp``). Page numbers are CSS ``counter(page)`` in a page margin
box, in a Khmer-digit ``@counter-style`` in the Khmer layout. A text not signed carries
"សេចក្ដីព្រាង", its version and date across every page; a signed version its SHA-256 and a
QR code (segno) linking to the absolute ``/verify/<sha256>/`` address, the code itself a
link too.
"""

import hashlib
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from documents.models import InstrumentType, ScheduleRow, Version, VersionPdf
from documents.numbering import provision_label
from documents.official import (
    LABELLED_KINDS,
    Export,
    Layout,
    arrangement,
    document_date,
    draft_marker,
    export_of,
    is_signed,
)
from documents.views import SCHEDULE_COLUMNS
from khmer.formats import format_date, format_number
from khmer.lunar import lunar_date
from khmer.segment import insert_zwsp

CONTENT_TYPE = "application/pdf"
CHROMIUM = "/usr/bin/chromium"
TIMEOUT_SECONDS = 120
STYLESHEET = "css/pdf.css"  # its fonts beside it, in static/fonts


class RenderError(RuntimeError):
    """Chromium could not print the document."""


class PdfUnavailable(ValidationError):
    """No PDF can be printed now (no Chromium on the server, or it failed): said to the
    person, in their language; nothing is kept."""


def _wrap(text: str) -> str:
    """Khmer text breakable at its words (U+200B at ICU word boundaries)."""
    return insert_zwsp(text) if text else ""


@dataclass(frozen=True)
class Block:
    """A provision as printed: its kind (a CSS class), heading line(s) and text lines."""

    kind: str
    title: str
    lines: list[str]
    page_break: bool = False


def _block(layout: Layout, provision: dict, *, page_break: bool = False) -> Block:
    kind = provision["kind"]
    heading = layout.pick(provision.get("heading_km", ""), provision.get("heading_en", ""))
    text = layout.pick(provision.get("text_km", ""), provision.get("text_en", ""))
    labelled = kind in LABELLED_KINDS  # a paragraph or a preamble line prints no label
    label = provision_label(kind, provision.get("number", ""), layout.language) if labelled else ""
    if kind == "article":
        title = f"{label}.-" + (f" {heading}" if heading else "") if label else heading
    else:
        title = "\n".join(part for part in (label, heading) if part)
    return Block(
        kind=kind,
        title=_wrap(title),
        lines=[_wrap(line) for line in text.split("\n") if line.strip()],
        page_break=page_break,
    )


def _schedule_rows(layout: Layout, rows: list[dict], ministries: dict[str, str]) -> list[list]:
    shown = []
    for row in rows:
        try:
            level = str(ScheduleRow.Level(row.get("level")).label)
        except ValueError:
            level = row.get("level") or ""
        effective = row.get("effective_date")
        shown.append(
            [
                _wrap(layout.pick(row.get("function_km", ""), row.get("function_en", ""))),
                _wrap(ministries.get(row.get("from_ministry"), row.get("from_ministry") or "")),
                _wrap(level),
                _wrap(row.get("legal_basis", "")),
                format_number(row.get("staff_count") or 0, layout.language),
                format_number(row.get("budget_riel") or 0, layout.language),
                _wrap(row.get("assets", "")),
                format_date(date.fromisoformat(effective), layout.language, long=False)
                if effective
                else "",
            ]
        )
    return shown


def draft_watermark(export: Export, layout: Layout) -> str:
    """ "សេចក្ដីព្រាង", then the version and its date ("សេចក្ដីព្រាង · កំណែទី២ · …")."""
    marker = draft_marker(export, layout)
    word = pgettext("watermark", "Draft")
    return marker if marker.startswith(word) else f"{word} · {marker}"


def css_string(text: str) -> str:
    """``text`` as a CSS string, safe inside a ``<style>`` element."""
    escaped = "".join(
        c if c.isalnum() or c in " ·.,:-()" or ord(c) > 0x7F else f"\\{ord(c):x} " for c in text
    )
    return mark_safe(f'"{escaped}"')  # noqa: S308 (every other character escaped above)


def verify_url(sha256: str) -> str:
    """The absolute address the signed text's QR code opens."""
    return settings.SITE_URL.rstrip("/") + reverse("verify_hash", args=[sha256])


def qr_svg(url: str) -> str:
    """``url`` as a QR code, an SVG to put in the page as it is."""
    return segno.make(url, error="m").svg_inline(scale=3, border=2, omitsize=False)


def stylesheet_url() -> str:
    """The stylesheet as a file address: Chromium reads it, and the fonts it names beside
    it, from the disk."""
    found = finders.find(STYLESHEET)
    if not found:
        raise RenderError(f"{STYLESHEET} is not among the static files")
    return Path(found).resolve().as_uri()


def context(export: Export, layout: Layout) -> dict:
    """What the template prints, every Khmer text already breakable at its words."""
    instrument, kind = export.instrument, export.instrument.instrument_type
    header = export.snapshot.get("instrument", {})
    subject = layout.pick(
        header.get("title_km", instrument.title_km), header.get("title_en", instrument.title_en)
    )
    signed = is_signed(export.version)
    reference = instrument.reference_number if signed else ""
    day = document_date(export)
    lunar = lunar_date(day)
    arranged = arrangement(export.snapshot)
    annexes = [
        _block(layout, provision, page_break=provision["kind"] == "annex")
        for provision in arranged.annexes
    ]
    schedule = export.snapshot.get("schedule", [])
    sha256 = export.version.sha256 if signed else ""
    url = verify_url(sha256) if signed else ""
    return {
        "language": layout.language,
        "english": layout.english,
        "css_url": stylesheet_url(),
        "title": layout.pick(instrument.title_km, instrument.title_en),
        "authority": _wrap(layout.pick(kind.issuing_authority_km, kind.issuing_authority_en)),
        "reference": layout.digits(reference) if reference else _("No. ……………"),
        "title_word": _wrap(
            layout.pick(kind.title_word_km or kind.name_km, kind.title_word_en or kind.name_en)
        ),
        "subject": _wrap(subject),
        "preamble": [_block(layout, provision) for provision in arranged.preamble],
        "deciding_word": _wrap(
            layout.pick(kind.deciding_word_km, kind.deciding_word_en)
            or pgettext("deciding word", "Decides")
        ),
        "text": [_block(layout, provision) for provision in arranged.text],
        "dates_on_top": kind.date_position == InstrumentType.DatePosition.TOP,
        "lunar_line": _wrap(lunar.english() if layout.english else lunar.khmer()),
        "place_line": _wrap(
            _("Done at Phnom Penh, %(date)s") % {"date": format_date(day, layout.language)}
        ),
        "signer_title": _wrap(layout.pick(kind.usual_signer_km, kind.usual_signer_en)),
        "signer_name": _wrap(export.signer_name) if signed else "",
        "recipients": [_wrap(line) for line in export.recipients(layout)],
        "annexes_before_schedule": annexes[: arranged.schedule_after]
        if arranged.schedule_after is not None
        else annexes,
        "annexes_after_schedule": annexes[arranged.schedule_after :]
        if arranged.schedule_after is not None
        else [],
        "has_schedule": arranged.schedule_after is not None,
        "schedule_heading_needed": arranged.schedule_after is not None and not annexes,
        "schedule_columns": [_wrap(str(name)) for _field, name in SCHEDULE_COLUMNS],
        "schedule_rows": _schedule_rows(layout, schedule, export.ministries),
        "watermark": "" if signed else css_string(draft_watermark(export, layout)),
        "signed": signed,
        "sha256": sha256,
        "verify_url": url,
        "qr": mark_safe(qr_svg(url)) if signed else "",  # noqa: S308 (segno's own SVG)
    }


def instrument_html(export: Export, *, language: str = "km") -> str:
    layout = Layout(english=language.startswith("en"))
    with translation.override(layout.language):
        return render_to_string("documents/pdf/instrument.html", context(export, layout))


def html_to_pdf(html: str) -> bytes:
    """Print ``html`` to PDF (A4, its own ``@page`` rules) with headless Chromium."""
    with tempfile.TemporaryDirectory(prefix="lekhit-pdf-") as folder:
        source, target = Path(folder, "document.html"), Path(folder, "document.pdf")
        source.write_text(html, encoding="utf-8")
        command = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--no-pdf-header-footer",
            "--generate-pdf-document-outline",
            f"--user-data-dir={folder}/profile",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            finished = subprocess.run(  # noqa: S603 (a fixed program, our own arguments)
                command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise RenderError(f"Chromium did not print the PDF: {error}") from error
        if finished.returncode or not target.exists():
            message = finished.stderr.decode(errors="replace")[-500:]
            raise RenderError(f"Chromium did not print the PDF: {message}")
        return target.read_bytes()


def instrument_pdf(export: Export, *, language: str = "km") -> bytes:
    """The document, in Khmer, or (``language="en"``) in English: the English text where
    there is one, the Khmer where not, so that nothing is left out."""
    return html_to_pdf(instrument_html(export, language=language))


def filename(export: Export, *, language: str) -> str:
    instrument = export.instrument
    which = f"v{export.version.number}" if export.version else "draft"
    suffix = "-en" if language.startswith("en") else ""
    return f"lekhit-{instrument.instrument_type.code}-{instrument.pk}-{which}{suffix}.pdf"


def version_pdf_keep(*, version: Version) -> VersionPdf:
    """A signed version's PDF (the Khmer layout), printed the first time it is asked for and
    kept: every later download gives these bytes. The signature asks for it at once, by a job
    after its commit (``workflows.signed_pdf_keep``), so that signing never waits for, nor
    fails with, the printer; a download before the job has run prints it then. Two at once
    print twice and keep the first (the version's PDF is unique); both return that one."""
    if not is_signed(version):
        raise ValidationError({"version": _("Only a signed version's PDF is kept.")})
    existing = VersionPdf.objects.filter(version=version).first()
    if existing is not None:
        return existing
    export = export_of(instrument=version.instrument, version=version)
    try:
        content = instrument_pdf(export, language="km")
    except RenderError as error:
        raise PdfUnavailable(
            _("The PDF cannot be printed on this server just now: try again later.")
        ) from error
    try:
        with transaction.atomic():
            return VersionPdf.objects.create(
                version=version, content=content, sha256=hashlib.sha256(content).hexdigest()
            )
    except IntegrityError:  # another request or the job kept one first
        return VersionPdf.objects.get(version=version)


def kept_pdf(version: Version | None) -> bytes | None:
    """The PDF kept for ``version`` if it is a signed one (printed and kept now if the
    signature's job has not yet run); None for anything else."""
    if not is_signed(version):
        return None
    return bytes(version_pdf_keep(version=version).content)
