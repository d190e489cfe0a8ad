"""The instrument list's table: its columns, each a heading and the cell it writes for a row.

A row written through the template language cost some 200 µs (its tags, filters and
lookups: ten of the filtered list's 38 ms at ten years of data), and through ``format_html``
half of that, most of it Django's checks for lazy strings on each value; in f-strings it
costs a fifth. So each column writes its cell as HTML itself, escaping every value it puts
in with ``escape`` (the standard library's, as Django's own ``escape`` is, without the
checks). ``tests`` hold each column to escaping what a person typed. The workflows app adds
its own columns (the step, who holds it, by when) to this app's.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from documents.models import Instrument
from khmer.segment import insert_zwsp
from khmer.templatetags.khmer import kmdate


@dataclass(frozen=True)
class Column:
    heading: str
    cell: Callable[[Instrument], str]
    """The cell's HTML for an instrument of the page: every value in it escaped."""


def _title(instrument: Instrument) -> str:
    url = reverse("documents:instrument", args=[instrument.pk])
    html = f'<a class="lekhit-legal-text" lang="km" href="{url}">'
    html += f"{escape(insert_zwsp(instrument.title_km))}</a>"
    if instrument.title_en:
        html += f'<div class="lekhit-muted" lang="en">{escape(instrument.title_en)}</div>'
    return html


def _status(instrument: Instrument) -> str:
    status, name = escape(instrument.status), escape(instrument.get_status_display())
    return f'<span class="lekhit-status lekhit-status--{status}">{name}</span>'


TEXT = [
    Column(_("Title"), _title),
    Column(_("Reference number"), lambda instrument: escape(instrument.reference_number or "—")),
    Column(_("Type"), lambda instrument: escape(instrument.instrument_type.name)),
    Column(_("Status"), _status),
]
"""What the text says of itself: before any other app's columns."""

PEOPLE = [
    Column(_("Lead drafter"), lambda instrument: escape(str(instrument.lead_drafter))),
    Column(_("Updated"), lambda instrument: escape(kmdate(instrument.updated_at))),
]
"""Who writes it and when it last changed: after any other app's columns."""


def rows(columns: list[Column], instruments: Iterable[Instrument]) -> list[SafeString]:
    """Each instrument's ``<tr>``, a cell a column."""
    return [
        mark_safe(  # noqa: S308 - each column escapes what it writes
            "<tr>" + "".join(f"<td>{column.cell(instrument)}</td>" for column in columns) + "</tr>"
        )
        for instrument in instruments
    ]
