"""What an instrument's official document says, whatever writes it (``export_docx``,
``export_pdf``): the text to print (a version's snapshot or the working draft), in which
language, whether it is the signed text, the date it prints, the draft marker, and the order
its parts stand in (preamble, the deciding word, the text, then the annexes and the transfer
schedule)."""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from documents import selectors
from documents.models import Instrument, Version
from khmer.formats import format_date, khmer_digits

LABELLED_KINDS = frozenset({"part", "chapter", "section", "article", "annex"})
"""The provisions printed under their computed label ("ជំពូកទី១", "មាត្រា ៣"); a preamble
line or an article's paragraph prints its text alone."""


@dataclass(frozen=True)
class Layout:
    """What one document says and how, in one language."""

    english: bool

    @property
    def language(self) -> str:
        return "en" if self.english else "km"

    def pick(self, khmer: str, english: str) -> str:
        """The English text in the English layout when there is one; else the Khmer."""
        return english if self.english and english else khmer

    def digits(self, value: object) -> str:
        return str(value) if self.english else khmer_digits(value)


@dataclass(frozen=True)
class Export:
    """What to write: the instrument, the text (a version's snapshot or the working draft's,
    ``selectors.instrument_snapshot``) and, for a version, the version."""

    instrument: Instrument
    snapshot: dict
    version: Version | None
    ministries: dict[str, str]  # the schedule's ministries' names, by code
    signer_name: str = ""

    def recipients(self, layout: "Layout") -> list[str]:
        """Who receives it (កន្លែងទទួល), a line each, in the layout's language (the Khmer
        list where there is no English one)."""
        text = layout.pick(self.instrument.recipients_km, self.instrument.recipients_en)
        return [line.strip() for line in text.splitlines() if line.strip()]


def export_of(*, instrument: Instrument, version: Version | None) -> Export:
    """What to write for ``version`` of the instrument (None: the working draft). A fixed
    number of queries whatever the text's length: the snapshot (of the working draft, two),
    the schedule's ministries (one), the signer (one, for a signed version)."""
    if version is None:
        snapshot = selectors.instrument_snapshot(instrument=instrument)
    else:
        snapshot = version.snapshot
    signer = version.created_by if is_signed(version) else None  # the sign-off froze it
    return Export(
        instrument=instrument,
        snapshot=snapshot,
        version=version,
        ministries=selectors.ministry_names(snapshots=[snapshot]),
        signer_name=signer.get_full_name() or signer.username if signer else "",
    )


def is_signed(version: Version | None) -> bool:
    """Whether the text is the one the director-general signed: the version the sign-off
    froze (``Version.Reason.SIGNED``). The working draft never is."""
    return version is not None and version.reason == Version.Reason.SIGNED


def document_date(export: Export) -> date:
    """The date the document prints: the registration date of a signed and registered
    text, else the day the version was made (for a signed one, the day it was signed), else
    (the working draft) today."""
    version, instrument = export.version, export.instrument
    if is_signed(version) and instrument.registered_on:
        return instrument.registered_on
    if version is not None:
        return timezone.localdate(version.created_at)
    return timezone.localdate()


def draft_marker(export: Export, layout: Layout) -> str:
    """The header line of a text not signed: "សេចក្ដីព្រាង", which version, which day."""
    day = format_date(document_date(export), layout.language)
    if export.version is None:
        return _("Draft · working draft · %(date)s") % {"date": day}
    return _("Draft · version %(number)s · %(date)s") % {
        "number": layout.digits(export.version.number),
        "date": day,
    }


@dataclass
class Arrangement:
    """The snapshot's provisions in the order the document prints them: the preamble lines
    (before the deciding word), the text, and the annexes' provisions (after the signer).
    ``schedule_after``: the index in ``annexes`` before which the transfer schedule's table
    stands (it closes the first annex); None when there is no schedule; ``len(annexes)``
    when it comes last (under a heading of its own if there is no annex)."""

    preamble: list[dict] = field(default_factory=list)
    text: list[dict] = field(default_factory=list)
    annexes: list[dict] = field(default_factory=list)
    schedule_after: int | None = None


def arrangement(snapshot: dict) -> Arrangement:
    provisions = snapshot.get("provisions", [])
    in_annex: set[str] = set()
    for provision in provisions:
        if provision["kind"] == "annex" or provision.get("parent") in in_annex:
            in_annex.add(provision["uid"])
    arranged = Arrangement()
    for provision in provisions:
        if provision["kind"] == "preamble_item":
            arranged.preamble.append(provision)
        elif provision["uid"] in in_annex:
            arranged.annexes.append(provision)
        else:
            arranged.text.append(provision)
    if snapshot.get("schedule"):
        arranged.schedule_after = next(
            (
                n
                for n, provision in enumerate(arranged.annexes)
                if n and provision["kind"] == "annex"
            ),
            len(arranged.annexes),
        )
    return arranged
