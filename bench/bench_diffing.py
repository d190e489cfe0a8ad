"""Benchmark of the version comparison engine on a 300-article Khmer instrument.

Run from the project root: ``.venv/bin/python bench/bench_diffing.py [runs]``.

The instrument is built from the department's real mandate: 15 chapters of 20 articles,
each article three mandate bullets long. The second version changes a few words in 10%
of the articles, moves 5 articles to other chapters, adds 5 and deletes 5, and changes
5 of 50 transfer schedule rows; numbers are recomputed as the app does. Everything is
deterministic (seeded), and no database or Django settings are needed.
"""

import copy
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from documents.diffing import compare_snapshots  # noqa: E402
from khmer.segment import words  # noqa: E402

MANDATE_PATH = ROOT / "tests/data/department-mandate.km.txt"
CHAPTERS, ARTICLES_PER_CHAPTER, SCHEDULE_ROWS = 15, 20, 50
CHANGED, MOVED, ADDED, DELETED, SCHEDULE_CHANGED = 30, 5, 5, 5, 5

Snapshot = dict[str, Any]


def mandate_bullets() -> list[str]:
    lines = MANDATE_PATH.read_text(encoding="utf-8").splitlines()
    return [line.strip(" •") for line in lines if line.strip().startswith("•")]


def article_text(bullets: list[str], rng: random.Random) -> str:
    return " ".join(rng.choice(bullets) for _ in range(3))


def provision(uid: str, kind: str, parent: str | None, number: int, **texts: str) -> dict:
    return {
        "uid": uid,
        "kind": kind,
        "parent": parent,
        "number": str(number),
        "heading_km": texts.get("heading_km", ""),
        "heading_en": "",
        "text_km": texts.get("text_km", ""),
        "text_en": "",
    }


def build_old(bullets: list[str], rng: random.Random) -> Snapshot:
    provisions = []
    for chapter in range(CHAPTERS):
        chapter_uid = f"chapter-{chapter}"
        heading = rng.choice(bullets)[:60]
        provisions.append(provision(chapter_uid, "chapter", None, chapter + 1, heading_km=heading))
        for offset in range(ARTICLES_PER_CHAPTER):
            n = chapter * ARTICLES_PER_CHAPTER + offset
            text = article_text(bullets, rng)
            article = provision(f"article-{n}", "article", chapter_uid, n + 1, text_km=text)
            provisions.append(article)
    schedule = [
        {
            "uid": f"row-{i}",
            "function_km": rng.choice(bullets),
            "function_en": "",
            "from_ministry": rng.choice(["mef", "moeys", "moh", "mrd"]),
            "level": rng.choice(["province", "district", "commune"]),
            "legal_basis": "",
            "staff_count": rng.randint(1, 20),
            "budget_riel": rng.randint(1, 500) * 1_000_000,
            "assets": "",
            "effective_date": "2027-01-01",
        }
        for i in range(SCHEDULE_ROWS)
    ]
    instrument = {"type": "sub-decree", "title_km": bullets[0], "title_en": ""}
    return {"instrument": instrument, "provisions": provisions, "schedule": schedule}


def change_a_few_words(text: str, vocabulary: list[str], rng: random.Random) -> str:
    tokens = words(text)
    for _ in range(rng.randint(2, 4)):
        tokens[rng.randrange(len(tokens))] = rng.choice(vocabulary)
    return "".join(tokens)


def renumber(provisions: list[dict]) -> None:
    counters = {"chapter": 0, "article": 0}
    for item in provisions:
        counters[item["kind"]] += 1
        item["number"] = str(counters[item["kind"]])


def build_new(old: Snapshot, bullets: list[str], rng: random.Random) -> Snapshot:
    new = copy.deepcopy(old)
    provisions = new["provisions"]
    vocabulary = sorted({token for bullet in bullets for token in words(bullet) if token.strip()})
    articles = [item for item in provisions if item["kind"] == "article"]
    chosen = rng.sample(articles, CHANGED + MOVED + DELETED)
    changed, moved, deleted = chosen[:CHANGED], chosen[CHANGED:-DELETED], chosen[-DELETED:]
    for item in changed:
        item["text_km"] = change_a_few_words(item["text_km"], vocabulary, rng)
    for item in deleted:
        provisions.remove(item)
    chapters = [item["uid"] for item in provisions if item["kind"] == "chapter"]
    for item in moved:
        provisions.remove(item)
        item["parent"] = rng.choice([uid for uid in chapters if uid != item["parent"]])
        siblings = [i for i, p in enumerate(provisions) if p["parent"] == item["parent"]]
        provisions.insert(rng.choice(siblings) + 1, item)
    for n in range(ADDED):
        anchor = rng.randrange(len(provisions))
        parent = provisions[anchor]["parent"] or provisions[anchor]["uid"]
        added = provision(f"added-{n}", "article", parent, 0, text_km=article_text(bullets, rng))
        provisions.insert(anchor + 1, added)
    renumber(provisions)
    for row in rng.sample(new["schedule"], SCHEDULE_CHANGED):
        row["function_km"] = change_a_few_words(row["function_km"], vocabulary, rng)
        row["staff_count"] += 1
    return new


def token_count(snapshot: Snapshot) -> int:
    return sum(len(words(item["text_km"] + item["heading_km"])) for item in snapshot["provisions"])


def time_compare(old: Snapshot, new: Snapshot) -> float:
    start = time.perf_counter()
    compare_snapshots(old, new)
    return (time.perf_counter() - start) * 1000


def main(runs: int = 20) -> None:
    # Seeded so every run benchmarks the same instrument (no security concern here).
    rng = random.Random(2027)  # noqa: S311
    bullets = mandate_bullets()
    old = build_old(bullets, rng)
    new = build_new(old, bullets, rng)

    time_compare(old, new)  # warm-up
    timings = sorted(time_compare(old, new) for _ in range(runs))
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    comparison = compare_snapshots(old, new)
    diffed_tokens = sum(
        len(words(field.old)) + len(words(field.new))
        for diff in comparison.provisions
        for field in diff.fields
    )

    summary = comparison.summary
    print(f"provisions old/new:  {len(old['provisions'])}/{len(new['provisions'])}")
    print(f"tokens old/new:      {token_count(old)}/{token_count(new)}")
    print(f"tokens word-diffed:  {diffed_tokens}")
    print(
        f"summary:             added={summary.added} deleted={summary.deleted} "
        f"changed={summary.changed} moved={summary.moved} renumbered={summary.renumbered} "
        f"schedule_changed={summary.schedule_changed}"
    )
    print(f"median over {runs}:      {statistics.median(timings):.2f} ms")
    print(f"p95 over {runs}:         {p95:.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
