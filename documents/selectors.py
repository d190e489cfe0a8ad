"""Reads about instruments. Each costs a fixed number of queries, whatever the text's length."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from documents.errors import VersionIntegrityError
from documents.models import Instrument, Provision, ScheduleRow, Version
from documents.numbering import Node, number_tree
from documents.snapshots import canonical_bytes


def instrument_tree(*, instrument: Instrument) -> list[Node]:
    """The text in document order, numbered: one query."""
    return number_tree(Provision.objects.filter(instrument=instrument))


def schedule_rows(*, instrument: Instrument) -> list[ScheduleRow]:
    return list(
        ScheduleRow.objects.filter(instrument=instrument)
        .select_related("from_ministry")
        .order_by("position")
    )


def instrument_snapshot(*, instrument: Instrument) -> dict:
    """The working draft in the canonical snapshot form (see ``documents.diffing``)."""
    nodes = instrument_tree(instrument=instrument)
    uid_of = {node.provision.pk: str(node.provision.uid) for node in nodes}
    return {
        "instrument": {
            "type": instrument.instrument_type.code,
            "title_km": instrument.title_km,
            "title_en": instrument.title_en,
        },
        "provisions": [
            {
                "uid": str(node.provision.uid),
                "kind": node.provision.kind,
                "parent": uid_of.get(node.provision.parent_id),
                "number": node.number,
                "heading_km": node.provision.heading_km,
                "heading_en": node.provision.heading_en,
                "text_km": node.provision.text_km,
                "text_en": node.provision.text_en,
            }
            for node in nodes
        ],
        "schedule": [
            {
                "uid": str(row.uid),
                "function_km": row.function_km,
                "function_en": row.function_en,
                "from_ministry": row.from_ministry.code,
                "level": row.level,
                "legal_basis": row.legal_basis,
                "staff_count": row.staff_count,
                "budget_riel": row.budget_riel,
                "assets": row.assets,
                "effective_date": row.effective_date.isoformat() if row.effective_date else None,
            }
            for row in schedule_rows(instrument=instrument)
        ],
    }


def version_list(*, instrument: Instrument) -> list[Version]:
    return list(
        Version.objects.filter(instrument=instrument)
        .select_related("created_by")
        .defer("snapshot")
        .order_by("-number")
    )


def version_text(*, version: Version) -> bytes:
    """The exact bytes whose SHA-256 is the version's (for a signed version, the SignOff's):
    its snapshot in the canonical form of ``documents.snapshots`` — compact JSON, keys sorted,
    every string NFC, UTF-8. Anyone can hash them again (``sha256sum``) and compare.

    Refuses (``VersionIntegrityError``) if they do not hash to the stored value, rather than
    hand out as "the signed text" bytes that are not it.
    """
    text = canonical_bytes(version.snapshot)
    if hashlib.sha256(text).hexdigest() != version.sha256:
        raise VersionIntegrityError(f"version {version.pk}: its text does not match its SHA-256")
    return text


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    who: object
    what: str  # "created", "changed", "deleted", "version"
    subject: str
    version: Version | None = None


def instrument_timeline(*, instrument: Instrument, limit: int = 200) -> list[TimelineEntry]:
    """Every save (from django-simple-history) and every version, newest first.

    Four queries: the instrument's, its provisions' and its schedule's history, and versions.
    """
    kinds = {"+": "created", "~": "changed", "-": "deleted"}
    entries: list[TimelineEntry] = []
    histories = [
        (Instrument.history.filter(id=instrument.pk), lambda h: h.title_km),
        (
            Provision.history.filter(instrument_id=instrument.pk),
            lambda h: h.heading_km or h.text_km[:80],
        ),
        (ScheduleRow.history.filter(instrument_id=instrument.pk), lambda h: h.function_km[:80]),
    ]
    for queryset, subject in histories:
        for record in queryset.select_related("history_user").order_by("-history_date")[:limit]:
            entries.append(
                TimelineEntry(
                    when=record.history_date,
                    who=record.history_user,
                    what=kinds[record.history_type],
                    subject=subject(record),
                )
            )
    for version in version_list(instrument=instrument)[:limit]:
        entries.append(
            TimelineEntry(
                when=version.created_at,
                who=version.created_by,
                what="version",
                subject=str(version),
                version=version,
            )
        )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
