"""Benchmark of the approval process through the service layer, at 100 and 10,000 processes.

Run from the project root: ``.venv/bin/python bench/bench_process.py [runs]``.

One journey is what issue 4 measures: submit, office chief, director, a round planned with
three organisations, three reviews each leaving a comment (the last one fires the join and
closes the round), consolidation answering the three comments, legal review, the
director-general's sign-off and the registry's number. The script prints the SQL queries of
each step with 100 and with 10,000 processes already in the database (the counts must not
grow), and the median milliseconds of a whole journey (``runs`` journeys, 20 by default) at
each size. It fails (exit status 1) when the query budget breaks: a step whose queries differ
between the two sizes, or a whole journey over ``JOURNEY_BUDGET`` queries.

The instrument's text (a chapter and three articles) is written before each journey and is
not counted: drafting is outside the process.

How the database is filled:
- the first 100 processes are real journeys through the services, run to registration;
- the rest, up to 10,000, are copies of the first: every row that belongs to its instrument
  (versions, provisions and their history, the process, its tasks and their links, rounds,
  consultations, comments, sign-off, audit, deadlines...) is found by following foreign keys
  from the instrument, and copied with one ``INSERT ... SELECT`` per table over a series of
  copy numbers: primary keys and foreign keys to copied tables are shifted past the table's
  last key, one span of the journey's keys per copy, unique UUIDs are drawn anew, reference
  numbers get a suffix. Then ``VACUUM ANALYZE`` and a checkpoint, so that neither autovacuum
  nor the copies' writes to disk run inside the timing.

Database: with ``DATABASE_URL`` on PostgreSQL, a database of its own beside it,
``<name>_bench_process``, created (and migrated) at the start and dropped at the end: the
named database is never written. Without ``DATABASE_URL``, a temporary SQLite file, deleted at
the end (the script says so).
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH_DATABASE_SUFFIX = "bench_process"
SIZES = (100, 10_000)
# Issue 10's budget for a whole journey: 197 queries when it was set, plus 30%.
JOURNEY_BUDGET = 256
CODES = {"mef": "reviewer-mef", "moh": "reviewer-moh", "ncdd-s": "reviewer-ncdd"}


def configure() -> tuple[Path, bool]:
    """Set the environment before Django reads it; returns a scratch folder and whether the
    database is a temporary SQLite file."""
    scratch = Path(tempfile.mkdtemp(prefix="lekhit-bench-process-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings"
    os.environ["DEBUG"] = "true"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
    if os.environ.get("DATABASE_URL"):
        return scratch, False
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    return scratch, True


# --- One journey, step by step --------------------------------------------------------------


class Journey:
    """A sub-decree's way through the process, one callable per step."""

    def __init__(self, users, number: int):
        self.users = users
        self.number = number

    def draft(self) -> None:
        """The text, before the process (not measured)."""
        from documents import services as documents
        from documents.models import InstrumentType, Provision
        from organisations.models import Organisation

        drafter = self.users["drafter"]
        self.instrument = documents.instrument_create(
            user=drafter,
            instrument_type=InstrumentType.objects.get(code="sub-decree"),
            title_km=f"អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារ លេខ {self.number}",
            owning_office=Organisation.objects.get(code="dfr-fr"),
        )
        chapter = documents.provision_add(
            instrument=self.instrument, user=drafter, kind=Provision.Kind.CHAPTER, heading_km="ទូទៅ"
        )
        for text in ("ក្រសួងមហាផ្ទៃទទួលបន្ទុក។", "មុខងារកំណត់ក្នុងឧបសម្ព័ន្ធ។", "អនុក្រឹត្យនេះចូលជាធរមាន។"):
            documents.provision_add(
                instrument=self.instrument,
                user=drafter,
                kind=Provision.Kind.ARTICLE,
                parent=chapter,
                text_km=text,
            )

    def steps(self):
        return [
            ("start (submit, version frozen)", self.start),
            ("office chief approves", lambda: self.review("chief_review", "chief")),
            ("director approves", lambda: self.review("director_review", "director")),
            ("round planned, 3 organisations", self.plan_round),
            ("review 1: comment + position", lambda: self.answer("mef")),
            ("review 2: comment + position", lambda: self.answer("moh")),
            ("review 3 + join + round closed", lambda: self.answer("ncdd-s")),
            ("consolidation: 3 answers + finish", self.consolidate),
            ("legal review approves", lambda: self.review("legal_review", "legal")),
            ("DG signs (version + SHA-256)", self.sign),
            ("registry numbers and archives", self.register),
        ]

    def _drive(self, step, username, *, where=None, **answers):
        from workflows.driving import drive

        return drive(self.process, step, self.users[username], where=where, **answers)

    def start(self):
        from workflows import services

        self.process = services.process_start(
            instrument=self.instrument, user=self.users["drafter"]
        )

    def review(self, step, username):
        self._drive(step, username, decision="approve", reason="")

    def plan_round(self):
        self.round = self._drive(
            "plan_round",
            "drafter",
            organisations=list(self.organisations.values()),
            working_days=10,
            silence_rule="no_objection",
        )

    def answer(self, code):
        from workflows import services
        from workflows.models import Consultation

        consultation = Consultation.objects.get(round=self.round, organisation__code=code)
        article = self.round.version.snapshot["provisions"][1]
        services.comment_add(
            consultation=consultation,
            user=self.users[CODES[code]],
            text=f"សូមកែសម្រួលពាក្យក្នុងមាត្រានេះ ({code})",
            provision_uid=article["uid"],
        )
        self._drive(
            "organisation_review",
            CODES[code],
            where={"consultation_id": consultation.pk},
            position="comments",
        )

    def consolidate(self, next_step: str = "legal"):
        """Answer every comment, then send the text on: to legal review, or to another
        round (``next_step="round"``)."""
        from workflows import services

        for comment in services.unanswered_comments(process=self.process):
            services.comment_respond(
                comment=comment,
                user=self.users["drafter"],
                disposition="accepted",
                response="បានកែ",
            )
        self._drive("consolidate", "drafter", next_step=next_step)

    def sign(self):
        self._drive("sign_off", "dg", decision="approve", reason="")

    def register(self):
        from workflows import services

        self._drive(
            "register",
            "registry",
            reference_number=services.next_reference_number(
                instrument_type=self.instrument.instrument_type, year=2026
            ),
            registered_on=date(2026, 6, 1),
        )


def journey(users, organisations, number: int, *, measure: bool = False):
    """Run one whole journey; return the queries of each step (if ``measure``) and the
    milliseconds of each step, from submission to registration."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    run = Journey(users, number)
    run.organisations = organisations
    run.draft()
    queries, timings = [], []
    for name, step in run.steps():
        started = time.perf_counter()
        if measure:
            reset_queries()  # the capture keeps the last 9,000 queries: make room
            with CaptureQueriesContext(connection) as captured:
                step()
            queries.append((name, len(captured.captured_queries)))
        else:
            step()
        timings.append((time.perf_counter() - started) * 1000)
    return queries, timings, run


# --- Many processes, fast -----------------------------------------------------------------

SHARED_APPS = {"auth", "contenttypes", "sessions", "admin", "organisations"}


def _rows_of(instrument) -> dict:
    """Every model (table) with the pks of the rows that belong to ``instrument``: the
    rows reachable from it by following foreign keys backwards, and the parent-table rows of
    multi-table inheritance."""
    from django.apps import apps
    from django.db import models

    models_ = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label not in SHARED_APPS and not m._meta.proxy and m._meta.managed
    ]
    found = {type(instrument): {instrument.pk}}
    changed = True
    while changed:
        changed = False
        for model in models_:
            ids = set(found.get(model, set()))
            for parent, link in model._meta.parents.items():
                if model in found and link is not None:
                    before = len(found.setdefault(parent, set()))
                    found[parent] |= found[model]
                    changed |= len(found[parent]) != before
            for fk in model._meta.local_concrete_fields:
                if not isinstance(fk, models.ForeignKey) or fk.remote_field.parent_link:
                    continue
                target = fk.related_model._meta.concrete_model
                if target in found and found[target]:
                    ids |= set(
                        model._base_manager.filter(
                            **{f"{fk.attname}__in": list(found[target])}
                        ).values_list("pk", flat=True)
                    )
            if ids - found.get(model, set()):
                found[model] = found.get(model, set()) | ids
                changed = True
    return found


def _history_source(model):
    """The model a django-simple-history table records (its ``id`` is that model's pk)."""
    return getattr(model, "instance_type", None)


def copy_journey(instrument, copies: int, *, first: int = 1, earlier_each: float = 0) -> int:
    """``copies`` copies of every row of ``instrument``'s journey; returns the rows written.
    Copies are numbered from ``first``: copying the same journey again continues the
    numbering, so that the reference numbers' suffixes do not repeat.

    ``earlier_each`` (seconds) moves copy number k that much times k into the past, every
    date and time of it: years of work spread over the years, as a department's is, rather
    than all of it done today."""
    from django.core.management.color import no_style
    from django.db import connection, models, transaction

    found = _rows_of(instrument)
    quote = connection.ops.quote_name
    # Each copy's keys follow the table's last key, one template-wide span per copy: the keys
    # stay dense however many times journeys are copied (a shift by the table's maximum per
    # copy would multiply them past a 32-bit key after a few calls).
    offsets = {}
    with connection.cursor() as cursor:
        for model in found:
            if model._meta.parents:
                continue
            pk, table = quote(model._meta.pk.column), quote(model._meta.db_table)
            # Quoted names from the models' own metadata: nothing from outside reaches it.
            cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")  # noqa: S608
            top = cursor.fetchone()[0]
            low, span = min(found[model]), max(found[model]) - min(found[model]) + 1
            offsets[model] = (top + 1 - low - span, span)
    for model in found:  # a child table shares its parent's keys
        for parent in model._meta.get_parent_list():
            if parent in offsets:
                offsets[model] = offsets[parent]
    new_uuid = (
        "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"
    )
    # The copy's place in this call (1, 2, ...), whatever its number.
    n = f"(series.k - {first - 1:d})"

    def shifted(column, model):
        constant, span = offsets[model]
        return f"{column} + {constant:d} + {n} * {span:d}"

    def earlier(column, field):
        seconds = f"(series.k * {float(earlier_each)!r})"
        if connection.vendor == "postgresql":
            moved = f"{column} - {seconds} * INTERVAL '1 second'"
            return f"({moved})::date" if not isinstance(field, models.DateTimeField) else moved
        if isinstance(field, models.DateTimeField):
            return f"strftime('%Y-%m-%d %H:%M:%f', {column}, -{seconds} || ' seconds')"
        return f"date({column}, -{seconds} || ' seconds')"

    written = 0
    # Foreign keys are checked at commit (Django makes them deferrable): any table order works.
    with transaction.atomic(), connection.cursor() as cursor:
        for model in found:
            table = quote(model._meta.db_table)
            columns, values = [], []
            for f in model._meta.local_concrete_fields:
                if f.generated:  # the database writes it
                    continue
                column = f"{table}.{quote(f.column)}"
                target = (
                    f.related_model._meta.concrete_model
                    if isinstance(f, models.ForeignKey)
                    else None
                )
                if f.primary_key and target is None:
                    value = shifted(column, model)
                elif target in offsets:
                    value = shifted(column, target)
                elif f.column == "id" and _history_source(model) in offsets:
                    value = shifted(column, _history_source(model))
                elif isinstance(f, models.UUIDField) and f.unique:
                    value = new_uuid
                elif isinstance(f, models.CharField) and (f.unique or f.name == "reference_number"):
                    suffixed = f"{column} || '/' || series.k"
                    value = f"CASE WHEN {column} = '' THEN {column} ELSE {suffixed} END"
                elif earlier_each and isinstance(f, models.DateField):  # a DateTimeField too
                    value = earlier(column, f)
                else:
                    value = column
                columns.append(quote(f.column))
                values.append(value)
            ids = ", ".join(str(int(pk)) for pk in sorted(found[model]))
            pk = quote(model._meta.pk.column)
            # Quoted names from the models' metadata and integers: nothing from outside.
            last = first + copies - 1
            series = f"SELECT {first:d} UNION ALL SELECT k + 1 FROM series WHERE k < {last:d}"  # noqa: S608
            select = f"SELECT {', '.join(values)} FROM {table}, series"  # noqa: S608
            cursor.execute(
                f"WITH RECURSIVE series(k) AS ({series}) "
                f"INSERT INTO {table} ({', '.join(columns)}) {select} "
                f"WHERE {table}.{pk} IN ({ids})"
            )
            written += len(found[model]) * copies
        for statement in connection.ops.sequence_reset_sql(no_style(), list(found)):
            cursor.execute(statement)
    # Outside the transaction: vacuum the copies now, not autovacuum in the middle of the
    # timing, and flush them to disk before anything is timed. Inside a transaction (a test
    # copying journeys to count a page's queries) there is no timing to protect.
    if connection.in_atomic_block:
        return written
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
    return written


# --- The run ------------------------------------------------------------------------------


def budget_broken(small: list[tuple[str, int]], large: list[tuple[str, int]]) -> list[str]:
    """What breaks the query budget, given each step's (name, queries) at the smaller and
    the larger database: a step whose count differs, a journey over ``JOURNEY_BUDGET``."""
    broken = []
    grows = [name for (name, a), (_name, b) in zip(small, large, strict=True) if a != b]
    if grows:
        broken.append(f"queries grow with the database at: {', '.join(grows)}")
    for total in sorted({sum(q for _n, q in small), sum(q for _n, q in large)}):
        if total > JOURNEY_BUDGET:
            broken.append(f"the journey costs {total} queries, over {JOURNEY_BUDGET}")
    return broken


def run(runs: int, temporary_sqlite: bool) -> bool:
    """Fill, measure and print; whether the query budget holds."""
    from django.db import connection
    from django.urls import get_resolver

    from organisations.models import Organisation, User
    from workflows.models import ApprovalProcess

    get_resolver().url_patterns  # noqa: B018 - viewflow learns its URLs when they load
    users = {user.username: user for user in User.objects.all()}
    organisations = {o.code: o for o in Organisation.objects.filter(code__in=CODES)}
    counter = iter(range(1, 10**9))

    def one(measure=False):
        return journey(users, organisations, next(counter), measure=measure)

    database = connection.vendor
    if temporary_sqlite:
        database += " (no DATABASE_URL: a temporary SQLite file)"
    print(f"database: {database}; {runs} timed journeys at each size")

    results = {}
    started = time.perf_counter()
    _q, _ms, template = one()
    while ApprovalProcess.objects.count() < SIZES[0]:
        one()
    print(f"{SIZES[0]} journeys through the services in {time.perf_counter() - started:.1f} s")
    for size in SIZES:
        existing = ApprovalProcess.objects.count()
        if existing < size:
            started = time.perf_counter()
            rows = copy_journey(template.instrument, size - existing)
            print(
                f"copied the first journey {size - existing:,} times ({rows:,} rows) in "
                f"{time.perf_counter() - started:.1f} s"
            )
        existing = ApprovalProcess.objects.count()
        one()  # warm-up at this size
        queries, _ms, _run = one(measure=True)
        timed = [one()[1] for _ in range(runs)]
        step_ms = [statistics.median(run[i] for run in timed) for i in range(len(queries))]
        results[size] = (existing, queries, step_ms, statistics.median(sum(run) for run in timed))

    (n_a, queries_a, ms_a, total_a), (n_b, queries_b, ms_b, total_b) = (
        results[SIZES[0]],
        results[SIZES[1]],
    )
    print()
    print(
        f"{'step':<36} {f'queries@{n_a:,}':>13} {f'queries@{n_b:,}':>15}"
        f" {f'ms@{n_a:,}':>9} {f'ms@{n_b:,}':>10}"
    )
    for (name, a), (_name, b), ma, mb in zip(queries_a, queries_b, ms_a, ms_b, strict=True):
        flag = "" if a == b else "   <- grows"
        print(f"{name:<36} {a:>13} {b:>15} {ma:>9.1f} {mb:>10.1f}{flag}")
    sum_a, sum_b = sum(q for _n, q in queries_a), sum(q for _n, q in queries_b)
    print(f"{'whole process':<36} {sum_a:>13} {sum_b:>15} {total_a:>9.1f} {total_b:>10.1f}")

    print(f"\nbudget: every step's queries the same at {n_a:,} and {n_b:,} processes, and the")
    print(f"whole journey at most {JOURNEY_BUDGET} queries (issue 10: 197 + 30%).")
    broken = budget_broken(queries_a, queries_b)
    for reason in broken:
        print(f"BUDGET BROKEN: {reason}")
    if not broken:
        print(f"within budget: {sum_b} queries at {n_b:,} processes.")
    return not broken


def main(runs: int = 20) -> int:
    scratch, temporary_sqlite = configure()
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        from documents.demo import instrument_types_seed
        from organisations.demo import organisations_seed, users_seed

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        # Timed as in production: DEBUG would log every query (psycopg composes its text),
        # which costs more than some of the queries. The counts are captured all the same.
        settings.DEBUG = False
        if temporary_sqlite:
            call_command("migrate", verbosity=0, interactive=False)
            bench_database = None
        else:
            # Beside the named database, after its name: benchmarks of two checkouts on
            # one server do not drop each other's database.
            connection.settings_dict["TEST"]["NAME"] = (
                f"{connection.settings_dict['NAME']}_{BENCH_DATABASE_SUFFIX}"
            )
            if connection.vendor == "sqlite":
                connection.settings_dict["TEST"]["NAME"] = str(scratch / "bench.sqlite3")
            bench_database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            organisations = organisations_seed()
            instrument_types_seed()
            users_seed(organisations=organisations)
            within_budget = run(runs, temporary_sqlite)
        finally:
            if bench_database is not None:
                connection.creation.destroy_test_db(bench_database, verbosity=0)
            connection.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0 if within_budget else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
