"""The version comparison engine, on an instrument built from the real Khmer mandate.

The mandate becomes an instrument: each paragraph introducing a bulleted list becomes a
chapter, each bullet an article of that chapter (numbered across the instrument, as
Khmer laws do) and every other paragraph a top-level paragraph.
"""

import copy
from pathlib import Path
from typing import Any

import pytest

from documents.diffing import (
    Comparison,
    ProvisionDiff,
    Segment,
    compare_snapshots,
    word_diff,
)
from documents.templatetags.documents import segments_to_html
from khmer.segment import word_boundaries

MANDATE_PATH = Path(__file__).resolve().parents[2] / "tests/data/department-mandate.km.txt"
BULLET = "•"

Snapshot = dict[str, Any]


# -- building snapshots ----------------------------------------------------------------


@pytest.fixture(scope="module")
def mandate_lines() -> list[str]:
    text = MANDATE_PATH.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.fixture
def snapshot(mandate_lines: list[str]) -> Snapshot:
    return build_snapshot(mandate_lines)


@pytest.fixture(scope="module")
def bullets(mandate_lines: list[str]) -> list[str]:
    return [line.lstrip(BULLET).strip() for line in mandate_lines if line.startswith(BULLET)]


def provision(uid: str, kind: str, parent: str | None, **texts: str) -> dict[str, Any]:
    return {
        "uid": uid,
        "kind": kind,
        "parent": parent,
        "number": "",
        "heading_km": texts.get("heading_km", ""),
        "heading_en": texts.get("heading_en", ""),
        "text_km": texts.get("text_km", ""),
        "text_en": texts.get("text_en", ""),
    }


def build_snapshot(lines: list[str]) -> Snapshot:
    title, *body = lines
    provisions = []
    chapter = None
    for index, line in enumerate(body):
        if line.startswith(BULLET):
            text = line.lstrip(BULLET).strip()
            provisions.append(provision(f"art-{index}", "article", chapter, text_km=text))
        elif index + 1 < len(body) and body[index + 1].startswith(BULLET):
            chapter = f"chap-{index}"
            provisions.append(provision(chapter, "chapter", None, heading_km=line))
        else:
            provisions.append(provision(f"para-{index}", "paragraph", None, text_km=line))
    snapshot = {
        "instrument": {"type": "prakas", "title_km": title, "title_en": "Department mandate"},
        "provisions": provisions,
        "schedule": [],
    }
    return renumber(snapshot)


def renumber(snapshot: Snapshot) -> Snapshot:
    """Recompute the number labels as the app does: chapters and articles run on."""
    counters: dict[str, int] = {"chapter": 0, "article": 0}
    for item in snapshot["provisions"]:
        if item["kind"] in counters:
            counters[item["kind"]] += 1
            item["number"] = str(counters[item["kind"]])
    return snapshot


def uids(snapshot: Snapshot, kind: str, parent: str | None = None) -> list[str]:
    return [
        item["uid"]
        for item in snapshot["provisions"]
        if item["kind"] == kind and (parent is None or item["parent"] == parent)
    ]


def find(snapshot: Snapshot, uid: str) -> dict[str, Any]:
    return next(item for item in snapshot["provisions"] if item["uid"] == uid)


def position(snapshot: Snapshot, uid: str) -> int:
    return next(i for i, item in enumerate(snapshot["provisions"]) if item["uid"] == uid)


def move(snapshot: Snapshot, uid: str, *, after: str, parent: str | None = None) -> None:
    """Move provision ``uid`` to just after provision ``after``, optionally re-parenting it."""
    item = snapshot["provisions"].pop(position(snapshot, uid))
    if parent is not None:
        item["parent"] = parent
    snapshot["provisions"].insert(position(snapshot, after) + 1, item)


def diff_of(comparison: Comparison, uid: str) -> ProvisionDiff:
    return next(diff for diff in comparison.provisions if diff.uid == uid)


def flagged(comparison: Comparison, attribute: str) -> set[str]:
    return {diff.uid for diff in comparison.provisions if getattr(diff, attribute)}


def with_status(comparison: Comparison, status: str) -> set[str]:
    return {diff.uid for diff in comparison.provisions if diff.status == status}


def assert_word_aligned(old: str, new: str, segments: list[Segment]) -> None:
    """The segments rebuild both texts and every cut falls on an ICU word boundary."""
    assert "".join(text for op, text in segments if op != "insert") == old
    assert "".join(text for op, text in segments if op != "delete") == new
    old_bounds, new_bounds = set(word_boundaries(old)), set(word_boundaries(new))
    old_at = new_at = 0
    for op, text in segments:
        assert text
        if op != "insert":
            old_at += len(text)
            assert old_at in old_bounds
        if op != "delete":
            new_at += len(text)
            assert new_at in new_bounds


# -- provisions --------------------------------------------------------------------------


def test_identical_versions_have_no_changes(snapshot: Snapshot) -> None:
    comparison = compare_snapshots(snapshot, copy.deepcopy(snapshot))
    assert not comparison.summary.has_changes
    assert comparison.summary.unchanged == len(snapshot["provisions"])
    order = [diff.uid for diff in comparison.provisions]
    assert order == [item["uid"] for item in snapshot["provisions"]]
    assert comparison.instrument == []


def test_changed_words_are_reported_as_khmer_words(snapshot: Snapshot) -> None:
    new = copy.deepcopy(snapshot)
    article = find(new, uids(new, "article")[0])
    old_text = article["text_km"]
    assert old_text.startswith("រៀបចំក្របខណ្ឌ")
    article["text_km"] = old_text.replace("រៀបចំ", "កសាង", 1).replace("នានា", "ទាំងអស់")

    comparison = compare_snapshots(snapshot, new)

    diff = diff_of(comparison, article["uid"])
    assert diff.status == "changed"
    assert not diff.moved and not diff.renumbered
    assert [field.name for field in diff.fields] == ["text_km"]
    segments = diff.fields[0].segments
    assert [(op, text) for op, text in segments if op != "equal"] == [
        ("delete", "រៀបចំ"),
        ("insert", "កសាង"),
        ("delete", "នានា"),
        ("insert", "ទាំងអស់"),
    ]
    assert_word_aligned(old_text, article["text_km"], segments)
    assert comparison.summary.changed == 1
    assert comparison.summary.unchanged == len(snapshot["provisions"]) - 1


def test_added_article_renumbers_later_articles_without_moving_them(snapshot: Snapshot) -> None:
    new = copy.deepcopy(snapshot)
    articles = uids(new, "article")
    third = find(new, articles[2])
    added = provision("art-new", "article", third["parent"], text_km="ចុះត្រួតពិនិត្យ និងវាយតម្លៃ")
    new["provisions"].insert(position(new, third["uid"]) + 1, added)
    renumber(new)

    comparison = compare_snapshots(snapshot, new)

    assert with_status(comparison, "added") == {"art-new"}
    assert diff_of(comparison, "art-new").new["number"] == "4"
    assert flagged(comparison, "moved") == set()
    assert flagged(comparison, "renumbered") == set(articles[3:])
    assert comparison.summary.changed == 0
    assert comparison.summary.added == 1


def test_deleted_article_stays_in_place_in_the_merged_order(snapshot: Snapshot) -> None:
    new = copy.deepcopy(snapshot)
    articles = uids(new, "article")
    del new["provisions"][position(new, articles[4])]
    renumber(new)

    comparison = compare_snapshots(snapshot, new)

    assert with_status(comparison, "deleted") == {articles[4]}
    deleted = diff_of(comparison, articles[4])
    assert deleted.new is None and deleted.old["number"] == "5"
    order = [diff.uid for diff in comparison.provisions]
    assert order == [p["uid"] for p in snapshot["provisions"]]
    assert flagged(comparison, "moved") == set()
    assert flagged(comparison, "renumbered") == set(articles[5:])


def test_article_moved_to_another_chapter(snapshot: Snapshot) -> None:
    new = copy.deepcopy(snapshot)
    chapters = uids(new, "chapter")
    article = uids(new, "article", chapters[0])[1]
    last_of_third = uids(new, "article", chapters[2])[-1]
    move(new, article, after=last_of_third, parent=chapters[2])
    renumber(new)

    comparison = compare_snapshots(snapshot, new)

    diff = diff_of(comparison, article)
    assert diff.status == "unchanged"
    assert diff.moved and diff.renumbered
    assert flagged(comparison, "moved") == {article}
    assert comparison.summary.moved == 1
    assert comparison.summary.changed == 0


def test_reordering_within_a_chapter_flags_only_the_moved_article(snapshot: Snapshot) -> None:
    new = copy.deepcopy(snapshot)
    first_chapter = uids(new, "chapter")[0]
    articles = uids(new, "article", first_chapter)
    move(new, articles[0], after=articles[5])
    renumber(new)

    comparison = compare_snapshots(snapshot, new)

    assert flagged(comparison, "moved") == {articles[0]}
    assert flagged(comparison, "renumbered") == set(articles[:6])


def test_moved_chapter_does_not_flag_its_articles(snapshot: Snapshot) -> None:
    new = copy.deepcopy(snapshot)
    chapters = uids(new, "chapter")
    block_start = position(new, chapters[1])
    block_end = position(new, uids(new, "article", chapters[1])[-1]) + 1
    block = new["provisions"][block_start:block_end]
    del new["provisions"][block_start:block_end]
    new["provisions"].extend(block)
    renumber(new)

    comparison = compare_snapshots(snapshot, new)

    assert flagged(comparison, "moved") == {chapters[1]}
    assert diff_of(comparison, uids(new, "article", chapters[1])[0]).depth == 1


def test_renumbering_alone_is_not_a_change(snapshot: Snapshot) -> None:
    new = copy.deepcopy(snapshot)
    chapter = find(new, uids(new, "chapter")[0])
    chapter["number"] = "1a"

    comparison = compare_snapshots(snapshot, new)

    diff = diff_of(comparison, chapter["uid"])
    assert (diff.status, diff.renumbered, diff.moved) == ("unchanged", True, False)
    assert comparison.summary.renumbered == 1


def test_kind_and_heading_changes(snapshot: Snapshot) -> None:
    new = copy.deepcopy(snapshot)
    chapter = find(new, uids(new, "chapter")[1])
    old_heading = chapter["heading_km"]
    chapter["kind"] = "part"
    chapter["heading_en"] = "Administration Office"

    comparison = compare_snapshots(snapshot, new)

    diff = diff_of(comparison, chapter["uid"])
    assert diff.status == "changed"
    assert diff.kind == "part"
    assert {field.name: field.segments for field in diff.fields} == {
        "kind": [("delete", "chapter"), ("insert", "part")],
        "heading_en": [("insert", "Administration Office")],
    }
    assert chapter["heading_km"] == old_heading


def test_missing_and_none_texts_count_as_empty(snapshot: Snapshot) -> None:
    new = copy.deepcopy(snapshot)
    for item in new["provisions"]:
        item["heading_en"] = None
        del item["text_en"]
    assert not compare_snapshots(snapshot, new).summary.has_changes


def test_duplicate_uid_is_refused(snapshot: Snapshot) -> None:
    new = copy.deepcopy(snapshot)
    new["provisions"].append(copy.deepcopy(new["provisions"][-1]))
    with pytest.raises(ValueError, match="duplicate provision uid"):
        compare_snapshots(snapshot, new)


def test_instrument_title_change(snapshot: Snapshot) -> None:
    new = copy.deepcopy(snapshot)
    new["instrument"]["title_km"] = "ការិយាល័យមុខងារ និងធនធាន"

    comparison = compare_snapshots(snapshot, new)

    assert [field.name for field in comparison.instrument] == ["title_km"]
    assert comparison.instrument[0].segments == [
        ("delete", "នាយកដ្ឋាន"),
        ("insert", "ការិយាល័យ"),
        ("equal", "មុខងារ និងធនធាន"),
    ]
    assert comparison.summary.instrument_changed == 1


def test_three_hundred_article_instrument(bullets: list[str]) -> None:
    """A realistic large revision: every kind of change at once, counted exactly."""
    chapters = [provision(f"c{c}", "chapter", None, heading_km=bullets[c]) for c in range(15)]
    old: Snapshot = {"instrument": {}, "provisions": [], "schedule": []}
    for chapter_index, chapter in enumerate(chapters):
        old["provisions"].append(chapter)
        for offset in range(20):
            n = chapter_index * 20 + offset
            text = f"{bullets[n % len(bullets)]} {bullets[(n * 7 + 3) % len(bullets)]}"
            old["provisions"].append(provision(f"a{n}", "article", chapter["uid"], text_km=text))
    renumber(old)
    new = copy.deepcopy(old)

    changed = {f"a{n}" for n in range(0, 300, 10)}
    for uid in changed:
        item = find(new, uid)
        item["text_km"] = item["text_km"].replace("និង", "ព្រមទាំង", 1) + " ជាប្រចាំ"
    deleted = {"a3", "a64", "a125", "a186", "a247"}
    new["provisions"] = [item for item in new["provisions"] if item["uid"] not in deleted]
    moved = {"a21", "a82", "a143", "a204", "a265"}
    for uid in moved:
        target = f"c{(int(uid[1:]) // 20 + 3) % 15}"
        move(new, uid, after=target, parent=target)
    for index in range(5):
        anchor = f"a{index * 60 + 45}"
        parent = find(new, anchor)["parent"]
        added = provision(f"n{index}", "article", parent, text_km=bullets[index])
        new["provisions"].insert(position(new, anchor) + 1, added)
    renumber(new)

    comparison = compare_snapshots(old, new)

    summary = comparison.summary
    assert (summary.added, summary.deleted, summary.changed) == (5, 5, len(changed))
    assert with_status(comparison, "changed") == changed
    assert with_status(comparison, "deleted") == deleted
    assert flagged(comparison, "moved") == moved
    old_numbers = {p["uid"]: p["number"] for p in old["provisions"]}
    expected_renumbered = {
        p["uid"] for p in new["provisions"] if old_numbers.get(p["uid"], p["number"]) != p["number"]
    }
    assert flagged(comparison, "renumbered") == expected_renumbered
    assert len(comparison.provisions) == len(old["provisions"]) + 5
    for diff in comparison.provisions:
        for field in diff.fields:
            assert_word_aligned(field.old, field.new, field.segments)
            assert [text for op, text in field.segments if op == "insert"] == ["ព្រមទាំង", " ជាប្រចាំ"]


# -- schedule ----------------------------------------------------------------------------


def schedule_row(uid: str, function_km: str, **values: Any) -> dict[str, Any]:
    row = {
        "uid": uid,
        "function_km": function_km,
        "function_en": "",
        "from_ministry": "mef",
        "level": "district",
        "legal_basis": "",
        "staff_count": 3,
        "budget_riel": 1_000_000,
        "assets": "",
        "effective_date": "2027-01-01",
    }
    return row | values


def test_schedule_rows_are_compared_by_uid(snapshot: Snapshot, bullets: list[str]) -> None:
    snapshot["schedule"] = [schedule_row(f"row-{i}", bullets[i]) for i in range(4)]
    new = copy.deepcopy(snapshot)
    changed = new["schedule"][1]
    assert "បែបបទ" in changed["function_km"]
    changed["function_km"] = changed["function_km"].replace("បែបបទ", "ទម្រង់បែបបទ")
    changed["staff_count"] = 4
    del new["schedule"][2]
    new["schedule"].insert(0, schedule_row("row-new", bullets[9], level="commune"))

    comparison = compare_snapshots(snapshot, new)

    assert [(row.uid, row.status) for row in comparison.schedule] == [
        ("row-new", "added"),
        ("row-0", "unchanged"),
        ("row-1", "changed"),
        ("row-2", "deleted"),
        ("row-3", "unchanged"),
    ]
    row = comparison.schedule[2]
    assert row.changed_fields == ["function_km", "staff_count"]
    function, staff = row.fields
    assert_word_aligned(function.old, function.new, function.segments)
    assert [(op, text) for op, text in function.segments if op != "equal"] == [
        ("insert", "ទម្រង់"),
    ]
    assert (staff.old, staff.new, staff.segments) == (3, 4, [("delete", "3"), ("insert", "4")])
    summary = comparison.summary
    assert (summary.schedule_added, summary.schedule_deleted, summary.schedule_changed) == (1, 1, 1)
    assert summary.has_changes and summary.changed == 0


# -- word diff and HTML ------------------------------------------------------------------


def test_word_diff_rebuilds_both_texts_on_word_boundaries(bullets: list[str]) -> None:
    for old, new in zip(bullets, bullets[1:], strict=False):
        assert_word_aligned(old, new, word_diff(old, new))


def test_word_diff_edge_cases() -> None:
    assert word_diff("", "") == []
    assert word_diff("ធនធាន", "ធនធាន") == [("equal", "ធនធាន")]
    assert word_diff("", "ធនធាន") == [("insert", "ធនធាន")]
    assert word_diff("ធនធាន", "") == [("delete", "ធនធាន")]
    # Text that itself uses the private-use characters the encoder relies on.
    assert word_diff("\ue000 ធនធាន", "\ue001 ធនធាន") == [
        ("delete", "\ue000"),
        ("insert", "\ue001"),
        ("equal", " ធនធាន"),
    ]


def test_rewritten_clause_reads_as_one_deletion_and_one_insertion(bullets: list[str]) -> None:
    """Semantic clean-up: shared small words inside a rewrite do not chop it up."""
    old, new = bullets[1], bullets[5]
    segments = word_diff(old, new)
    assert [op for op, _ in segments] == ["delete", "insert", "equal"]
    assert segments[2] == ("equal", "នៅរដ្ឋបាលថ្នាក់ក្រោមជាតិ")


def test_segments_to_html_escapes_and_shows_one_side() -> None:
    segments: list[Segment] = [("equal", "<b>ក</b> "), ("delete", "A&B"), ("insert", 'ខ"')]
    assert segments_to_html(segments, "old") == "&lt;b&gt;ក&lt;/b&gt; <del>A&amp;B</del>"
    assert segments_to_html(segments, "new") == "&lt;b&gt;ក&lt;/b&gt; <ins>ខ&quot;</ins>"
    with pytest.raises(ValueError):
        segments_to_html(segments, "both")  # type: ignore[arg-type]
