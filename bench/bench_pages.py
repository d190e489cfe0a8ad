"""Benchmark of Lekhit's pages under gunicorn at two sizes of a ministry's work (issue 12).

Run from the project root: ``.venv/bin/python bench/bench_pages.py`` (``make bench`` runs it).

Sizes (instruments in the database, every one with its text):
- ``S``: 1,000 instruments;
- ``L``: 20,000 instruments, about a million tasks, 50,000 comments: ten years of work,
  the finished journeys' dates spread back over them (``copy_journey``'s ``earlier_each``),
  so that the dashboard's last twelve months hold one year of it;
both with 300 users. ``BENCH_PAGES_SIZES=S`` (or ``S,L``, the default) chooses; the numbers
of instruments can be changed with ``BENCH_PAGES_S`` and ``BENCH_PAGES_L``.

How the database is filled (``bench_process.py``'s journeys and bulk copy):
- one real journey through the services for each place a process can stand: registered
  after ``BENCH_PAGES_ROUNDS`` consultation rounds (the first round's three reviews each leave
  a comment, answered at consolidation; later rounds raise no objection), waiting for the
  office chief, in consultation (one of three ministries has answered), waiting for the
  director-general's signature, and a draft with no process;
- each is copied with ``INSERT ... SELECT`` (``copy_journey``) until the size's instruments
  are split as ``MIX`` says; the larger size is reached by copying more.
- beside them, built once through the services and present at both sizes: a 300-article
  instrument with two versions (``bench_documents.build`` and ``edit``), a consultation
  round with 100 comments, and users up to 300.
- a fourth ministry, MoEYS, consulted on one round in a hundred (``seldom_consulted``: rows
  of consultations only), whose reviewer ``reviewer-moeys`` the search rows measure beside
  the others: a reviewer who sees few of a word's matches is searched another way.

Then the app runs under gunicorn (``DEBUG=false``, collected static, ``bench_browser.serve``)
with ``BENCH_PAGES_WORKERS`` sync workers (4). For each page and role the script prints: the
SQL queries of one request (Django's test client in this process, against the same
database, after a warm-up request), the HTML's size and its size on the wire (the server's
compression, if any, for ``Accept-Encoding: gzip, br``), and p50/p95 milliseconds at
concurrency 1 and 8 from a bounded load loop (threads and ``http.client``, after six
requests per worker, past psycopg's prepare_threshold, as a worker is when it has served a
few minutes; each cell stops at ``BENCH_PAGES_REQUESTS`` requests, 30, so that a p95 is not
the one slow request of a dozen, and at least two per thread, or after
``BENCH_PAGES_SECONDS`` seconds, 5, whichever comes first, with at least
3). The Django admin's changelist of the instruments and ``/health/`` are measured in the
same run, for reference; at concurrency 1 each request to a page follows one to the admin's
changelist, and the column ``÷admin`` is the page's p50 over the admin's p50 so measured
(a machine that drifts over the minutes a run takes moves both alike). At the end it names
the lists behind the admin (``÷admin`` over 1) or with a p95 of 150 ms or more.

It fails (exit status 1) when a page's queries differ between the two sizes, or a page
answers with a server error, to the test client or under load (a row whose statuses under
load differ from the test client's says ``SERVED`` and which); ``/health/`` answers 503
without the worker and beat: still the trivial view it stands for.

Database: a database of its own beside ``DATABASE_URL``'s, ``<name>_bench_pages``, created
and migrated at the start and dropped at the end (kept with ``BENCH_PAGES_KEEP=1``). Without
``DATABASE_URL``, a temporary SQLite file (the script says so; the sizes are meant for
PostgreSQL).
"""

import http.client
import logging
import math
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_browser import configure, serve, static_out_of_date  # noqa: E402
from bench_documents import build, edit, mandate_bullets  # noqa: E402
from bench_process import CODES, Journey, copy_journey  # noqa: E402

BENCH_DATABASE_SUFFIX = "bench_pages"
SIZES = {
    "S": int(os.environ.get("BENCH_PAGES_S", "1000")),
    "L": int(os.environ.get("BENCH_PAGES_L", "20000")),
}
USERS = 300
# Rounds of the registered journeys: with five, about fifty tasks an instrument (a million
# at L), as a ministry that consults more than once has.
ROUNDS = int(os.environ.get("BENCH_PAGES_ROUNDS", "5"))
# Where the instruments stand: most are done, a few are on someone's desk.
MIX = {"registered": 0.90, "chief review": 0.02, "consultation": 0.03, "sign-off": 0.02}
MIX["draft"] = 1 - sum(MIX.values())
WORKERS = int(os.environ.get("BENCH_PAGES_WORKERS", "4"))
REQUESTS = int(os.environ.get("BENCH_PAGES_REQUESTS", "30"))
SECONDS = float(os.environ.get("BENCH_PAGES_SECONDS", "5"))
CONCURRENCY = 8  # beside concurrency 1
REQUEST_TIMEOUT = 300
# Keep the benchmark's database at the end (its name is printed), to EXPLAIN its queries.
KEEP = os.environ.get("BENCH_PAGES_KEEP") == "1"
# The instrument list's filter: whatever the list accepts, the page is measured as it is.
LIST_FILTER = os.environ.get("BENCH_PAGES_FILTER", "status=consultation")
ROLES = ("drafter", "chief", "dg", "reviewer-moh")
# A ministry consulted now and then, on one round in SELDOM_EVERY, and its reviewer: the
# journeys' three ministries are consulted on every round (see ``seldom_consulted``).
SELDOM, SELDOM_EVERY, SELDOM_REVIEWER = "moeys", 100, "reviewer-moeys"
SEARCH_ROLES = (*ROLES, SELDOM_REVIEWER)
YEARS = 10  # of work that L holds
DAY_SECONDS = 86_400
MATRIX_COMMENTS = 100
ADMIN = "admin changelist"  # the reference every page is measured beside
# The lists, which issue 12 holds to the admin's changelist (p50, c1) and to a p95 under 150 ms.
LISTS = ("inbox", "queue", "archive", "process list", "instrument list", "notifications")
P95_MOST = 150


class RoundsJourney(Journey):
    """``bench_process``'s journey, ending after ``stop`` steps, with ``rounds`` rounds."""

    def __init__(self, users, number, *, rounds=1, stop=None):
        super().__init__(users, number)
        self.rounds, self.stop = rounds, stop

    def steps(self):
        steps = super().steps()
        first_round = steps[3:8]
        later_round = [
            steps[3],
            *[(f"review {c}: no objection", lambda c=c: self.agree(c)) for c in CODES],
            ("consolidation", self.consolidate),
        ]
        whole = [*steps[:3], *first_round]
        for _ in range(self.rounds - 1):
            whole += later_round
        whole += steps[8:]
        return whole if self.stop is None else whole[: self.stop]

    def consolidate(self):
        from workflows.models import ConsultationRound

        # Another round until the last: the rounds planned so far tell which this is.
        planned = ConsultationRound.objects.filter(process=self.process).count()
        super().consolidate(next_step="round" if planned < self.rounds else "legal")

    def agree(self, code):
        from workflows.models import Consultation

        consultation = Consultation.objects.get(round=self.round, organisation__code=code)
        self._drive(
            "organisation_review",
            CODES[code],
            where={"consultation_id": consultation.pk},
            position="no_objection",
        )


def run_journey(users, organisations, number, **kwargs):
    journey = RoundsJourney(users, number, **kwargs)
    journey.organisations = organisations
    journey.draft()
    for _name, step in journey.steps():
        step()
    return journey


# --- The database ---------------------------------------------------------------------------


def users_fill(organisations) -> None:
    """Users up to ``USERS``, spread over the organisations (no role: they are the rest of
    the staff, who appear in pickers and lists)."""
    from django.contrib.auth.hashers import make_password

    from organisations.models import User

    missing = USERS - User.objects.count()
    password = make_password("demo")
    orgs = list(organisations.values())
    User.objects.bulk_create(
        User(
            username=f"staff-{n}",
            first_name="បុគ្គលិក",
            last_name=str(n),
            email=f"staff-{n}@lekhit.example",
            password=password,
            organisation=orgs[n % len(orgs)],
        )
        for n in range(max(missing, 0))
    )


def fixed_pieces(users, organisations) -> dict:
    """What both sizes share: the 300-article instrument and the 100-comment round."""
    from documents import services as documents
    from workflows import services
    from workflows.models import Consultation

    rng = random.Random(2029)  # noqa: S311 - seeded: every run benchmarks the same text
    bullets = mandate_bullets()
    drafter, big, articles, rows = build(rng, bullets)
    first = documents.version_create(instrument=big, user=drafter, label="ពង្រាងដំបូង")
    edit(rng, bullets, drafter, big, articles, rows)
    second = documents.version_create(instrument=big, user=drafter, label="ពង្រាងទីពីរ")

    consulted = run_journey(users, organisations, 0, stop=4)  # the round is planned
    provisions = [p for p in consulted.round.version.snapshot["provisions"] if p.get("uid")]
    for n in range(MATRIX_COMMENTS):
        code = list(CODES)[n % len(CODES)]
        services.comment_add(
            consultation=Consultation.objects.get(round=consulted.round, organisation__code=code),
            user=users[CODES[code]],
            text=f"មតិទី {n + 1}៖ សូមពិនិត្យពាក្យក្នុងមាត្រានេះឡើងវិញ ({code})",
            provision_uid=provisions[n % len(provisions)]["uid"],
        )
    return {"big": big, "first": first, "second": second, "matrix": consulted.process}


def templates_build(users, organisations) -> dict:
    """One real journey for each place in ``MIX``: the instrument each leaves."""
    from documents import services as documents
    from documents.models import InstrumentType
    from organisations.models import Organisation

    stops = {"chief review": 1, "consultation": 5, "sign-off": -2}
    built = {}
    for number, stage in enumerate(MIX, start=1):
        if stage == "draft":
            built[stage] = documents.instrument_create(
                user=users["drafter"],
                instrument_type=InstrumentType.objects.get(code="sub-decree"),
                title_km=f"សេចក្តីព្រាងអនុក្រឹត្យ លេខ {number}",
                owning_office=Organisation.objects.get(code="dfr-fr"),
            )
            continue
        rounds = ROUNDS if stage in ("registered", "sign-off") else 1
        journey = RoundsJourney(users, number, rounds=rounds)
        journey.organisations = organisations
        journey.draft()
        steps = journey.steps()
        if stage in stops:
            steps = steps[: stops[stage]]
        for _name, step in steps:
            step()
        built[stage] = journey.instrument
    return built


def outbox_deliver() -> None:
    """What the worker would do with the journeys' outbox: the notifications written (and
    copied with their instruments), the e-mails kept in memory."""
    from tasks.models import Reminder
    from tasks.services import reminder_deliver

    pending = Reminder.objects.filter(status=Reminder.Status.PENDING)
    for pk in list(pending.values_list("pk", flat=True)):
        reminder_deliver(reminder_id=pk)


def grow_to(instruments: int, templates: dict) -> None:
    """Copy the template journeys until there are ``instruments`` instruments, split as
    ``MIX`` says (the fixed pieces count among the drafts)."""
    from documents.models import Instrument

    for stage, share in MIX.items():
        template = templates[stage]
        have = Instrument.objects.filter(title_km=template.title_km).count()
        want = max(1, round(instruments * share))
        # The finished journeys spread back over the years at L's pace (L is ten years of
        # work, S its last half-year); what is on someone's desk is of these weeks.
        earlier = YEARS * 365 * DAY_SECONDS / (SIZES["L"] * share) if stage == "registered" else 0
        if want > have:
            copy_journey(template, want - have, first=have, earlier_each=earlier)


def seldom_consulted() -> None:
    """``SELDOM`` consulted on one round in ``SELDOM_EVERY`` (by the round's id), and its
    reviewer ``SELDOM_REVIEWER``: a reviewer who sees few of a word's matches is searched
    another way (``search.selectors.sees_few``). The consultations are rows only,
    with no task: nothing is asked of anyone, and only the policies and the dashboard's
    consultation record read them. Vacuumed after, as the copies are (``copy_journey``):
    a database that has been in use for years is, by autovacuum; left unvacuumed, each of
    its reviewer's probes of these rows read the table as well as the index."""
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.models import F

    from organisations.models import Organisation, User
    from organisations.roles import Role
    from workflows.models import Consultation, ConsultationRound

    ministry = Organisation.objects.get(code=SELDOM)
    reviewer, _created = User.objects.get_or_create(
        username=SELDOM_REVIEWER,
        defaults={"first_name": "ចាន់", "last_name": "សុភា", "organisation": ministry},
    )
    reviewer.groups.add(Group.objects.get(name=Role.MINISTRY_REVIEWER))
    rounds = (
        ConsultationRound.objects.alias(every=F("id") % SELDOM_EVERY)
        .filter(every=0)
        .exclude(consultations__organisation=ministry)
    )
    Consultation.objects.bulk_create(
        Consultation(round_id=pk, organisation=ministry)
        for pk in rounds.values_list("pk", flat=True)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE workflows_consultation")


def census() -> str:
    from django.db import connection

    from documents.models import Instrument
    from organisations.models import User
    from workflows.models import Comment

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM viewflow_task")
        tasks = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM notifications_notification")
        notifications = cursor.fetchone()[0]
    return (
        f"{Instrument.objects.count():,} instruments, {tasks:,} tasks, "
        f"{Comment.objects.count():,} comments, {notifications:,} notifications, "
        f"{User.objects.count():,} users"
    )


# --- Measuring ------------------------------------------------------------------------------


def pages(users, fixed, templates) -> list[tuple[str, str, list[str]]]:
    """(page, path, roles) to measure, the references last."""
    from urllib.parse import urlencode

    from django.db.models import Count
    from django.urls import reverse

    from organisations.models import User
    from workflows.models import ApprovalProcess

    registered = templates["registered"]
    big, process = fixed["big"], fixed["matrix"]
    heavy = (
        User.objects.annotate(n=Count("notifications")).order_by("-n").values_list("username")[0][0]
    )
    compare = reverse("documents:compare", args=[big.pk])
    archived = ApprovalProcess.objects.get(instrument=registered)
    return [
        ("inbox", reverse("workflow:inbox"), ROLES),
        ("queue", reverse("workflow:queue"), ROLES),
        ("archive", reverse("workflow:archive"), ROLES),
        ("process list", reverse("workflow:flows:approval:process_list"), ROLES),
        ("instrument list", reverse("documents:index"), ROLES),
        ("instrument list, filtered", f"{reverse('documents:index')}?{LIST_FILTER}", ROLES),
        ("instrument list, overdue", f"{reverse('documents:index')}?overdue=on", ROLES),
        (
            "instrument list, by step, by title",
            f"{reverse('documents:index')}?step=chief_review&sort=title",
            ROLES,
        ),
        ("instrument page", reverse("documents:instrument", args=[registered.pk]), ROLES),
        (
            "process page",
            reverse("workflows:instrument_process", args=[archived.instrument_id]),
            ROLES,
        ),
        ("editor, 300 articles", reverse("documents:instrument", args=[big.pk]), ROLES),
        (
            "comparison, 300 articles",
            f"{compare}?a={fixed['first'].pk}&b={fixed['second'].pk}",
            ROLES,
        ),
        ("matrix, 100 comments", reverse("workflows:matrix", args=[process.pk, 1]), ROLES),
        # The heavy recipient: whoever has the most notifications (the drafter, as a rule).
        ("notifications", reverse("notifications:list"), list(dict.fromkeys([*ROLES, heavy]))),
        (
            "search, one word",
            f"{reverse('search:search')}?{urlencode({'q': 'មុខងារ'})}",
            SEARCH_ROLES,
        ),
        (
            "search, three words",
            f"{reverse('search:search')}?{urlencode({'q': 'ស្តីពីការផ្ទេរមុខងារ'})}",
            SEARCH_ROLES,
        ),
        (
            "search API, one word",
            f"{reverse('api:search')}?{urlencode({'q': 'មុខងារ', 'page_size': 20})}",
            SEARCH_ROLES,
        ),
        (
            "search API, three words",
            f"{reverse('api:search')}?{urlencode({'q': 'ស្តីពីការផ្ទេរមុខងារ', 'page_size': 20})}",
            SEARCH_ROLES,
        ),
        ("portfolio dashboard", reverse("oversight:index"), ["dg", "director"]),
        # the longest period it shows: ten years (every step of L)
        ("dashboard, ten years", f"{reverse('oversight:index')}?start=2000-01", ["dg"]),
        ("transfer tracker", reverse("oversight:transfers"), ["dg"]),
        (ADMIN, reverse("admin:documents_instrument_changelist"), ["admin"]),
        ("trivial view /health/", reverse("health"), [None]),
    ]


def queries_and_size(clients, path, role) -> tuple[int, int | None, int]:
    """The status, SQL queries and bytes of one request (after a warm-up one)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    client = clients[role]
    client.get(path)
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response.status_code, len(captured.captured_queries), len(response.content)


def load(base, path, cookie, concurrency, requests=None) -> tuple[list[float], int, set[int]]:
    """Milliseconds of each request, bytes on the wire of one, and the statuses seen."""
    address = urlsplit(base)
    headers = {"Accept-Encoding": "gzip, br"}
    if cookie:
        headers["Cookie"] = cookie
    lock = threading.Lock()
    issued, timings, statuses, wire = [0], [], set(), [0]
    deadline = time.monotonic() + SECONDS
    # Two rounds of the threads at least, so that a p95 at concurrency 8 means something.
    most = max(REQUESTS, 2 * concurrency) if requests is None else requests

    def worker():
        while True:
            with lock:
                over = issued[0] >= 3 and time.monotonic() > deadline
                if issued[0] >= most or over:
                    return
                issued[0] += 1
            connection = http.client.HTTPConnection(
                address.hostname, address.port, timeout=REQUEST_TIMEOUT
            )
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            connection.close()
            with lock:
                timings.append(elapsed)
                statuses.add(response.status)
                wire[0] = len(body)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, wire[0], statuses


def load_beside(base, path, cookie, reference) -> tuple[list[float], list[float], set[int]]:
    """Concurrency 1, each request to ``path`` right after one to ``reference`` (a path and
    its cookie: the admin's changelist): the milliseconds of both, and the page's statuses. A
    page and its reference measured minutes apart differ by the machine's drift as much as by
    their own cost."""
    page, beside, statuses = [], [], set()
    deadline = time.monotonic() + 2 * SECONDS
    while len(page) < REQUESTS and (len(page) < 3 or time.monotonic() < deadline):
        one, _wire, _statuses = load(base, reference[0], reference[1], 1, requests=1)
        beside.extend(one)
        one, _wire, seen = load(base, path, cookie, 1, requests=1)
        page.extend(one)
        statuses |= seen
    return page, beside, statuses


def queries_grow(small: dict, large: dict) -> list[str]:
    """The pages (and roles) whose queries are more at the larger size than at the smaller."""
    return [
        f"{page} ({role or 'anonymous'}): {small[page, role]['queries']} -> {figures['queries']}"
        for (page, role), figures in large.items()
        if (page, role) in small and figures["queries"] > small[page, role]["queries"]
    ]


def server_errors(tables: dict) -> list[str]:
    """The pages (and roles, at each size) answered with a server error, to the test client
    or under load; never ``/health/``, whose 503 without the worker is expected."""
    return [
        f"{page} ({role or 'anonymous'}) at {size}"
        for size, table in tables.items()
        for (page, role), figures in table.items()
        if not page.startswith("trivial view")
        and max({figures["status"], *figures.get("served", ())}) >= 500
    ]


def lists_behind(table: dict) -> list[str]:
    """The lists (and roles) slower than the admin beside them, or with a p95 of 150 ms or
    more, at concurrency 1."""
    return [
        f"{page} ({role}): p50 {figures['ratio']:.2f} of the admin's,"
        f" p95 {figures['cells'][0][1]:.0f} ms"
        for (page, role), figures in table.items()
        if page.startswith(LISTS)
        and "ratio" in figures
        and (figures["ratio"] > 1 or figures["cells"][0][1] >= P95_MOST)
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(base, clients, cookies, plan) -> dict:
    """Every (page, role): its figures, printed as a table and returned."""
    from django.db import connection

    results = {}
    header = (
        f"{'page':<27} {'role':<14} {'st':>3} {'queries':>7} {'HTML KB':>8} {'wire KB':>8}"
        f" {'c1 p50':>7} {'c1 p95':>7} {'÷admin':>7} {'c8 p50':>7} {'c8 p95':>7} {'c8 r/s':>6}"
    )
    print(header)
    print("-" * len(header))
    # The runs after which a connection prepares a statement (project/env.py; none on SQLite).
    prepared_after = connection.settings_dict["OPTIONS"].get("prepare_threshold") or 0
    reference = next((path, cookies[roles[0]]) for page, path, roles in plan if page == ADMIN)
    for page, path, roles in plan:
        for role in roles:
            status, queries, size = queries_and_size(clients, path, role)
            who = role or "anonymous"
            row = f"{page:<27} {who:<14} {status:>3} {queries:>7} {size / 1024:>8.1f}"
            figures = {"status": status, "queries": queries, "bytes": size}
            # Only what the role may open; /health/ answers 503 without the worker, still
            # the trivial view it stands for.
            if status == 200 or path.startswith("/health/"):
                # Warm, as a worker is after its first minutes: every worker has run the
                # page's statements past psycopg's prepare_threshold, so that they are
                # prepared and PostgreSQL no longer plans them on each request.
                load(base, path, cookies[role], WORKERS, requests=WORKERS * (prepared_after + 1))
                load(base, reference[0], reference[1], 1, requests=prepared_after + 1)
                timings, beside, served = load_beside(base, path, cookies[role], reference)
                cells = [(percentile(timings, 0.5), percentile(timings, 0.95))]
                ratio = cells[0][0] / percentile(beside, 0.5)
                started = time.perf_counter()
                timings, wire, statuses = load(base, path, cookies[role], CONCURRENCY)
                rate = len(timings) / (time.perf_counter() - started)
                cells.append((percentile(timings, 0.5), percentile(timings, 0.95)))
                served |= statuses
                figures.update(cells=cells, wire=wire, rate=rate, ratio=ratio, served=served)
                (c1_p50, c1_p95), (c8_p50, c8_p95) = cells
                row += f" {wire / 1024:>8.1f} {c1_p50:>7.0f} {c1_p95:>7.0f} {ratio:>7.2f}"
                row += f" {c8_p50:>7.0f} {c8_p95:>7.0f} {rate:>6.1f}"
                if served != {status}:  # the server answered otherwise than the test client
                    row += f"   SERVED {', '.join(map(str, sorted(served)))}"
            else:
                row += f" {'-':>8}   (not this role's page)"
            print(row, flush=True)
            results[page, role] = figures
    return results


def clients_for(plan) -> tuple[dict, dict]:
    """A signed-in test client per role, and the cookie that signs the load loop in."""
    from django.conf import settings
    from django.test import Client

    from organisations.models import User

    clients, cookies = {}, {}
    for _page, _path, roles in plan:
        for role in roles:
            if role in clients:
                continue
            client = Client()
            if role is not None:
                client.force_login(User.objects.get(username=role))
                session = client.cookies[settings.SESSION_COOKIE_NAME].value
                cookies[role] = f"{settings.SESSION_COOKIE_NAME}={session}"
            else:
                cookies[role] = ""
            clients[role] = client
    return clients, cookies


# --- The run --------------------------------------------------------------------------------


def run(sizes: list[str], database_url: str, scratch: Path) -> int:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.test.utils import setup_test_environment
    from django.urls import get_resolver

    from documents.demo import instrument_types_seed
    from organisations.demo import organisations_seed, users_seed
    from organisations.models import Organisation

    # Pages a role may not open are expected (403, 404), and /health/ answers 503 without
    # the worker and beat: only the other pages' server errors are logged.
    logging.getLogger("django.request").addFilter(
        lambda record: (
            getattr(record, "status_code", 500) >= 500
            and not record.request.path.startswith("/health/")
        )
    )
    get_resolver().url_patterns  # noqa: B018 - viewflow learns its URLs when they load
    setup_test_environment()  # the test client's host allowed, e-mail kept in memory
    # As in Django's TestCase: one connection for the whole run, not one per request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    started = time.perf_counter()
    organisations = organisations_seed()
    instrument_types_seed()
    users = {u.username: u for u in users_seed(organisations=organisations)}
    users_fill({o.code: o for o in Organisation.objects.all()})
    fixed = fixed_pieces(users, {o.code: o for o in Organisation.objects.filter(code__in=CODES)})
    templates = templates_build(
        users, {o.code: o for o in Organisation.objects.filter(code__in=CODES)}
    )
    outbox_deliver()
    print(f"journeys through the services: {time.perf_counter() - started:.0f} s", flush=True)

    server = None
    tables = {}
    try:
        for size in sizes:
            started = time.perf_counter()
            grow_to(SIZES[size], templates)
            seldom_consulted()
            print(
                f"\nsize {size}: {census()}; copied in {time.perf_counter() - started:.0f} s",
                flush=True,
            )
            plan = pages(users, fixed, templates)
            clients, cookies = clients_for(plan)
            if server is None:
                # The server's log is kept apart (403s of the pages a role may not open, 503s
                # of /health/ without the worker): a server error shows as the status the test
                # client gets for the same page, and in the count of tracebacks at the end.
                server_log = open(scratch / "gunicorn.log", "w")  # noqa: SIM115
                # A slow page is measured, not killed at gunicorn's 30 s.
                server, base = serve(
                    database_url, workers=WORKERS, output=server_log, timeout=REQUEST_TIMEOUT
                )
            print(
                f"gunicorn, {WORKERS} sync workers, DEBUG=false; milliseconds; each cell at most "
                f"{REQUESTS} requests or {SECONDS:.0f} s\n",
                flush=True,
            )
            started = time.perf_counter()
            tables[size] = measure(base, clients, cookies, plan)
            print(f"measured in {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
            server_log.close()
            errors = (scratch / "gunicorn.log").read_text().count("Traceback")
            print(f"\nserver log: {errors} tracebacks (a role's 403s among them)")

    failed = bool(server_errors(tables))
    for line in server_errors(tables):
        print(f"SERVER ERROR: {line}")
    for size, table in tables.items():
        behind = lists_behind(table)
        print()
        for line in behind:
            print(f"BEHIND THE ADMIN at {size}: {line}")
        if not behind:
            print(
                f"at {size}, every list is as fast as the admin beside it,"
                f" with a p95 under {P95_MOST} ms."
            )
    if len(tables) > 1:
        small, large = tables[sizes[0]], tables[sizes[-1]]
        grows = queries_grow(small, large)
        print()
        for line in grows:
            print(f"QUERIES GROW between {sizes[0]} and {sizes[-1]}: {line}")
        if not grows:
            print(f"every page's queries are the same at {sizes[0]} and {sizes[-1]}.")
        failed |= bool(grows)
    return 1 if failed else 0


def main() -> int:
    sizes = [s.strip().upper() for s in os.environ.get("BENCH_PAGES_SIZES", "S,L").split(",")]
    if len(sys.argv) > 1:
        sizes = [s.strip().upper() for s in sys.argv[1].split(",")]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        print(f"unknown size {', '.join(unknown)}: choose among {', '.join(SIZES)}")
        return 2
    sizes.sort(key=SIZES.get)
    scratch = Path(tempfile.mkdtemp(prefix="lekhit-bench-pages-"))
    temporary_sqlite = configure(scratch)
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    bench_database = None
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        if temporary_sqlite:
            print("no DATABASE_URL: a temporary SQLite file (the sizes are meant for PostgreSQL)")
            call_command("migrate", verbosity=0, interactive=False)
            database_url = os.environ["DATABASE_URL"]
        else:
            # Beside the named database, after its name: never the named database itself.
            connection.settings_dict["TEST"]["NAME"] = (
                f"{connection.settings_dict['NAME']}_{BENCH_DATABASE_SUFFIX}"
            )
            bench_database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
            database_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{bench_database}"
        if static_out_of_date(Path(settings.STATIC_ROOT)):
            call_command("collectstatic", interactive=False, verbosity=0)
        return run(sizes, database_url, scratch)
    finally:
        if bench_database is not None and KEEP:
            print(f"database kept: {bench_database}")
        elif bench_database is not None:
            from django.db import connection

            connection.close()
            connection.creation.destroy_test_db(bench_database, verbosity=0)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
