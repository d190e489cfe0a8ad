"""The hostile crawl: every page an internal person can reach, opened by everyone else.

Six instruments stand at different stages of the process, consulted with different
ministries (``build_state``). Every piece of text people typed — titles, articles, comments,
reasons, notes, answers, remarks, positions' remarks, the reference number — carries a
unique marker, registered with who may see it: the department (every internal role) sees
everything; a consulted ministry's reviewer sees the titles of the instruments that
consulted their ministry, the version sent to it, their ministry's comments and position,
and a round's other comments and the drafters' answers once the director has published
the matrix; a head (no role), a reviewer whose ministry was not consulted and an anonymous
visitor see nothing.

Each internal role, then each reviewer, follows every same-origin link and GET form from
their home, inbox, queue and the instruments' pages (each URL pattern with a few distinct
ids, never logout or the admin); then every URL collected is replayed as every reviewer,
every head and anonymously. A response of any status that shows a marker its reader may not
see fails with the URL and the marker; so does any 500.
"""

import json
import re
from collections import defaultdict
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from documents import export_pdf
from documents import services as documents
from documents.models import InstrumentType, Provision
from organisations.models import Organisation, User
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import Decision, Disposition, NextStep, Position, SignOffDecision
from workflows.tests.conftest import act, open_round, open_task, open_tasks

INTERNAL = ["drafter", "chief", "director", "legal", "dg", "registry", "admin"]
REVIEWERS = {"mef": "reviewer-mef", "moh": "reviewer-moh", "ncdd-s": "reviewer-ncdd"}
OUTSIDERS = [*REVIEWERS.values(), "head-mef", "head-moh", "head-ncdd", None]  # None: anonymous
ANYONE = OUTSIDERS  # a signed instrument's title and number: public at /verify/

# Each kind of page (its URL pattern, ids replaced by <n> but the first, the instrument's or
# the process's) is opened this many times over all the crawls: every kind of page of every
# instrument, at its stage, whoever reaches it first.
PER_KIND = 1
NEVER = re.compile(r"^/(accounts/logout|admin/|static/|jsi18n/|health/)|/read(-all)?/$")


class Markers:
    """Unique words for every text typed, each with the outsiders who may see it."""

    def __init__(self):
        self.allowed: dict[str, set[str]] = {}

    def new(self, what: str, *, seen_by=()) -> str:
        marker = f"QZ{len(self.allowed):03d}{what}QZ"
        self.allowed[marker] = set(seen_by)
        return marker

    def forbidden_for(self, username: str | None, body: str) -> list[str]:
        return [m for m, who in self.allowed.items() if m in body and username not in who]


def _reviewers(codes):
    return [REVIEWERS[code] for code in codes]


class State:
    """The instruments, built through the services as people would."""

    def __init__(self, demo, markers: Markers):
        self.demo, self.m = demo, markers
        self.instruments = []
        self.sub_decree = InstrumentType.objects.get(code="sub-decree")
        self.office = Organisation.objects.get(code="dfr-fr")

    def draft(self, name, consulted=(), sent=True):
        """A draft with a marked title and two marked articles; ``consulted`` ministries will
        see the title and (when the draft is sent to them) the articles."""
        who = _reviewers(consulted)
        drafter = self.demo["drafter"]
        instrument = documents.instrument_create(
            user=drafter,
            instrument_type=self.sub_decree,
            title_km=f"អនុក្រឹត្យ {self.m.new(f'title{name}', seen_by=who)}",
            owning_office=self.office,
        )
        chapter = documents.provision_add(
            instrument=instrument,
            user=drafter,
            kind=Provision.Kind.CHAPTER,
            heading_km=f"ជំពូក {self.m.new(f'chapter{name}', seen_by=who if sent else ())}",
        )
        for n in (1, 2):
            documents.provision_add(
                instrument=instrument,
                user=drafter,
                kind=Provision.Kind.ARTICLE,
                parent=chapter,
                text_km=f"មាត្រា {self.m.new(f'art{n}{name}', seen_by=who if sent else ())}",
            )
        instrument.refresh_from_db()
        self.instruments.append(instrument)
        return instrument

    def review(self, process, node, username, decision=Decision.APPROVE, name=""):
        act(
            open_task(process, node),
            self.demo[username],
            services.review_decide,
            decision=decision,
            reason=f"ហេតុផល {self.m.new(f'reason{node.name}{name}')}",
        )

    def submit_and_approve(self, instrument, name):
        process = services.process_start(instrument=instrument, user=self.demo["drafter"])
        self.review(process, ApprovalFlow.chief_review, "chief", name=name)
        self.review(process, ApprovalFlow.director_review, "director", name=name)
        return process

    def consult(self, process, codes, name, *, answer=True):
        """A round with ``codes``; each ministry comments on an article, and (``answer``)
        gives its position with a remark. Returns {code: comment}."""
        consultation_round = open_round(self.demo, process, codes)
        article = next(
            p for p in consultation_round.version.snapshot["provisions"] if p["kind"] == "article"
        )
        comments = {}
        for consultation in consultation_round.consultations.select_related("organisation"):
            code = consultation.organisation.code
            reviewer = self.demo[REVIEWERS[code]]
            comments[code] = services.comment_add(
                consultation=consultation,
                user=reviewer,
                text=f"មតិ {self.m.new(f'comment{code}{name}', seen_by=[REVIEWERS[code]])}",
                provision_uid=article["uid"],
            )
            if answer:
                remark = self.m.new(f"remark{code}{name}", seen_by=[REVIEWERS[code]])
                act(
                    next(
                        t
                        for t in open_tasks(process, ApprovalFlow.organisation_review)
                        if t.data["consultation_id"] == consultation.pk
                    ),
                    reviewer,
                    services.consultation_answer,
                    position=Position.COMMENTS,
                    remarks=f"សេចក្តីសន្និដ្ឋាន {remark}",
                )
        return consultation_round, comments

    def consolidate(self, process, consultation_round, comments, name):
        """The drafters revise the working draft and answer every comment."""
        drafter = self.demo["drafter"]
        instrument = process.instrument
        chapter = Provision.objects.filter(
            instrument=instrument, kind=Provision.Kind.CHAPTER
        ).first()
        article = documents.provision_add(
            instrument=instrument,
            user=drafter,
            kind=Provision.Kind.ARTICLE,
            parent=chapter,
            text_km=f"មាត្រាថ្មី {self.m.new(f'draftart{name}')}",
        )
        for code, comment in comments.items():
            services.comment_respond(
                comment=comment,
                user=drafter,
                disposition=Disposition.ACCEPTED,
                response=f"ចម្លើយ {self.m.new(f'answer{code}{name}')}",
                changed_provisions=[str(article.uid)],
            )

    def publish(self, consultation_round, codes, name):
        """The director publishes: the round's comments and answers go to its ministries."""
        services.matrix_publish(consultation_round=consultation_round, user=self.demo["director"])
        for marker, who in self.m.allowed.items():
            if re.fullmatch(rf"QZ\d{{3}}(comment|answer)[a-z-]+{name}QZ", marker):
                who |= set(_reviewers(codes))


def _names(demo, markers: Markers) -> None:
    """People's names are markers too: an official's name only inside the department (the
    director-general's also on /verify/, as the signatory); a reviewer's to themself and their
    head; a head's to themself and the reviewer they supervise (their profile page)."""
    for username, user in demo.items():
        seen_by = {username}
        if username == "dg":
            seen_by = set(ANYONE)
        elif username.startswith("reviewer-"):
            seen_by.add(username.replace("reviewer-", "head-"))
        elif username.startswith("head-"):
            seen_by.add(username.replace("head-", "reviewer-"))
        markers.allowed[user.get_full_name()] = seen_by


def build_state(demo) -> tuple[Markers, State]:
    markers = Markers()
    _names(demo, markers)
    state = State(demo, markers)
    drafter = demo["drafter"]

    # A. A draft nobody outside the department has seen.
    state.draft("A")

    # B. In internal review again: the chief returned it with a reason, the drafter resubmitted
    # it with a note.
    instrument = state.draft("B")
    process = services.process_start(instrument=instrument, user=drafter)
    state.review(process, ApprovalFlow.chief_review, "chief", Decision.RETURN, name="B")
    act(
        open_task(process, ApprovalFlow.revise),
        drafter,
        services.draft_resubmit,
        note=f"កំណត់សម្គាល់ {markers.new('noteB')}",
    )

    # C. A round open with MEF and MoH; MEF has answered, MoH not yet.
    instrument = state.draft("C", consulted=["mef", "moh"])
    process = state.submit_and_approve(instrument, "C")
    consultation_round = open_round(demo, process, ("mef", "moh"))
    article = next(
        p for p in consultation_round.version.snapshot["provisions"] if p["kind"] == "article"
    )
    for consultation in consultation_round.consultations.select_related("organisation"):
        code = consultation.organisation.code
        services.comment_add(
            consultation=consultation,
            user=demo[REVIEWERS[code]],
            text=f"មតិ {markers.new(f'comment{code}C', seen_by=[REVIEWERS[code]])}",
            provision_uid=article["uid"],
        )
        if code == "mef":
            act(
                next(
                    t
                    for t in open_tasks(process, ApprovalFlow.organisation_review)
                    if t.data["consultation_id"] == consultation.pk
                ),
                demo["reviewer-mef"],
                services.consultation_answer,
                position=Position.OBJECTION,
                remarks=f"ជំទាស់ {markers.new('remarkmefC', seen_by=['reviewer-mef'])}",
            )

    # D. A round with MEF and NCDD closed, answered by the drafters, matrix not published.
    instrument = state.draft("D", consulted=["mef", "ncdd-s"])
    process = state.submit_and_approve(instrument, "D")
    consultation_round, comments = state.consult(process, ("mef", "ncdd-s"), "D")
    state.consolidate(process, consultation_round, comments, "D")

    # E. A round with MoH and NCDD closed, answered, and the matrix published.
    instrument = state.draft("E", consulted=["moh", "ncdd-s"])
    process = state.submit_and_approve(instrument, "E")
    consultation_round, comments = state.consult(process, ("moh", "ncdd-s"), "E")
    state.consolidate(process, consultation_round, comments, "E")
    state.publish(consultation_round, ("moh", "ncdd-s"), "E")

    # F. Consulted with MEF, then legal review, signed and registered: /verify/ shows anyone
    # its title and number.
    instrument = state.draft("F", consulted=["mef"])
    markers.allowed[next(m for m in markers.allowed if "titleF" in m)] = set(ANYONE)
    process = state.submit_and_approve(instrument, "F")
    consultation_round, comments = state.consult(process, ("mef",), "F")
    state.consolidate(process, consultation_round, comments, "F")
    act(
        open_task(process, ApprovalFlow.consolidate),
        drafter,
        services.consolidation_finish,
        next_step=NextStep.LEGAL,
    )
    state.review(process, ApprovalFlow.legal_review, "legal", name="F")
    act(
        open_task(process, ApprovalFlow.sign_off),
        demo["dg"],
        services.sign_off_decide,
        decision=SignOffDecision.APPROVE,
        reason=f"យល់ព្រម {markers.new('signoffF')}",
    )
    act(
        open_task(process, ApprovalFlow.register),
        demo["registry"],
        services.instrument_register,
        reference_number=f"លេខ {markers.new('refF', seen_by=ANYONE)}",
        registered_on=date(2026, 1, 5),
    )
    # What the director-general signed is public: anyone who holds its SHA-256 downloads the
    # exact text at /verify/<sha256>/text/, to check the fingerprint against it.
    signed_text = json.dumps(process.sign_off.version.snapshot, ensure_ascii=False)
    for marker in re.findall(r"QZ\d{3}\w+?QZ", signed_text):
        markers.allowed[marker] = set(ANYONE)
    return markers, state


# --- The crawler ------------------------------------------------------------------------


class _Links(HTMLParser):
    """Same-origin ``href``s and the actions of GET forms."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "link") and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.links.append(attrs.get("action") or "")
        elif tag in ("img", "vf-img") and attrs.get("src"):
            self.links.append(attrs["src"])


def _pattern(url: str) -> str:
    """The URL's pattern: ids replaced by <n>, query values dropped."""
    parts = urlsplit(url)
    query = "&".join(sorted(key.split("=")[0] for key in parts.query.split("&") if key))
    return re.sub(r"\d+", "<n>", parts.path) + "?" + query


def _kind(url: str) -> str:
    """The pattern, keeping the first id (the instrument's or the process's): each kind of
    page is visited for every instrument, each at its own stage."""
    first = re.search(r"\d+", urlsplit(url).path)
    pattern = _pattern(url)
    return pattern.replace("<n>", first.group(), 1) if first else pattern


def _normalise(base: str, href: str) -> str | None:
    url = urljoin(base, href.strip())
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    if not parts.path.startswith("/") or NEVER.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Crawl:
    def __init__(self, markers: Markers):
        self.markers = markers
        self.collected: set[str] = set()
        self.leaks: list[tuple[str, str, str, int]] = []
        self.errors: list[tuple[str, str, int]] = []
        self.requests = 0
        self.per_kind: dict[str, int] = defaultdict(int)

    def get(self, client: Client, username: str | None, url: str):
        response = client.get(url)
        self.requests += 1
        if response.status_code >= 500:
            self.errors.append((username or "anonymous", url, response.status_code))
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        text += " ".join(f"{k}: {v}" for k, v in response.headers.items())
        if username not in INTERNAL:
            for marker in self.markers.forbidden_for(username, text):
                self.leaks.append((username or "anonymous", url, marker, response.status_code))
        return response, text

    def crawl(self, username: str, starts: list[str]) -> None:
        """Follow links from ``starts`` (always opened), each kind of page at most
        ``PER_KIND`` times over all the crawls."""
        client = Client()
        client.force_login(User.objects.get(username=username))
        seen: set[str] = set()
        queue = [(url, True) for url in starts]
        while queue:
            url, always = queue.pop(0)
            if url in seen or (not always and self.per_kind[_kind(url)] >= PER_KIND):
                continue
            seen.add(url)
            self.per_kind[_kind(url)] += 1
            self.collected.add(url)
            response, text = self.get(client, username, url)
            if response.status_code in (301, 302):
                target = _normalise(url, response["Location"])
                if target:
                    queue.append((target, False))
                continue
            if "html" not in response.get("Content-Type", ""):
                continue
            parser = _Links()
            parser.feed(text)
            for href in parser.links:
                target = _normalise(url, href)
                if target and target not in seen:
                    queue.append((target, False))

    def replay(self, username: str | None) -> None:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        for url in sorted(self.collected):
            self.get(client, username, url)


def _starts(state: State) -> list[str]:
    pages = ["/", reverse("workflow:inbox"), reverse("workflow:queue"), reverse("documents:index")]
    for instrument in state.instruments:
        pages.append(reverse("workflows:instrument_process", args=[instrument.pk]))
        pages.append(reverse("documents:instrument", args=[instrument.pk]))
    pages += [
        ApprovalFlow.instance.reverse(name) for name in ("index", "process_list", "task_list")
    ]
    return pages


@pytest.fixture
def pdfs_as_html(monkeypatch):
    """Every PDF "printed" as the HTML it is printed from: what a PDF would show is then read
    for markers like a page (a PDF's words are not plain in its bytes), and the crawls do
    not wait for Chromium at every PDF link. Printing itself is tested in documents."""
    monkeypatch.setattr(export_pdf, "html_to_pdf", lambda html: html.encode())


@pytest.mark.postgres
def test_no_page_shows_anyone_what_they_may_not_see(demo, settings, capsys, pdfs_as_html):
    get_resolver().url_patterns  # noqa: B018 - viewflow learns its URLs when they load
    settings.DEBUG = False
    markers, state = build_state(demo)
    crawl = Crawl(markers)
    starts = _starts(state)
    for username in [*INTERNAL, *REVIEWERS.values()]:
        crawl.crawl(username, starts)
    crawled = crawl.requests
    for username in OUTSIDERS:
        crawl.replay(username)
    replayed = len(crawl.collected) * len(OUTSIDERS)
    with capsys.disabled():
        print(
            f"\nhostile crawl: {crawled} pages crawled, {len(crawl.collected)} URLs × "
            f"{len(OUTSIDERS)} outsiders = {replayed} replayed, {len(markers.allowed)} markers, "
            f"{len(crawl.leaks)} leaks"
        )
    leaks = sorted({(who, _pattern(url), marker) for who, url, marker, _status in crawl.leaks})
    assert not crawl.errors, "server errors:\n" + "\n".join(map(str, crawl.errors))
    assert not leaks, f"{len(leaks)} leaks (role, URL pattern, marker):\n" + "\n".join(
        f"{who} {url} {marker}" for who, url, marker in leaks
    )
