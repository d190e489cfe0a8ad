"""Benchmark of what a person's browser loads: Lekhit's pages in Chromium, cold and warm.

Run from the project root: ``.venv/bin/python bench/bench_browser.py`` (``make bench`` runs it).

Production-like: ``DEBUG=false``, the static files collected by WhiteNoise's
``CompressedManifestStaticFilesStorage`` (brotli and gzip beside each file, hashed names
cacheable for ever) and served by WhiteNoise under gunicorn on loopback. The database is one
of its own beside ``DATABASE_URL``'s (``<name>_bench_browser``, created, migrated, seeded with
the demo people and one instrument in its chief's review, dropped at the end); without
``DATABASE_URL``, a temporary SQLite file.

Figures, printed:
- cold: the inbox opened in a browser with an empty cache (signed in by cookie): bytes
  transferred (encoded, as on the wire: Chromium's ``encodedDataLength``) and milliseconds to
  the load event. Goal (issue 11): under 600 KB and 800 ms.
- warm: each page of a list (inbox, queue, archive, instruments, the instrument, its process
  page, viewflow's process and task pages, notifications, Away, verify) opened again with a
  warm cache: milliseconds to the load event, the median of ``RUNS``. Goal: under 300 ms.
The script fails (exit status 1) when a goal is missed, so that a regression is seen.
"""

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH_DATABASE_SUFFIX = "bench_browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
RUNS = 5
COLD_BYTES_GOAL = 600 * 1024
COLD_MS_GOAL = 800
WARM_MS_GOAL = 300

LOAD_MS = """() => { const n = performance.getEntriesByType('navigation')[0];
  return n.loadEventEnd - n.startTime; }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(base: str, seconds: float = 180) -> None:
    """Until both workers answer (each loads Django on its first request)."""
    deadline = time.monotonic() + seconds
    answered = 0
    while answered < 4:
        try:
            with urllib.request.urlopen(f"{base}/accounts/login/", timeout=30) as response:  # noqa: S310
                answered += response.status == 200
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def configure(scratch: Path) -> bool:
    """The environment of the server and of this script; True when SQLite is temporary."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["SESSION_COOKIE_SECURE"] = "false"
    os.environ["CSRF_COOKIE_SECURE"] = "false"
    if os.environ.get("DATABASE_URL"):
        return False
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    return True


def static_out_of_date(static_root: Path) -> bool:
    """Collected before every change to our static files and to the locked packages?"""
    manifest = static_root / "staticfiles.json"
    if not manifest.exists():
        return True
    collected = manifest.stat().st_mtime
    sources = [ROOT / "uv.lock", *(p for p in (ROOT / "static").rglob("*") if p.is_file())]
    return any(source.stat().st_mtime > collected for source in sources)


def serve(
    database_url: str, *, workers: int, output=None, timeout: int = 30
) -> tuple[subprocess.Popen, str]:
    """gunicorn on a free loopback port against ``database_url``, with the environment
    ``configure`` set; the process and its base address, once its workers answer. Its log
    goes to ``output`` (a file), or to this script's own. ``timeout``: gunicorn's, seconds a
    worker may spend on one request before it is killed."""
    port = free_port()
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    # Our own command line: no untrusted input reaches it.
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "project.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--timeout",
            str(timeout),
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=output,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base)
    except BaseException:
        server.terminate()
        server.wait(timeout=10)
        raise
    return server, base


def seed():
    from documents import services as documents
    from documents.demo import instrument_types_seed
    from documents.models import InstrumentType, Provision
    from organisations.demo import organisations_seed, users_seed
    from organisations.models import Organisation
    from workflows import services

    organisations = organisations_seed()
    instrument_types_seed()
    users = {u.username: u for u in users_seed(organisations=organisations)}
    drafter = users["drafter"]
    instrument = documents.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យស្តីពីការផ្ទេរសាលារៀន",
        title_en="Sub-decree on school transfers",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    for n in range(1, 21):
        documents.provision_add(
            instrument=instrument,
            user=drafter,
            kind=Provision.Kind.ARTICLE,
            text_km=f"មាត្រា {n}៖ អនុក្រឹត្យនេះមានគោលបំណងផ្ទេរមុខងារគ្រប់គ្រងសាលាបឋមសិក្សា។",
        )
    process = services.process_start(instrument=instrument, user=drafter)
    # The chief's review, theirs at once (the one office chief: assigned on creation).
    task = process.task_set.exclude(status="DONE").get()
    return instrument, process, task


def pages(instrument, process, task) -> list[str]:
    from django.urls import reverse

    return [
        reverse("workflow:inbox"),
        reverse("workflow:queue"),
        reverse("workflow:archive"),
        reverse("documents:index"),
        reverse("documents:instrument", args=[instrument.pk]),
        reverse("workflows:instrument_process", args=[instrument.pk]),
        reverse("workflow:flows:approval:process_detail", args=[process.pk]),
        task.flow_task.reverse("detail", args=[process.pk, task.pk]),
        task.flow_task.reverse("index", args=[process.pk, task.pk]),
        reverse("notifications:list"),
        reverse("away"),
        reverse("verify"),
    ]


def measure(base: str, paths: list[str]) -> bool:
    from playwright.sync_api import sync_playwright

    ok = True
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        signing = browser.new_context()
        page = signing.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", "chief")
        page.fill("input[name=password]", "demo")
        page.click("button[type=submit]:not([name=language])")
        page.wait_for_url("**/workflow/inbox/")
        state = signing.storage_state()
        signing.close()

        # Cold: a new browser profile (empty cache), signed in by its cookie.
        cold = browser.new_context(storage_state=state)
        page = cold.new_page()
        cdp = cold.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        transferred = {"bytes": 0, "requests": 0}

        def finished(event):
            transferred["bytes"] += event["encodedDataLength"]
            transferred["requests"] += 1

        cdp.on("Network.loadingFinished", finished)
        page.goto(f"{base}{paths[0]}", wait_until="load")
        page.wait_for_load_state("networkidle")
        cold_ms = page.evaluate(LOAD_MS)
        kb = transferred["bytes"] / 1024
        print(
            f"cold inbox: {kb:.0f} KB transferred in {transferred['requests']} requests, "
            f"{cold_ms:.0f} ms to load (goals: < {COLD_BYTES_GOAL // 1024} KB, < {COLD_MS_GOAL} ms)"
        )
        ok &= transferred["bytes"] < COLD_BYTES_GOAL and cold_ms < COLD_MS_GOAL

        # Warm: each page once to fill the cache, then RUNS more times.
        print(f"warm (median of {RUNS}, goal < {WARM_MS_GOAL} ms):")
        for path in paths:
            page.goto(f"{base}{path}", wait_until="load")
            times = []
            for _ in range(RUNS):
                page.goto(f"{base}{path}", wait_until="load")
                times.append(page.evaluate(LOAD_MS))
            median = statistics.median(times)
            slow = median >= WARM_MS_GOAL
            ok &= not slow
            print(f"  {median:6.0f} ms  {path}{'  OVER' if slow else ''}")
        browser.close()
    return ok


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="lekhit-bench-browser-"))
    temporary_sqlite = configure(scratch)
    server = None
    bench_database = None
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        if temporary_sqlite:
            call_command("migrate", verbosity=0, interactive=False)
        else:
            connection.settings_dict["TEST"]["NAME"] = (
                f"{connection.settings_dict['NAME']}_{BENCH_DATABASE_SUFFIX}"
            )
            bench_database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        instrument, process, task = seed()
        paths = pages(instrument, process, task)
        connection.close()

        if static_out_of_date(Path(settings.STATIC_ROOT)):
            started = time.monotonic()
            call_command("collectstatic", interactive=False, verbosity=0)
            print(f"collectstatic: {time.monotonic() - started:.0f} s")

        database_url = (
            os.environ["DATABASE_URL"]
            if temporary_sqlite
            else os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{bench_database}"
        )
        server, base = serve(database_url, workers=2)
        return 0 if measure(base, paths) else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if bench_database is not None:
            from django.db import connection

            connection.creation.destroy_test_db(bench_database, verbosity=0)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
