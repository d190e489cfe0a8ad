"""A lost database connection: never a 500; a translated 503 page that keeps what was typed.

The live test cuts gunicorn's PostgreSQL connections (``pg_terminate_backend``) while a loop of
requests runs: a connection cut between requests is replaced by Django's health check before
it is used, one cut during a request gives the 503 page, and the next requests work. The unit
tests drive the page itself: the POST's fields offered again (escaped) only when nothing was
written, never when a write was committed.
"""

import html
import os
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.client import HTTPConnection
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
KM_TITLE = "មូលដ្ឋានទិន្នន័យមិនឆ្លើយតប"
EN_TITLE = "The database is not answering"
APPLICATION_NAME = "lekhit-connection-loss-test"


@contextmanager
def connection_lost_on(statement_start):
    """The server goes away when the request runs its first statement beginning so."""

    def cut(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(statement_start):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(cut):
        yield


def create_form(**changes):
    fields = {
        "instrument_type": "",
        "title_km": 'អនុក្រឹត្យ <script>alert("x")</script> & "quotes"',
        "title_en": "A sub-decree </textarea><b>bold</b>",
        "owning_office": "",
        "sector": "",
    }
    fields.update(changes)
    return fields


def signed_in(user, language="km"):
    user.language = language
    user.save(update_fields=["language"])
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def form_values(demo, client):
    page = client.get("/documents/new/").content.decode()
    kind = re.search(r'<option value="(\d+)"', page).group(1)
    office = re.search(r'name="owning_office".*?<option value="(\d+)"', page, re.S).group(1)
    return {"instrument_type": kind, "owning_office": office}


def test_a_post_cut_in_its_transaction_offers_the_same_form_again_escaped(demo):
    client = signed_in(demo["drafter"])
    fields = create_form(**form_values(demo, client))
    services = "documents.services.instrument_create"
    from documents import services as document_services

    original = document_services.instrument_create

    def create_then_lose_the_connection(**kwargs):
        with connection_lost_on("INSERT"):
            return original(**kwargs)

    with mock.patch(services, create_then_lose_the_connection):
        response = client.post("/documents/new/", fields)

    assert response.status_code == 503
    assert response["Retry-After"]
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert KM_TITLE in page
    assert "ផ្ញើសំណុំបែបបទម្តងទៀត" in page  # "Send the form again"
    # The same form, to the same address, with every field as typed: escaped, never raw.
    assert 'action="/documents/new/"' in page
    assert '<script>alert("x")' not in page and "<b>bold</b>" not in page
    assert (
        'name="title_km" value="អនុក្រឹត្យ &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; '
        '&amp; &quot;quotes&quot;"' in page
    )
    assert 'value="A sub-decree &lt;/textarea&gt;&lt;b&gt;bold&lt;/b&gt;"' in page
    assert page.count('name="csrfmiddlewaretoken"') == 1
    from documents.models import Instrument

    assert not Instrument.objects.exists()

    # Sending it again, as the button does, creates the instrument with the text as typed.
    resend = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))

    resend = {name: html.unescape(value) for name, value in resend.items()}
    assert {k: v for k, v in resend.items() if k != "csrfmiddlewaretoken"} == fields
    answer = client.post("/documents/new/", resend)
    assert answer.status_code == 302
    assert Instrument.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_no_offer_to_send_again_once_a_write_was_committed(demo):
    client = signed_in(demo["drafter"], language="en")
    fields = create_form(**form_values(demo, client))
    from organisations.models import User

    def commit_a_write_then_lose_the_connection(**kwargs):
        User.objects.filter(username="drafter").update(first_name="Committed")  # autocommit
        with connection_lost_on("SELECT"):
            User.objects.count()

    with mock.patch(
        "documents.services.instrument_create", commit_a_write_then_lose_the_connection
    ):
        response = client.post("/documents/new/", fields)

    assert response.status_code == 503
    page = response.content.decode()
    assert EN_TITLE in page
    assert "It is not certain whether what you sent was saved." in page
    assert "Send the form again" not in page and 'name="title_km"' not in page


def test_a_page_whose_session_cannot_be_read_answers_503_with_a_retry_link(demo):
    """The first query of a request is the session, read by a middleware before the view."""
    client = signed_in(demo["chief"], language="en")
    # Their account's language cannot be read (the session is what fails): the cookie can.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("terminating connection due to administrator command"),
    ):
        response = client.get("/documents/?sort=title")
    assert response.status_code == 503
    page = response.content.decode()
    assert EN_TITLE in page
    assert 'href="/documents/?sort=title"' in page  # "Try again": the same address
    assert response["X-Frame-Options"] == "DENY"


# --- The real thing: gunicorn, PostgreSQL, connections cut under load ---------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port, path, cookie):
    connection_ = HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection_.request("GET", path, headers={"Host": "127.0.0.1", "Cookie": cookie})
        response = connection_.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection_.close()


@contextmanager
def gunicorn(database, log):
    port = free_port()
    environment = {
        key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}
    }
    environment.update(
        DEBUG="true",
        SECRET_KEY=database["secret_key"],
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database["url"],
        DATABASE_CONN_MAX_AGE="60",
        LOG_LEVEL="ERROR",
    )
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "project.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,  # to a file: a pipe nobody reads would block the workers
    )
    try:
        for _ in range(240):
            if process.poll() is not None:
                raise AssertionError(f"gunicorn exited: {Path(log.name).read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.25)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Cutter(threading.Thread):
    """Another connection terminating the app's connections (and only those), again and again."""

    def __init__(self, dsn):
        super().__init__(daemon=True)
        self.dsn, self.stop, self.killed = dsn, threading.Event(), 0

    def run(self):
        import psycopg

        with psycopg.connect(**self.dsn, autocommit=True) as admin:
            while not self.stop.is_set():
                rows = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = %s AND pid <> pg_backend_pid()",
                    [APPLICATION_NAME],
                ).fetchall()
                self.killed += sum(1 for (done,) in rows if done)
                self.stop.wait(0.3)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_connections_cut_under_load_give_no_500_and_the_next_requests_work(demo, tmp_path):
    settings_dict = connection.settings_dict
    user, host, port = settings_dict["USER"], settings_dict["HOST"], settings_dict["PORT"]
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    url = (
        f"postgres://{user}{password}@{host}:{port or 5432}/{settings_dict['NAME']}"
        f"?application_name={APPLICATION_NAME}"
    )
    client = Client()
    client.force_login(demo["drafter"])  # a session in the database, for gunicorn to read
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    pages = ["/workflow/inbox/", "/documents/", "/notifications/", "/away/"]
    dsn = {
        "host": host,
        "port": port or 5432,
        "user": user,
        "dbname": settings_dict["NAME"],
        **({"password": settings_dict["PASSWORD"]} if settings_dict["PASSWORD"] else {}),
    }

    log = (tmp_path / "gunicorn.log").open("w")
    with log, gunicorn({"url": url, "secret_key": settings.SECRET_KEY}, log) as http_port:
        for path in pages * 2:  # both workers up, each with its persistent connection
            assert get(http_port, path, cookie)[0] == 200, path
        cutter = Cutter(dsn)
        cutter.start()
        answers = []
        try:
            for number in range(60):
                path = pages[number % len(pages)]
                answers.append((path, *get(http_port, path, cookie)))
        finally:
            cutter.stop.set()
            cutter.join(timeout=10)
        after = [get(http_port, path, cookie) for path in pages * 2]

    statuses = [status for _, status, _ in answers]
    print(
        f"{cutter.killed} connections cut during 60 requests: "
        f"{statuses.count(200)} answered 200, {statuses.count(503)} the 503 page"
    )
    assert cutter.killed > 0
    assert 500 not in statuses, [
        (path, re.findall(r"<title>(.*?)</title>|exception_value\">(.*?)<", body, re.S)[:3])
        for path, status, body in answers
        if status == 500
    ]
    for path, status, body in answers:
        assert status in {200, 503}, (path, status, body[:500])
        if status == 503:
            assert KM_TITLE in body, body[:500]  # the drafter's language: Khmer
            assert f'href="{path}"' in body  # "Try again"
    assert [status for status, _ in after] == [200] * len(after)
