"""Comparison of two versions of a legal instrument.

The input is two canonical snapshots (the dicts the rest of the app produces: an
``instrument`` header, ``provisions`` in document order and the transfer ``schedule``).
The output is plain data (dataclasses, no HTML) for the side-by-side comparison page.

Provisions and schedule rows are aligned by their stable ``uid``, never by position:
inserting one article would otherwise shift every later article onto a different
partner and report the whole remainder of the instrument as rewritten. Inside a changed
text, the diff works on Khmer words (see :mod:`khmer.segment`) because Khmer puts no
spaces between words: a line diff flags a whole clause for a one-word edit and a
character diff interleaves the vowel signs of unrelated words.

This module is pure Python (no ORM, no settings) so that it can be tested and
benchmarked in isolation.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from diff_match_patch import diff_match_patch

from khmer.segment import words

__all__ = [
    "Comparison",
    "FieldDiff",
    "Op",
    "ProvisionDiff",
    "ScheduleRowDiff",
    "Segment",
    "Status",
    "Summary",
    "compare_snapshots",
    "word_diff",
]

Op = Literal["equal", "insert", "delete"]
Segment = tuple[Op, str]
Status = Literal["unchanged", "added", "deleted", "changed"]

PROVISION_TEXT_FIELDS = ("heading_km", "heading_en", "text_km", "text_en")
PROVISION_FIELDS = ("kind", *PROVISION_TEXT_FIELDS)
"""Fields whose difference makes a provision *changed* (``number`` is reported apart)."""

INSTRUMENT_TEXT_FIELDS = ("title_km", "title_en")
INSTRUMENT_FIELDS = ("type", *INSTRUMENT_TEXT_FIELDS)

SCHEDULE_TEXT_FIELDS = frozenset({"function_km", "function_en", "legal_basis", "assets"})
"""Schedule fields diffed word by word; the others are codes, numbers or dates."""

_DMP_OPS: dict[int, Op] = {
    diff_match_patch.DIFF_EQUAL: "equal",
    diff_match_patch.DIFF_INSERT: "insert",
    diff_match_patch.DIFF_DELETE: "delete",
}
_FIRST_TOKEN_CHAR = 0xE000
"""Tokens are encoded from the Private Use Area upwards: above the surrogates, so every
code point up to U+10FFFF is a valid character (a million distinct tokens)."""


@dataclass(frozen=True)
class FieldDiff:
    """One field that differs between the two versions."""

    name: str
    old: Any
    new: Any
    segments: list[Segment]
    """Word diff for text; for codes, numbers and dates, the old value deleted and the
    new one inserted, as strings."""


@dataclass(frozen=True)
class ProvisionDiff:
    """How one provision (matched by uid) differs between the versions.

    ``status`` is exactly one of unchanged/added/deleted/changed; ``moved`` and
    ``renumbered`` are independent of it (an unchanged article can be moved). ``fields``
    lists the changed fields of a *changed* provision and is empty otherwise: an added or
    deleted provision is shown whole.
    """

    uid: str
    status: Status
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None
    depth: int
    """Nesting level (0 for top-level) in the new version, or the old one if deleted."""
    moved: bool = False
    renumbered: bool = False
    fields: list[FieldDiff] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The provision's kind in the new version, or the old one if deleted."""
        return _text((self.new or self.old or {}).get("kind"))


@dataclass(frozen=True)
class ScheduleRowDiff:
    """How one row of the transfer schedule (matched by uid) differs between versions."""

    uid: str
    status: Status
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None
    fields: list[FieldDiff] = field(default_factory=list)

    @property
    def changed_fields(self) -> list[str]:
        return [diff.name for diff in self.fields]


@dataclass(frozen=True)
class Summary:
    """Counts for the comparison page header."""

    added: int
    deleted: int
    changed: int
    unchanged: int
    moved: int
    renumbered: int
    schedule_added: int
    schedule_deleted: int
    schedule_changed: int
    instrument_changed: int

    @property
    def has_changes(self) -> bool:
        return any(
            (
                self.added,
                self.deleted,
                self.changed,
                self.moved,
                self.renumbered,
                self.schedule_added,
                self.schedule_deleted,
                self.schedule_changed,
                self.instrument_changed,
            )
        )


@dataclass(frozen=True)
class Comparison:
    """The full comparison of two snapshots.

    ``provisions`` and ``schedule`` follow the new version's order, each deleted item
    placed right after the item that preceded it in the old version, so a side-by-side
    page can walk one list.
    """

    instrument: list[FieldDiff]
    provisions: list[ProvisionDiff]
    schedule: list[ScheduleRowDiff]
    summary: Summary


# -- word diff -----------------------------------------------------------------------


def _new_dmp() -> diff_match_patch:
    """A diff-match-patch instance that never gives up early.

    With a timeout, a slow diff silently degrades into "delete everything, insert
    everything"; token strings are short enough that the exact diff is cheap. One
    instance is shared, threads included: it holds nothing but these settings.
    """
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0
    return dmp


_dmp = _new_dmp()


def _encode_tokens(
    old_tokens: Sequence[str], new_tokens: Sequence[str]
) -> tuple[str, str, list[str]]:
    """Encode each distinct token as one character (diff-match-patch's linesToChars trick).

    diff-match-patch diffs characters; giving each word its own character makes it diff
    words while keeping its speed-ups (common prefix/suffix, Myers bisection).
    """
    codes: dict[str, str] = {}
    vocabulary: list[str] = []

    def encode(tokens: Sequence[str]) -> str:
        chars = []
        for token in tokens:
            char = codes.get(token)
            if char is None:
                char = codes[token] = chr(_FIRST_TOKEN_CHAR + len(vocabulary))
                vocabulary.append(token)
            chars.append(char)
        return "".join(chars)

    return encode(old_tokens), encode(new_tokens), vocabulary


def word_diff(old: str, new: str) -> list[Segment]:
    """Diff two texts word by word (ICU words, so Khmer words rather than clauses).

    Joining the ``equal`` and ``delete`` segments gives ``old``; joining the ``equal``
    and ``insert`` segments gives ``new``. Semantic clean-up is applied because it merges
    the scattered one-word coincidences (a shared ``និង`` or space inside a rewritten
    clause) into one deletion and one insertion, which reads far better, while leaving
    a genuine one-word edit as it is.
    """
    if old == new:
        return [("equal", old)] if old else []
    old_chars, new_chars, vocabulary = _encode_tokens(words(old), words(new))
    diffs = _dmp.diff_main(old_chars, new_chars, False)
    _dmp.diff_cleanupSemantic(diffs)
    return [
        (_DMP_OPS[op], "".join(vocabulary[ord(char) - _FIRST_TOKEN_CHAR] for char in chars))
        for op, chars in diffs
    ]


# -- shared helpers ------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _field_diff(name: str, old: Any, new: Any, *, is_text: bool) -> FieldDiff:
    old_text, new_text = _text(old), _text(new)
    if is_text:
        return FieldDiff(name, old, new, word_diff(old_text, new_text))
    segments: list[Segment] = []
    if old_text:
        segments.append(("delete", old_text))
    if new_text:
        segments.append(("insert", new_text))
    return FieldDiff(name, old, new, segments)


def _changed_fields(
    old: Mapping[str, Any], new: Mapping[str, Any], names: Iterable[str], text_fields: Iterable[str]
) -> list[FieldDiff]:
    """The fields among ``names`` whose value differs.

    Values are compared as text, with a missing key or None counting as "", so that an
    empty heading stored either way is not reported as a change.
    """
    if all(old.get(name) == new.get(name) for name in names):
        return []  # most provisions of two versions: equal values, nothing to render as text
    text_names = frozenset(text_fields)
    return [
        _field_diff(name, old.get(name), new.get(name), is_text=name in text_names)
        for name in names
        if _text(old.get(name)) != _text(new.get(name))
    ]


def _index_by_uid(items: Sequence[Mapping[str, Any]], what: str) -> dict[str, Mapping[str, Any]]:
    """Items keyed by uid; a duplicate uid would make the alignment ambiguous."""
    by_uid: dict[str, Mapping[str, Any]] = {}
    for item in items:
        uid = item["uid"]
        if uid in by_uid:
            raise ValueError(f"duplicate {what} uid {uid!r}")
        by_uid[uid] = item
    return by_uid


def _merged_order(old_uids: Sequence[str], new_uids: Sequence[str]) -> Iterator[str]:
    """All uids in the new order, each old-only uid right after its old predecessor.

    The predecessor is the nearest earlier uid of the old version that survives in the
    new one; deleted uids with none come first, consecutive deleted uids stay together.
    """
    kept = set(new_uids)
    deleted_after: dict[str | None, list[str]] = defaultdict(list)
    anchor: str | None = None
    for uid in old_uids:
        if uid in kept:
            anchor = uid
        else:
            deleted_after[anchor].append(uid)
    yield from deleted_after[None]
    for uid in new_uids:
        yield uid
        yield from deleted_after[uid]


# -- provisions ----------------------------------------------------------------------


def _longest_increasing_subsequence(values: Sequence[int]) -> set[int]:
    """Positions in ``values`` of one longest strictly increasing subsequence.

    Patience sorting, O(n log n): ``tails[k]`` is the position of the smallest value
    ending an increasing run of length k + 1.
    """
    tails: list[int] = []
    tail_values: list[int] = []
    previous = [-1] * len(values)
    for position, value in enumerate(values):
        length = bisect_left(tail_values, value)
        if length:
            previous[position] = tails[length - 1]
        if length == len(tails):
            tails.append(position)
            tail_values.append(value)
        else:
            tails[length] = position
            tail_values[length] = value
    result: set[int] = set()
    position = tails[-1] if tails else -1
    while position != -1:
        result.add(position)
        position = previous[position]
    return result


def _moved_uids(
    old_provisions: Sequence[Mapping[str, Any]],
    new_provisions: Sequence[Mapping[str, Any]],
    old_by_uid: Mapping[str, Mapping[str, Any]],
) -> set[str]:
    """Uids of provisions present in both versions that were moved.

    A provision moved if its parent changed, or if its order among the siblings that
    share its parent in both versions changed. The siblings kept in a longest increasing
    subsequence of old positions count as staying put, so inserting or deleting an
    article, or moving one, flags only that article and not everything after it.
    """
    old_position = {provision["uid"]: index for index, provision in enumerate(old_provisions)}
    moved: set[str] = set()
    common_siblings: dict[str | None, list[str]] = defaultdict(list)
    for provision in new_provisions:
        uid = provision["uid"]
        old = old_by_uid.get(uid)
        if old is None:
            continue
        if old.get("parent") != provision.get("parent"):
            moved.add(uid)
        else:
            common_siblings[provision.get("parent")].append(uid)
    for uids in common_siblings.values():
        in_place = _longest_increasing_subsequence([old_position[uid] for uid in uids])
        moved.update(uid for position, uid in enumerate(uids) if position not in in_place)
    return moved


def _depths(provisions: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Nesting depth of each provision; parents precede children in document order."""
    depths: dict[str, int] = {}
    for provision in provisions:
        parent = provision.get("parent")
        depths[provision["uid"]] = depths[parent] + 1 if parent in depths else 0
    return depths


def _compare_provisions(
    old_provisions: Sequence[Mapping[str, Any]], new_provisions: Sequence[Mapping[str, Any]]
) -> list[ProvisionDiff]:
    old_by_uid = _index_by_uid(old_provisions, "provision")
    new_by_uid = _index_by_uid(new_provisions, "provision")
    moved = _moved_uids(old_provisions, new_provisions, old_by_uid)
    old_depths, new_depths = _depths(old_provisions), _depths(new_provisions)
    diffs = []
    for uid in _merged_order(list(old_by_uid), list(new_by_uid)):
        old, new = old_by_uid.get(uid), new_by_uid.get(uid)
        if new is None:
            diffs.append(ProvisionDiff(uid, "deleted", old, None, old_depths[uid]))
        elif old is None:
            diffs.append(ProvisionDiff(uid, "added", None, new, new_depths[uid]))
        else:
            fields = _changed_fields(old, new, PROVISION_FIELDS, PROVISION_TEXT_FIELDS)
            diffs.append(
                ProvisionDiff(
                    uid,
                    "changed" if fields else "unchanged",
                    old,
                    new,
                    new_depths[uid],
                    moved=uid in moved,
                    renumbered=_text(old.get("number")) != _text(new.get("number")),
                    fields=fields,
                )
            )
    return diffs


# -- schedule ------------------------------------------------------------------------


def _schedule_field_names(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Every field of either row but the uid, in the row's own order."""
    names = dict.fromkeys([*new, *old])
    names.pop("uid", None)
    return list(names)


def _compare_schedule(
    old_rows: Sequence[Mapping[str, Any]], new_rows: Sequence[Mapping[str, Any]]
) -> list[ScheduleRowDiff]:
    old_by_uid = _index_by_uid(old_rows, "schedule row")
    new_by_uid = _index_by_uid(new_rows, "schedule row")
    diffs = []
    for uid in _merged_order(list(old_by_uid), list(new_by_uid)):
        old, new = old_by_uid.get(uid), new_by_uid.get(uid)
        if new is None:
            diffs.append(ScheduleRowDiff(uid, "deleted", old, None))
        elif old is None:
            diffs.append(ScheduleRowDiff(uid, "added", None, new))
        else:
            names = _schedule_field_names(old, new)
            fields = _changed_fields(old, new, names, SCHEDULE_TEXT_FIELDS)
            status: Status = "changed" if fields else "unchanged"
            diffs.append(ScheduleRowDiff(uid, status, old, new, fields))
    return diffs


# -- entry point ---------------------------------------------------------------------


def _count(items: Iterable[ProvisionDiff | ScheduleRowDiff], status: Status) -> int:
    return sum(item.status == status for item in items)


def _summarise(
    instrument: list[FieldDiff], provisions: list[ProvisionDiff], schedule: list[ScheduleRowDiff]
) -> Summary:
    return Summary(
        added=_count(provisions, "added"),
        deleted=_count(provisions, "deleted"),
        changed=_count(provisions, "changed"),
        unchanged=_count(provisions, "unchanged"),
        moved=sum(diff.moved for diff in provisions),
        renumbered=sum(diff.renumbered for diff in provisions),
        schedule_added=_count(schedule, "added"),
        schedule_deleted=_count(schedule, "deleted"),
        schedule_changed=_count(schedule, "changed"),
        instrument_changed=len(instrument),
    )


def compare_snapshots(old: Mapping[str, Any], new: Mapping[str, Any]) -> Comparison:
    """Compare two canonical snapshots of an instrument (old version first).

    Raises ``ValueError`` if a snapshot holds two provisions or two schedule rows with
    the same uid.
    """
    old_header, new_header = old.get("instrument", {}), new.get("instrument", {})
    instrument = _changed_fields(old_header, new_header, INSTRUMENT_FIELDS, INSTRUMENT_TEXT_FIELDS)
    provisions = _compare_provisions(old.get("provisions", []), new.get("provisions", []))
    schedule = _compare_schedule(old.get("schedule", []), new.get("schedule", []))
    summary = _summarise(instrument, provisions, schedule)
    return Comparison(instrument, provisions, schedule, summary)
