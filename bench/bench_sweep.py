"""Benchmark of the deadline sweep and of reminder delivery, on a million open tasks.

Run from the project root: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/lekhit
.venv/bin/python bench/bench_sweep.py``. PostgreSQL only: the sweep's promise (read the due
rows through a partial index, never the open ones) is about PostgreSQL's planner.

Creates its own database (``lekhit_bench_sweep`` on the same server; the named database is
never written), migrates it, and generates 1,000,000 open tasks with their deadlines, of which
10,000 are due (in the reminder window, due today, or overdue). Then it times one sweep, prints
the plan of the sweep's query (EXPLAIN ANALYZE), and delivers every reminder the sweep handed
out through the Celery task function a worker runs, to the locmem e-mail backend, and reports
notifications per second: first in one process (a solo worker), then in
``BENCH_WORKER_PROCESSES`` forked processes (default: the number of CPUs). With ``REDIS_URL``
set, the same jobs then go through Redis to real Celery workers: as deployed (one process per
core) and as Celery's default prefork pool.
The database is dropped at the end.
"""

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH_DATABASE = "lekhit_bench_sweep"
OPEN_TASKS = int(os.environ.get("BENCH_OPEN_TASKS", 1_000_000))
DUE_TASKS = int(os.environ.get("BENCH_DUE_TASKS", 10_000))
USERS = 100
SOLO_DELIVERIES = 2_000
WORKER_PROCESSES = int(os.environ.get("BENCH_WORKER_PROCESSES", os.cpu_count() or 2))
PROCESSES = 20
REAL_WORKER_JOBS = 5_000
REDIS_URL = ""


def admin_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), autocommit=True
    )


def configure() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit(
            "bench_sweep needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name "
            "(a database named lekhit_bench_sweep is created beside it, then dropped)."
        )
    with admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"')
        conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DATABASE}"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings"
    os.environ["DEBUG"] = "true"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
    # The in-process measurements publish nothing; the real worker's (below) uses Redis.
    global REDIS_URL
    REDIS_URL = os.environ.pop("REDIS_URL", "")
    return url


def step(label: str):
    class Timer:
        def __enter__(self):
            print(f"  {label} …", end="", flush=True)
            self.start = time.perf_counter()
            return self

        def __exit__(self, *exc):
            self.seconds = time.perf_counter() - self.start
            print(f" {self.seconds:.1f} s", flush=True)

    return Timer()


def generate(today):
    """A million open tasks, generated inside PostgreSQL (INSERT … SELECT generate_series):
    no row crosses the wire, so a million take seconds, not minutes."""
    from django.db import connection
    from viewflow.workflow.models import Task

    from documents.demo import instrument_types_seed
    from documents.models import InstrumentType
    from documents.services import instrument_create
    from organisations.demo import organisations_seed, users_seed
    from organisations.models import Organisation, User
    from tasks.calendar import CachedCalendar
    from workflows.flows import ApprovalFlow
    from workflows.models import ApprovalProcess

    organisations = organisations_seed()
    instrument_types_seed()
    users_seed(organisations=organisations)
    chief = User.objects.get(username="chief")
    people = User.objects.bulk_create(
        User(
            username=f"official-{n}",
            email=f"official-{n}@lekhit.example",
            organisation=organisations["dfr-fr"],
            supervisor=chief,
            language="km" if n % 3 else "en",
        )
        for n in range(USERS)
    )
    drafter = User.objects.get(username="drafter")
    processes = []
    for n in range(PROCESSES):
        instrument = instrument_create(
            user=drafter,
            instrument_type=InstrumentType.objects.get(code="sub-decree"),
            title_km=f"អនុក្រឹត្យលេខ {n} ស្តីពីការផ្ទេរមុខងារ",
            title_en=f"Sub-decree {n} on the transfer of functions",
            owning_office=Organisation.objects.get(code="dfr-fr"),
        )
        processes.append(
            ApprovalProcess.objects.create(
                instrument=instrument, flow_class=ApprovalFlow, status="NEW"
            )
        )
    flow_task = Task._meta.get_field("flow_task").get_prep_value(ApprovalFlow.plan_round)
    calendar = CachedCalendar()
    # Due: two days of the reminder window, today, and overdue by 1, 3 (escalation) and 5.
    due_days = [calendar.add(today, offset) for offset in (2, 1, 0, 0, -1, -1, -3, -5)]
    process_ids = [p.pk for p in processes]
    instrument_ids = [p.instrument_id for p in processes]
    user_ids = [u.pk for u in people]
    with connection.cursor() as cursor:
        with step(f"{OPEN_TASKS:,} tasks"):
            cursor.execute(
                """
                INSERT INTO viewflow_task
                    (flow_task, flow_task_type, status, created, assigned, token, process_id,
                     owner_id, data)
                SELECT %s, 'HUMAN', 'ASSIGNED', now(), now(), 'start',
                       (%s::bigint[])[1 + g %% %s], (%s::bigint[])[1 + g %% %s], '{}'::jsonb
                FROM generate_series(0, %s - 1) AS g
                """,
                [flow_task, process_ids, len(process_ids), user_ids, len(user_ids), OPEN_TASKS],
            )
        with step(f"{OPEN_TASKS:,} deadlines ({DUE_TASKS:,} due)"):
            cursor.execute(
                """
                INSERT INTO tasks_taskdeadline
                    (task_id, instrument_id, step, assignee_id, opened_at, assigned_at, due_on,
                     extended_reason)
                SELECT t.id,
                       (%s::bigint[])[1 + (t.process_id - %s) %% %s],
                       'plan_round', t.owner_id, now(), now(),
                       CASE WHEN n <= %s THEN (%s::date[])[1 + n %% %s]
                            ELSE %s::date + 30 + (n %% 300)::int END,
                       ''
                FROM (SELECT id, process_id, owner_id, row_number() OVER (ORDER BY id) AS n
                      FROM viewflow_task WHERE process_id = ANY(%s)) AS t
                """,
                [
                    instrument_ids,
                    min(process_ids),
                    len(process_ids),
                    DUE_TASKS,
                    due_days,
                    len(due_days),
                    today,
                    process_ids,
                ],
            )
        with step("VACUUM ANALYZE"):
            cursor.execute("VACUUM ANALYZE viewflow_task")
            cursor.execute("VACUUM ANALYZE tasks_taskdeadline")
        with step("CHECKPOINT (the generated rows flushed before anything is timed)"):
            cursor.execute("CHECKPOINT")


def _deliver_share(share: list[tuple]) -> list[str]:
    """One worker process's share: the Celery task function, as a prefork child runs it."""
    from tasks.tasks import deliver_reminder

    return [deliver_reminder(*args) for args in share]


def deliver_in_processes(deliveries: list[tuple], processes: int) -> list[str]:
    import multiprocessing

    from django.db import connections

    connections.close_all()  # each child opens its own connection, as prefork children do
    shares = [deliveries[n::processes] for n in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return [outcome for share in pool.map(_deliver_share, shares) for outcome in share]


def main() -> int:
    original_url = configure()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    settings.DEBUG = False  # no query log: ten thousand deliveries would fill memory
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    try:
        print(f"database {BENCH_DATABASE}")
        with step("migrate"):
            call_command("migrate", verbosity=0)
        today = timezone.localdate()
        generate(today)
        run(today)
    finally:
        connections.close_all()
        with admin_connection(original_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"')
        print(f"database {BENCH_DATABASE} dropped")
    return 0


def run(today) -> None:
    from django.core import mail
    from django.db.models import Count

    from notifications.models import Notification
    from tasks import services
    from tasks.calendar import CachedCalendar
    from tasks.models import Reminder, TaskDeadline
    from tasks.selectors import due_deadlines_query
    from tasks.tasks import deliver_reminder

    jobs: list[tuple[str, tuple]] = []
    services.jobs_enqueue = lambda name, args_list: jobs.extend((name, a) for a in args_list)

    open_count = TaskDeadline.objects.filter(closed_at__isnull=True).count()
    print(f"\nopen deadlines: {open_count:,}")
    start = time.perf_counter()
    result = services.deadlines_sweep()
    sweep_seconds = time.perf_counter() - start
    print(
        f"sweep: {sweep_seconds:.2f} s (target < 2 s) — {result.created:,} reminders written, "
        f"{result.dispatched:,} jobs handed out"
    )

    horizon = CachedCalendar().add(today, 2)
    print("\nEXPLAIN ANALYZE of the sweep's query (first batch of 1,000):")
    print(due_deadlines_query(horizon=horizon, limit=1000).explain(analyze=True, buffers=True))
    last = list(due_deadlines_query(horizon=horizon, limit=1000))[-1]
    print("\n… and of a later batch (keyset pagination after (due_on, id)):")
    print(
        due_deadlines_query(
            horizon=horizon, after=(last["due_on"], last["id"]), limit=1000
        ).explain(analyze=True)
    )

    mail.outbox = []
    deliveries = [args for name, args in jobs if name == "tasks.deliver_reminder"]
    solo, rest = deliveries[:SOLO_DELIVERIES], deliveries[SOLO_DELIVERIES:]
    start = time.perf_counter()
    outcomes = [deliver_reminder(*args) for args in solo]
    seconds = time.perf_counter() - start
    print(
        f"\ndelivery, one process (a solo worker): {outcomes.count('sent'):,} in {seconds:.2f} s "
        f"= {len(solo) / seconds:,.0f} notifications/s"
    )
    start = time.perf_counter()
    outcomes += deliver_in_processes(rest, WORKER_PROCESSES)
    seconds = time.perf_counter() - start
    print(
        f"delivery, {WORKER_PROCESSES} forked processes (the job alone, no broker): "
        f"{len(rest):,} in {seconds:.2f} s = {len(rest) / seconds:,.0f} notifications/s"
    )
    by_kind = Reminder.objects.values("kind").order_by("kind").annotate(n=Count("pk"))
    print(
        f"  sent: {outcomes.count('sent'):,} of {len(deliveries):,} jobs; in-app notifications: "
        f"{Notification.objects.count():,}; reminders by kind: "
        + ", ".join(f"{row['kind']} {row['n']:,}" for row in by_kind)
    )

    jobs.clear()
    start = time.perf_counter()
    again = services.deadlines_sweep()
    print(
        f"\nsteady-state sweep (everything already sent): {time.perf_counter() - start:.2f} s — "
        f"{again.created} written, {again.dispatched} handed out"
    )
    twice = deliver_in_processes(deliveries[:1000], WORKER_PROCESSES)
    print(f"1,000 duplicated delivery jobs: {twice.count('sent')} sent again")

    if REDIS_URL:
        real_worker(deliveries[:REAL_WORKER_JOBS])
    else:
        print("\n(set REDIS_URL to also time a real Celery worker taking the jobs from Redis)")


# The worker as deployed (README, "Deploying for real"): one process per core, each taking its
# own jobs from Redis with two threads; and, for comparison, Celery's default prefork pool
# (one parent taking every job from Redis for all its children).
WORKER_SHAPES = {
    "deployed": (WORKER_PROCESSES, ["--pool=threads", "--concurrency=2"]),
    "prefork": (1, ["--pool=prefork", f"--concurrency={WORKER_PROCESSES}"]),
}


def real_worker(deliveries: list[tuple]) -> None:
    """The same jobs through Redis to real ``celery worker`` processes (acks late, as
    deployed), their e-mail to the locmem backend, once per shape of ``WORKER_SHAPES``. The
    rate is read from the rows' own ``sent_at`` (first to last), so start-up is not counted."""
    for name, (processes, pool) in WORKER_SHAPES.items():
        extra = os.environ.get("BENCH_WORKER_ARGS", "").split() if name == "deployed" else []
        sent, total, rate = _real_worker_run(deliveries, processes, pool + extra)
        label = f"{processes} x celery worker {' '.join(pool + extra)}"
        target = " (target > 500/s)" if name == "deployed" else ""
        print(
            f"\nreal worker, {name} ({label}; jobs from Redis): {sent:,} of {total:,} sent, "
            f"{rate:,.0f} notifications/s from the first to the last{target}"
        )


def _real_worker_run(deliveries: list[tuple], processes: int, arguments: list[str]):
    import subprocess

    from django.db import connection
    from django.db.models import Max, Min

    from notifications.models import Notification
    from project.celery import app
    from tasks.models import Reminder

    ids = [args[0] for args in deliveries]
    Notification.objects.filter(key__in=[f"reminder:{pk}" for pk in ids]).delete()
    Reminder.objects.filter(pk__in=ids).update(status=Reminder.Status.PENDING, sent_at=None)
    # Those deleted and re-pended rows would wake autovacuum in the middle of the timing, and
    # the in-process run's writes a checkpoint: both done now, as before the sweep's timing.
    with connection.cursor() as cursor:
        for model in (Reminder, Notification):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        cursor.execute("CHECKPOINT")
    app.conf.broker_url = REDIS_URL
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    deliver = app.tasks["tasks.deliver_reminder"]
    with app.producer_or_acquire() as producer:
        for pk in ids:
            deliver.apply_async((pk,), producer=producer)
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "localhost",
        "EMAIL_URL": "memorymail://",
        "LOG_LEVEL": "WARNING",
    }
    connection.close()
    command = [
        sys.executable, "-m", "celery", "-A", "project", "worker", "--loglevel=WARNING",
        "--without-gossip", "--without-mingle", "--without-heartbeat", *arguments,
    ]  # fmt: skip
    workers = [
        # Our own command line; each process a name of its own, as on separate machines.
        subprocess.Popen([*command, f"--hostname=bench{n}@%h"], cwd=ROOT, env=env)  # noqa: S603
        for n in range(processes)
    ]
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if Reminder.objects.filter(pk__in=ids, status=Reminder.Status.SENT).count() == len(ids):
                break
            time.sleep(0.5)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(app.conf.task_default_queue)
    sent = Reminder.objects.filter(pk__in=ids, status=Reminder.Status.SENT)
    span = sent.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    count = sent.count()
    return count, len(ids), (count - 1) / seconds


if __name__ == "__main__":
    sys.exit(main())
