"""Keeping the index in step with the text: every write of a searchable piece writes its entry
in the same transaction (``search.signals`` calls these on each save; ``search_reindex``
rebuilds everything).

An entry's vector (PostgreSQL) and its FTS5 row (SQLite) are written by the database's own
triggers from ``keys`` (migration 0001), so whatever writes an entry — these functions, a bulk
insert, a cascade — cannot leave them behind.
"""

from collections.abc import Iterable

from django.db import transaction

from documents.models import Instrument, Provision, ScheduleRow, Version
from search.models import SearchEntry
from search.normalise import keys
from workflows.models import Comment

Kind = SearchEntry.Kind
PROVISION_FIELDS = ("heading_km", "text_km", "heading_en", "text_en", "kind")

# The versions whose text is found: what was sent to the ministries, and what was signed.
SEARCHED_REASONS = frozenset({Version.Reason.CONSULTATION, Version.Reason.SIGNED})


def _joined(*texts: str) -> str:
    return "\n".join(text for text in texts if text)


def _keys(text: str) -> str:
    return " ".join(keys(text))


def _provision_text(item) -> str:
    get = item.get if isinstance(item, dict) else lambda name, d="": getattr(item, name, d)
    return _joined(
        get("heading_km", ""), get("text_km", ""), get("heading_en", ""), get("text_en", "")
    )


def _row_text(item) -> str:
    get = item.get if isinstance(item, dict) else lambda name, d="": getattr(item, name, d)
    return _joined(
        get("function_km", ""), get("function_en", ""), get("legal_basis", ""), get("assets", "")
    )


def _put(lookup: dict, values: dict) -> None:
    """Write the entry ``lookup`` finds (or a new one): one UPDATE, an INSERT when it is new."""
    text = values["text"]
    values = {**values, "keys": _keys(text)}
    if not text:
        SearchEntry.objects.filter(**lookup).delete()
        return
    if not SearchEntry.objects.filter(**lookup).update(**values):
        SearchEntry.objects.create(**lookup, **values)


def index_title(instrument: Instrument) -> None:
    _put(
        {"kind": Kind.TITLE, "instrument_id": instrument.pk, "version": None},
        {"text": _joined(instrument.title_km, instrument.title_en)},
    )


def _provision_values(provision: Provision) -> dict:
    return {
        "kind": Kind.PROVISION,
        "instrument_id": provision.instrument_id,
        "provision_uid": provision.uid,
        "provision_kind": provision.kind,
        "text": _provision_text(provision),
    }


def _row_values(row: ScheduleRow) -> dict:
    return {
        "kind": Kind.SCHEDULE_ROW,
        "instrument_id": row.instrument_id,
        "provision_uid": row.uid,
        "organisation_id": row.from_ministry_id,
        "text": _row_text(row),
    }


def _new_entry(values: dict, **source) -> SearchEntry | None:
    """An unsaved entry of ``values`` for ``source`` (its provision, row or comment), for a
    bulk insert; none for a piece without text."""
    if not values["text"]:
        return None
    return SearchEntry(**source, **values, keys=_keys(values["text"]))


def index_provision(provision: Provision) -> None:
    _put({"provision_id": provision.pk}, _provision_values(provision))


def index_schedule_row(row: ScheduleRow) -> None:
    _put({"schedule_row_id": row.pk}, _row_values(row))


def _comment_values(comment: Comment) -> dict:
    consultation_round = comment.consultation.round
    kind, _colon, number = (comment.provision_label or "").partition(":")
    return {
        "kind": Kind.COMMENT,
        "instrument_id": consultation_round.instrument_id,
        "version_id": consultation_round.version_id,
        "organisation_id": comment.consultation.organisation_id,
        "provision_uid": comment.provision_uid,
        "provision_kind": kind,
        "provision_number": number,
        "text": comment.text,
    }


def index_comment(comment: Comment) -> None:
    _put({"comment_id": comment.pk}, _comment_values(comment))


def _version_entries(version: Version, ministries: dict[str, int]) -> list[SearchEntry]:
    snapshot = version.snapshot
    entries = []
    for item in snapshot.get("provisions", []):
        text = _provision_text(item)
        if text:
            entries.append(
                SearchEntry(
                    kind=Kind.PROVISION,
                    instrument_id=version.instrument_id,
                    version=version,
                    provision_uid=item["uid"],
                    provision_kind=item.get("kind", ""),
                    provision_number=item.get("number", ""),
                    text=text,
                    keys=_keys(text),
                )
            )
    for item in snapshot.get("schedule", []):
        text = _row_text(item)
        if text:
            entries.append(
                SearchEntry(
                    kind=Kind.SCHEDULE_ROW,
                    instrument_id=version.instrument_id,
                    version=version,
                    provision_uid=item["uid"],
                    organisation_id=ministries.get(item.get("from_ministry")),
                    text=text,
                    keys=_keys(text),
                )
            )
    return entries


def _ministries(versions: Iterable[Version]) -> dict[str, int]:
    from organisations.models import Organisation

    codes = {
        item.get("from_ministry")
        for version in versions
        for item in version.snapshot.get("schedule", [])
    }
    if not codes:
        return {}
    return dict(Organisation.objects.filter(code__in=codes).values_list("code", "pk"))


def index_version(version: Version) -> None:
    """A version sent or signed: its provisions and schedule rows, as frozen (once: a version
    never changes)."""
    if version.reason not in SEARCHED_REASONS:
        return
    SearchEntry.objects.filter(version=version).exclude(kind=Kind.COMMENT).delete()
    SearchEntry.objects.bulk_create(_version_entries(version, _ministries([version])))


def index_draft(instrument: Instrument) -> None:
    """The working draft's whole text and schedule again: after a path that writes its rows
    in bulk (restoring a version), which sends no signal of its own."""
    SearchEntry.objects.filter(instrument=instrument, version=None).exclude(
        kind=Kind.TITLE
    ).delete()
    provisions = Provision.objects.filter(instrument=instrument)
    rows = ScheduleRow.objects.filter(instrument=instrument)
    entries = [
        *(_new_entry(_provision_values(p), provision=p) for p in provisions),
        *(_new_entry(_row_values(row), schedule_row=row) for row in rows),
    ]
    SearchEntry.objects.bulk_create([entry for entry in entries if entry])


@transaction.atomic
def reindex_all(*, batch: int = 500) -> int:
    """Empty the index and write it again from everything searchable; returns the entries."""
    SearchEntry.objects.all().delete()
    written = 0

    def flush(entries: list[SearchEntry]) -> int:
        SearchEntry.objects.bulk_create(entries, batch_size=batch)
        return len(entries)

    entries = []
    for instrument in Instrument.objects.order_by().iterator(chunk_size=batch):
        text = _joined(instrument.title_km, instrument.title_en)
        entries.append(
            SearchEntry(kind=Kind.TITLE, instrument=instrument, text=text, keys=_keys(text))
        )
    written += flush(entries)
    for instrument_id in Instrument.objects.order_by().values_list("pk", flat=True):
        index_draft(Instrument(pk=instrument_id))
    versions = Version.objects.filter(reason__in=SEARCHED_REASONS).order_by()
    for version in versions.iterator(chunk_size=50):
        written += flush(_version_entries(version, _ministries([version])))
    comments = Comment.objects.select_related("consultation__round").order_by()
    entries = [
        _new_entry(_comment_values(comment), comment=comment)
        for comment in comments.iterator(chunk_size=batch)
    ]
    written += flush([entry for entry in entries if entry])
    return SearchEntry.objects.count()
