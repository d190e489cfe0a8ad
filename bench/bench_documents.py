"""Benchmark of the instrument editor's database work on a 300-article Khmer instrument.

Run from the project root: ``.venv/bin/python bench/bench_documents.py [runs]``.

Prints, for opening the editor, saving one provision, saving a version and comparing two
versions read from the database: the number of SQL queries and the median time over
``runs`` runs (20 by default); then what keeping the search index in step adds to saving one
provision (the save timed with the index's receiver and without it, alternately). Query
counts are the figure to watch: they must not grow with the length of the text
(``documents/tests/test_query_counts.py`` asserts it).

Database: without ``DATABASE_URL``, a temporary SQLite file, deleted at the end. With
``DATABASE_URL`` (e.g. ``postgres://postgres@127.0.0.1:5432/lekhit``), Django's test
database beside it (``test_lekhit``), created and destroyed like the test suite does: the
named database itself is never written. ``var/lekhit.sqlite3`` is never opened.
"""

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MANDATE_PATH = ROOT / "tests/data/department-mandate.km.txt"
CHAPTERS, ARTICLES_PER_CHAPTER, SCHEDULE_ROWS = 15, 20, 50
CHANGED, MOVED, ADDED, DELETED, SCHEDULE_CHANGED = 30, 5, 5, 5, 5


def configure() -> tuple[Path, bool]:
    """Set the environment before Django reads it; returns a scratch folder and whether the
    database is a temporary SQLite file (else a test database beside ``DATABASE_URL``)."""
    scratch = Path(tempfile.mkdtemp(prefix="lekhit-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings"
    os.environ["DEBUG"] = "true"
    # A throwaway key, so that settings never write var/secret_key.
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
    if os.environ.get("DATABASE_URL"):
        return scratch, False
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    return scratch, True


def mandate_bullets() -> list[str]:
    lines = MANDATE_PATH.read_text(encoding="utf-8").splitlines()
    return [line.strip(" •") for line in lines if line.strip().startswith("•")]


def measure(action: Callable[[], object], runs: int) -> tuple[int, float]:
    """Queries of one run (after a warm-up) and the median milliseconds over ``runs``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    action()
    with CaptureQueriesContext(connection) as captured:
        action()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return len(captured.captured_queries), statistics.median(timings)


def build(rng: random.Random, bullets: list[str]):
    """The instrument, as a drafter would write it through the services."""
    from documents import services
    from documents.models import InstrumentType, ScheduleRow
    from organisations.models import Organisation, User

    drafter = User.objects.get(username="drafter")
    instrument = services.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យស្ដីពីការផ្ទេរមុខងារ និងធនធានទៅរដ្ឋបាលថ្នាក់ក្រោមជាតិ",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    articles = []
    for _ in range(CHAPTERS):
        chapter = services.provision_add(
            instrument=instrument, user=drafter, kind="chapter", heading_km=rng.choice(bullets)[:60]
        )
        for _ in range(ARTICLES_PER_CHAPTER):
            text = " ".join(rng.choice(bullets) for _ in range(3))
            articles.append(
                services.provision_add(
                    instrument=instrument,
                    user=drafter,
                    kind="article",
                    parent=chapter,
                    text_km=text,
                )
            )
    ministries = list(Organisation.objects.filter(code__in=["mef", "moeys", "moh", "maff"]))
    rows = [
        services.schedule_row_add(
            instrument=instrument,
            user=drafter,
            function_km=rng.choice(bullets),
            from_ministry=rng.choice(ministries),
            level=rng.choice(ScheduleRow.Level.values),
            staff_count=rng.randint(1, 20),
            budget_riel=rng.randint(1, 500) * 1_000_000,
        )
        for _ in range(SCHEDULE_ROWS)
    ]
    return drafter, instrument, articles, rows


def edit(rng, bullets, drafter, instrument, articles, rows) -> None:
    """What happens between two versions: word edits, moves, additions, deletions."""
    from documents import services
    from documents.models import Provision
    from khmer.segment import words

    vocabulary = sorted({token for bullet in bullets for token in words(bullet) if token.strip()})

    def change_a_few_words(text: str) -> str:
        tokens = words(text)
        for _ in range(rng.randint(2, 4)):
            tokens[rng.randrange(len(tokens))] = rng.choice(vocabulary)
        return "".join(tokens)

    chosen = rng.sample(articles, CHANGED + MOVED + DELETED)
    changed, moved, deleted = chosen[:CHANGED], chosen[CHANGED:-DELETED], chosen[-DELETED:]
    for article in changed:
        services.provision_update(
            provision=article,
            user=drafter,
            expected_lock_version=article.lock_version,
            text_km=change_a_few_words(article.text_km),
        )
    chapters = list(Provision.objects.filter(instrument=instrument, kind="chapter"))
    for article in moved:
        target = rng.choice([c for c in chapters if c.pk != article.parent_id])
        services.provision_move(provision=article, user=drafter, parent=target)
    for article in deleted:
        services.provision_delete(provision=article, user=drafter)
    for _ in range(ADDED):
        services.provision_add(
            instrument=instrument,
            user=drafter,
            kind="article",
            parent=rng.choice(chapters),
            text_km=" ".join(rng.choice(bullets) for _ in range(3)),
        )
    for row in rng.sample(rows, SCHEDULE_CHANGED):
        services.schedule_row_update(
            row=row,
            user=drafter,
            expected_lock_version=row.lock_version,
            function_km=change_a_few_words(row.function_km),
            staff_count=row.staff_count + 1,
        )


def run(runs: int) -> None:
    from django.db import connection

    from documents import services
    from documents.diffing import compare_snapshots
    from documents.models import Version
    from documents.selectors import instrument_tree, schedule_rows

    rng = random.Random(2027)  # noqa: S311 - seeded: every run benchmarks the same text
    bullets = mandate_bullets()
    started = time.perf_counter()
    drafter, instrument, articles, rows = build(rng, bullets)
    first = services.version_create(instrument=instrument, user=drafter, label="ពង្រាងដំបូង")
    edit(rng, bullets, drafter, instrument, articles, rows)
    second = services.version_create(instrument=instrument, user=drafter, label="ពង្រាងទីពីរ")
    built_in = time.perf_counter() - started

    def open_editor():
        for node in instrument_tree(instrument=instrument):
            node.label("km")
        for row in schedule_rows(instrument=instrument):
            str(row.from_ministry)

    article = articles[len(articles) // 2]
    texts = [article.text_km, article.text_km + " ។"]

    def save_provision():
        nonlocal article
        article = services.provision_update(
            provision=article,
            user=drafter,
            expected_lock_version=article.lock_version,
            text_km=texts[article.lock_version % 2],
        )

    def save_version():
        services.version_create(instrument=instrument, user=drafter, label="bench")

    def compare():
        old, new = Version.objects.filter(pk__in=[first.pk, second.pk]).order_by("number")
        return compare_snapshots(old.snapshot, new.snapshot)

    summary = compare().summary
    print(
        f"database: {connection.vendor}; instrument: {CHAPTERS} chapters × "
        f"{ARTICLES_PER_CHAPTER} articles, {SCHEDULE_ROWS} schedule rows "
        f"(built through the services in {built_in:.1f} s)"
    )
    print(
        f"versions compared: {summary.changed} changed, {summary.moved} moved, "
        f"{summary.added} added, {summary.deleted} deleted, "
        f"{summary.schedule_changed} schedule rows changed"
    )
    print(f"{'operation':<44} {'queries':>7} {'median ms':>10}   ({runs} runs)")
    for name, action in [
        ("open the editor (tree + schedule rows)", open_editor),
        ("save one provision (provision_update)", save_provision),
        ("save a version (version_create)", save_version),
        ("compare two versions (2 loaded + compare)", compare),
    ]:
        queries, median = measure(action, runs)
        print(f"{name:<44} {queries:>7} {median:>10.1f}")
    kept, unkept = index_cost(save_provision, runs)
    print(
        f"the search index's part of saving one provision: {kept - unkept:.1f} ms"
        f" (the save {kept:.1f} ms with it, {unkept:.1f} without, alternated)"
    )


def index_cost(save: Callable[[], object], runs: int) -> tuple[float, float]:
    """The median milliseconds of ``save`` (one provision's) with the search index kept in
    step and without it, each run of one right after a run of the other (issue 14: the
    index adds under 5 ms to the save)."""
    from django.db.models.signals import post_save

    from documents.models import Provision
    from search.signals import provision_saved

    def timed() -> float:
        start = time.perf_counter()
        save()
        return (time.perf_counter() - start) * 1000

    kept, unkept = [], []
    for _ in range(runs):
        kept.append(timed())
        post_save.disconnect(sender=Provision, dispatch_uid="search_provision")
        try:
            unkept.append(timed())
        finally:
            post_save.connect(provision_saved, sender=Provision, dispatch_uid="search_provision")
    return statistics.median(kept), statistics.median(unkept)


def on_demo_database(run, runs: int) -> int:
    """``run(runs)`` on a fresh database with the demo organisations, types and users (a
    scratch SQLite file, or a test database beside DATABASE_URL's); what it returns, or 0."""
    scratch, temporary_sqlite = configure()
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from documents.demo import instrument_types_seed
        from organisations.demo import organisations_seed, users_seed

        if temporary_sqlite:
            call_command("migrate", verbosity=0, interactive=False)
            test_database = None
        else:
            if connection.vendor == "sqlite":  # a file, as users have it, not in memory
                connection.settings_dict["TEST"]["NAME"] = str(scratch / "bench.sqlite3")
            test_database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            organisations = organisations_seed()
            instrument_types_seed()
            users_seed(organisations=organisations)
            return run(runs) or 0
        finally:
            if test_database is not None:
                connection.creation.destroy_test_db(test_database, verbosity=0)
            connection.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(runs: int = 20) -> int:
    return on_demo_database(run, runs)


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
