"""Reads about instruments. Each costs a fixed number of queries, whatever the text's length."""

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from documents.diffing import Comparison, compare_snapshots
from documents.errors import VersionIntegrityError
from documents.models import Instrument, Provision, ScheduleRow, Version
from documents.numbering import Node, number_tree
from documents.snapshots import canonical_bytes
from organisations.models import Organisation


def instrument_list(*, instruments: QuerySet[Instrument]) -> QuerySet[Instrument]:
    """The instrument list's rows, from the instruments the user may see: one query."""
    return instruments.select_related("instrument_type", "lead_drafter")


def co_drafter_ids(*, instrument: Instrument) -> list[int]:
    return list(instrument.co_drafters.values_list("pk", flat=True))


def instrument_tree(*, instrument: Instrument) -> list[Node]:
    """The text in document order, numbered: one query."""
    return number_tree(Provision.objects.filter(instrument=instrument))


OUTLINE_RUN = 30
"""How many articles outside chapters the editor shows, or folds, together."""

OUTLINE_HEADINGS = {
    Provision.Kind.PART,
    Provision.Kind.CHAPTER,
    Provision.Kind.SECTION,
    Provision.Kind.ANNEX,
}
"""The structure the editor always shows, each heading with the number of articles it holds."""


@dataclass
class OutlineFold:
    """What the editor folds: a chapter's text, or a run of at most ``OUTLINE_RUN`` articles
    that stand in no chapter. ``key`` is the chapter's pk, or the run's first article's."""

    key: int
    chapter: Node | None
    nodes: list[Node]
    articles: int = 0

    @property
    def depth(self) -> int:
        return self.nodes[0].depth if self.nodes else 0

    def first_label(self) -> str:
        return self.nodes[0].label() if self.nodes else ""

    def last_label(self) -> str:
        return next((n.label() for n in reversed(self.nodes) if n.provision.kind == "article"), "")


@dataclass
class Outline:
    """The editor's text: every provision numbered, cut into folds. Computed from the one
    query of ``instrument_tree``, so showing one fold or another costs the same."""

    nodes: list[Node]
    folds: list[OutlineFold]
    fold_of: dict[int, OutlineFold]  # provision pk → the fold holding it (a chapter: its own)
    articles: dict[int, int]  # heading's pk → the articles under it

    def fold_holding(self, pk: object) -> OutlineFold | None:
        """The fold that holds provision ``pk`` (as a request gave it), or None."""
        try:
            return self.fold_of.get(int(pk))
        except (TypeError, ValueError):
            return None

    def block(self, node: Node) -> dict:
        return {"node": node, "articles": self.articles.get(node.provision.pk)}

    def blocks(self, *, opened: OutlineFold | None) -> list[dict]:
        """The page's walk through the text: each provision shown, with the text of the fold
        ``opened`` only; in place of each other fold's text, ``{"fold": …}`` (with the
        headings of a folded chapter's sections, which are structure)."""
        blocks: list[dict] = []
        for node in self.nodes:
            fold = self.fold_of.get(node.provision.pk)
            if fold is None or fold is opened or fold.chapter is node:
                blocks.append(self.block(node))
                if fold is not None and fold is not opened and fold.nodes:
                    sections = [
                        self.block(n) for n in fold.nodes if n.provision.kind in OUTLINE_HEADINGS
                    ]
                    blocks.append({"fold": fold, "sections": sections})
            elif fold.chapter is None and node is fold.nodes[0]:
                blocks.append({"fold": fold, "sections": []})
        return blocks

    def fold_blocks(self, fold: OutlineFold) -> list[dict]:
        """The text a fold holds, as ``blocks`` would show it opened."""
        return [self.block(node) for node in fold.nodes]


def instrument_outline(*, instrument: Instrument) -> Outline:
    """The editor's outline of the text: one query (``instrument_tree``)."""
    return outline_of(nodes=instrument_tree(instrument=instrument))


def outline_of(*, nodes: list[Node]) -> Outline:
    """Cut numbered ``nodes`` into folds: each chapter with everything in it; the articles
    outside chapters (at the top, in a part, in an annex) in runs of ``OUTLINE_RUN``
    siblings, each with its paragraphs. Parts, annexes and preamble stay outside. No query."""
    folds: list[OutlineFold] = []
    fold_of: dict[int, OutlineFold] = {}
    articles: dict[int, int] = {}
    parent_of: dict[int, int | None] = {}
    run: OutlineFold | None = None
    for node in nodes:
        provision = node.provision
        parent_of[provision.pk] = provision.parent_id
        holder = fold_of.get(provision.parent_id)
        if provision.kind == Provision.Kind.CHAPTER:
            holder = OutlineFold(key=provision.pk, chapter=node, nodes=[])
            folds.append(holder)
            run = None
        elif holder is not None:
            holder.nodes.append(node)
        elif provision.kind == Provision.Kind.ARTICLE:
            same_run = run is not None and run.nodes[0].provision.parent_id == provision.parent_id
            if not same_run or run.articles == OUTLINE_RUN:
                run = OutlineFold(key=provision.pk, chapter=None, nodes=[])
                folds.append(run)
            holder = run
            holder.nodes.append(node)
        else:
            run = None  # a part, an annex or the preamble ends a run
        if holder is not None:
            fold_of[provision.pk] = holder
        if provision.kind in OUTLINE_HEADINGS:
            articles[provision.pk] = 0
        if provision.kind == Provision.Kind.ARTICLE:
            if holder is not None:
                holder.articles += 1
            ancestor = provision.parent_id
            while ancestor is not None:
                if ancestor in articles:
                    articles[ancestor] += 1
                ancestor = parent_of.get(ancestor)
    return Outline(nodes=nodes, folds=folds, fold_of=fold_of, articles=articles)


def heading_articles(*, node: Node) -> int | None:
    """For a heading of the structure, the articles under it (as the outline counts them);
    None for any other provision. No query: ``node.children`` holds the tree."""
    if node.provision.kind not in OUTLINE_HEADINGS:
        return None
    count, below = 0, list(node.children)
    while below:
        child = below.pop()
        count += child.provision.kind == Provision.Kind.ARTICLE
        below.extend(child.children)
    return count


def provision_beside(*, provision: Provision) -> int | None:
    """The pk of the sibling just before the provision, else just after it, else None: what
    the editor keeps open once the provision is deleted. Two queries at most."""
    siblings = Provision.objects.filter(
        instrument_id=provision.instrument_id, parent_id=provision.parent_id
    ).values_list("pk", flat=True)
    before = siblings.filter(position__lt=provision.position).order_by("-position").first()
    if before is not None:
        return before
    return siblings.filter(position__gt=provision.position).order_by("position").first()


def provision_of(*, instrument: Instrument, pk: object) -> Provision | None:
    """The instrument's provision ``pk`` (as the request gave it), or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Provision.objects.filter(pk=pk, instrument=instrument).first()


def instrument_node(*, instrument: Instrument, provision_pk: int) -> Node | None:
    """The provision as a numbered node of the current tree: one query."""
    for node in instrument_tree(instrument=instrument):
        if node.provision.pk == provision_pk:
            return node
    return None


def move_targets(
    *, nodes: list[Node], node: Node, allowed_parents: Mapping[str, set[str | None]]
) -> tuple[bool, list[Node]]:
    """Where ``node``'s provision may be moved, from the tree ``nodes``: whether to the top
    level, and which containers (of a kind ``allowed_parents`` lets hold it, outside
    itself). No query."""
    inside = {node.provision.pk}
    for other in nodes:  # document order: a descendant comes after its parent
        if other.provision.parent_id in inside:
            inside.add(other.provision.pk)
    allowed = allowed_parents[node.provision.kind]
    containers = [
        other
        for other in nodes
        if other.provision.pk not in inside and other.provision.kind in allowed
    ]
    return None in allowed, containers


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


def schedule_row_of(*, instrument: Instrument, pk: int) -> ScheduleRow | None:
    return (
        ScheduleRow.objects.select_related("from_ministry")
        .filter(pk=pk, instrument=instrument)
        .first()
    )


def versions_with_previous(*, instrument: Instrument) -> list[Version]:
    """``version_list``, each version (newest first) given ``previous``: the one saved just
    before it, or None. One query."""
    versions = version_list(instrument=instrument)
    for index, version in enumerate(versions):
        version.previous = versions[index + 1] if index + 1 < len(versions) else None
    return versions


def version_of(*, instrument: Instrument, pk: int) -> Version | None:
    return Version.objects.filter(pk=pk, instrument=instrument).first()


_VERSION_KEY = re.compile(r"[0-9]{1,18}")


class ContentMemo:
    """What was read or computed of saved versions, kept by their SHA-256 in this process
    (the last ``size`` of them). A version never changes and its hash is of its snapshot,
    so an entry can never be stale: no invalidation, whatever the database does. Its
    values are shared: read-only to every caller."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
            return self._items.get(key)

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get_or_make(self, key, make: Callable):
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


# A 300-article snapshot is a few hundred KB of JSON: decoding the two of a comparison was a
# third of the comparison page's time, and the fold links ask for the same pair again.
snapshot_memo = ContentMemo(size=32)
comparison_memo = ContentMemo(size=16)


def snapshots_to_compare(
    *, instrument: Instrument, keys: Iterable[str]
) -> dict[str, tuple[dict, Version | None]] | None:
    """``{key: (snapshot, version or None)}`` for each key, "draft" (the working draft) or a
    version's pk as the request gave it; None if a key names no version of the instrument.
    Two queries at most (the versions; the snapshots this process has not read yet)."""
    keys = list(keys)
    pks = set()
    for key in keys:
        if key != "draft":
            # ASCII digits only, and a number a key can hold ("²".isdigit() is true too).
            if not _VERSION_KEY.fullmatch(key):
                return None
            pks.add(int(key))
    found = {
        version.pk: version
        for version in Version.objects.filter(instrument=instrument, pk__in=pks)
        .select_related("created_by")
        .defer("snapshot")
    }
    snapshots = {pk: snapshot_memo.get(version.sha256) for pk, version in found.items()}
    unread = [pk for pk, snapshot in snapshots.items() if snapshot is None]
    if unread:
        for pk, snapshot in Version.objects.filter(pk__in=unread).values_list("pk", "snapshot"):
            snapshots[pk] = snapshot
            snapshot_memo.put(found[pk].sha256, snapshot)
    result = {}
    for key in keys:
        if key == "draft":
            if key not in result:
                result[key] = (instrument_snapshot(instrument=instrument), None)
        else:
            version = found.get(int(key))
            if version is None:
                return None
            version.snapshot = snapshots[version.pk]
            result[key] = (version.snapshot, version)
    return result


def comparison_of(old: tuple[dict, Version | None], new: tuple[dict, Version | None]) -> Comparison:
    """``compare_snapshots`` of two of ``snapshots_to_compare``'s answers; of two saved
    versions, computed once per process and pair."""
    (old_snapshot, old_version), (new_snapshot, new_version) = old, new
    if old_version is None or new_version is None:  # the working draft changes: never kept
        return compare_snapshots(old_snapshot, new_snapshot)
    return comparison_memo.get_or_make(
        (old_version.sha256, new_version.sha256),
        lambda: compare_snapshots(old_snapshot, new_snapshot),
    )


def ministry_names(*, snapshots: Iterable[dict]) -> dict[str, str]:
    """The names of the ministries the snapshots' transfer schedules name, by code: one
    query (none without a schedule)."""
    codes = {
        row.get("from_ministry") for snapshot in snapshots for row in snapshot.get("schedule", [])
    }
    if not codes:
        return {}
    return {o.code: o.name for o in Organisation.objects.filter(code__in=codes)}


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


def timeline_with_previous(*, instrument: Instrument) -> list[tuple[TimelineEntry, Version | None]]:
    """``instrument_timeline``, each version's entry paired with the version before it (to
    compare with), every other entry with None. Five queries."""
    previous = {
        version.pk: version.previous for version in versions_with_previous(instrument=instrument)
    }
    return [
        (entry, previous.get(entry.version.pk) if entry.version else None)
        for entry in instrument_timeline(instrument=instrument)
    ]
