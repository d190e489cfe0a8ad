"""The language crawl: every page, as every role, reads wholly in the reader's language.

The instruments of the hostile crawl (``build_state``: six of them, from a fresh draft to a
signed and registered sub-decree, consulted with different ministries) give every page
something to show. Each role's pages are found by following links with Django's test client
(each URL pattern once per role, each role starting from a different instrument so that the
roles together see every stage), and the Khmer of each page checked as the server sent it.
Then each kind of page (URL pattern) is opened once, by the first role that reached it, in
headless Chromium in Khmer and in English, so that what scripts write counts too: opening
all ~350 role × pattern pages twice in a browser would take minutes more, for pages whose
scripts are the same whoever reads them. Set LANGUAGE_CRAWL_PROGRESS=1 to see each failure
as it is found.

In Khmer a page fails on any Latin digit and any Latin letter, outside a short allow-list:
what people typed (the crawl's markers ``QZ…QZ``), e-mail addresses, usernames, URLs,
SHA-256 fingerprints and file formats. In English it fails on any Khmer character outside
people's names and what people typed (a typed text is a Khmer word and a marker). Visible
text counts, and so do the words a screen reader or a tooltip says: ``aria-label``, ``title``,
``placeholder``, ``alt`` and the value of buttons. Icon ligatures ("menu", "search") are not
words anyone reads, and are left out.

Each failure names the role, the language, the URL and the offending text.
"""

import os
import re
import time
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver

from organisations.models import User
from tests.security.test_hostile_crawl import (
    INTERNAL,
    REVIEWERS,
    _Links,
    _normalise,
    _pattern,
    _starts,
    build_state,
    pdfs_as_html,  # noqa: F401 - a fixture: PDFs are not read here
)

PROGRESS = os.environ.get("LANGUAGE_CRAWL_PROGRESS") == "1"  # a line per role as it goes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADS = ["head-mef", "head-moh", "head-ncdd"]
ROLES = [*INTERNAL, *REVIEWERS.values(), *HEADS, "deputy-dg"]
# Pages a person does not read in the interface's language: the signed text's JSON, the
# API's schema and browsable pages (for programs), the Django admin (its own translations).
SKIP = re.compile(r"^/(api/|admin/|static/|jsi18n/|health/)|/text/$")

# What a page may show in Latin script in Khmer: what people typed (the crawl's markers),
# e-mail addresses, URLs, SHA-256 fingerprints, usernames and file formats.
MARKER = r"QZ\d{3}[\w-]+?QZ"
LATIN_ALLOWED = re.compile(
    "|".join(
        [
            MARKER,
            r"[\w.+-]+@[\w-]+(\.[\w-]+)+",
            r"https?://\S+",
            r"\b[0-9a-f]{64}\b",
            r"\b[0-9a-f]{8,}…",  # a fingerprint's shortened form
            r"\b(PDF|DOCX?|JSON|CSV|UTF-8|SHA-256|XLSX?|ODT|BPMN|SVG)\b",
            r"\.(docx|pdf|xlsx)\b",  # a file's extension
            r"\bWord\b",  # the word processor, by its name
            r"^EN$",  # the language switch names English in English
        ]
    )
)
LATIN = re.compile(r"[A-Za-z0-9]+")
KHMER = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]+")
# A text people typed in Khmer, as the crawl's state types them: Khmer words and a marker.
TYPED_KHMER = re.compile(rf"[\u1780-\u17FF]+\s*{MARKER}")

# Every text node and spoken or tooltip attribute of the page, with where it is; icon
# ligatures, scripts and styles left out.
PAGE_TEXTS = """() => {
  const out = [];
  const skip = (el) => el.closest(
    "script, style, noscript, template, .material-icons, .material-icons-outlined, "
    + ".material-symbols-outlined, .mdc-button__icon, .vf-icon, i.icon, [aria-hidden=true], "
    + "[data-typed]"
  );
  const where = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    else if (el.classList.length) name += "." + [...el.classList].slice(0, 2).join(".");
    return name;
  };
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!text || !node.parentElement || skip(node.parentElement)) continue;
    out.push([where(node.parentElement), text]);
  }
  for (const el of document.querySelectorAll(
      "[aria-label], [title], [placeholder], [alt], input[type=submit][value], "
      + "input[type=button][value]")) {
    for (const attr of ["aria-label", "title", "placeholder", "alt", "value"]) {
      if (attr === "value" && el.tagName !== "INPUT") continue;
      const value = (el.getAttribute(attr) || "").trim();
      if (value) out.push([where(el) + "[" + attr + "]", value]);
    }
  }
  out.push(["title", document.title]);
  return out;
}"""


SKIPPED_TAGS = {"script", "style", "noscript", "template"}
ICON_CLASSES = {
    "material-icons",
    "material-icons-outlined",
    "material-symbols-outlined",
    "mdc-button__icon",
    "vf-icon",
}
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
SPOKEN = ("aria-label", "title", "placeholder", "alt")


class _Texts(HTMLParser):
    """What a page sent says: text outside scripts, styles and icon ligatures, and the
    spoken and tooltip attributes, each with its tag (the server's half of ``PAGE_TEXTS``)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[tuple[str, str]] = []
        self.skipping: list[str] = []  # the open skipped element's tag, and nested same tags
        self.tag = "html"

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.skipping:
            if tag == self.skipping[0] and tag not in VOID:
                self.skipping.append(tag)
            return
        classes = set((attrs.get("class") or "").split())
        hidden = attrs.get("aria-hidden") == "true" or "data-typed" in attrs
        if tag in SKIPPED_TAGS or classes & ICON_CLASSES or hidden:
            if tag not in VOID:
                self.skipping.append(tag)
            return
        self.tag = tag
        for name in SPOKEN:
            if (attrs.get(name) or "").strip():
                self.texts.append((f"{tag}[{name}]", attrs[name].strip()))
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append((f"{tag}[value]", attrs["value"].strip()))

    def handle_endtag(self, tag):
        if self.skipping and tag == self.skipping[0]:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append((self.tag, data.strip()))


def khmer_offences(text: str, usernames: set[str]) -> str | None:
    """The Latin left in a text once what may be Latin is taken out, or None."""
    rest = LATIN_ALLOWED.sub(" ", text)
    for username in sorted(usernames, key=len, reverse=True):
        rest = re.sub(rf"(?<![\w-]){re.escape(username)}(?![\w-])", " ", rest)
    words = LATIN.findall(rest)
    return " ".join(words) or None


def english_offences(text: str, names: list[str]) -> str | None:
    """The Khmer left in a text once people's names and typed texts are taken out, or None."""
    rest = TYPED_KHMER.sub(" ", text)
    for name in names:
        rest = rest.replace(name, " ")
    rest = rest.replace("ខ្មែរ", " ")  # the language switch names Khmer in Khmer
    words = KHMER.findall(rest)
    return " ".join(words) or None


def discover(username: str, starts: list[str], check) -> list[str]:
    """The pages ``username`` reaches by links from ``starts``, one URL per URL pattern, each
    page's text passed to ``check(url, texts)`` as the server sent it."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    patterns: set[str] = set()
    found: list[str] = []
    queue = list(starts)
    seen: set[str] = set()
    while queue:
        url = queue.pop(0)
        if url in seen or SKIP.search(urlsplit(url).path) or _pattern(url) in patterns:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302):
            target = _normalise(url, response["Location"])
            if target:
                queue.append(target)
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        patterns.add(_pattern(url))
        found.append(url)
        html = response.content.decode("utf-8", "replace")
        texts = _Texts()
        texts.feed(html)
        check(url, texts.texts)
        parser = _Links()
        parser.feed(html)
        queue += [t for href in parser.links if (t := _normalise(url, href)) and t not in seen]
    return found


def _rotated(starts: list[str], by: int) -> list[str]:
    """The inbox and lists first, then the instruments' pages starting at the ``by``-th, so
    that each role meets a different instrument first (one URL per pattern per role)."""
    head = [s for s in starts if "/instruments/" not in s and "/process/" not in s]
    pairs = [s for s in starts if s not in head]
    by = (2 * by) % max(len(pairs), 1)
    return head + pairs[by:] + pairs[:by]


@pytest.mark.usefixtures("pdfs_as_html")
def test_every_page_reads_in_the_readers_language(demo, live_server, browser, capsys):
    get_resolver().url_patterns  # noqa: B018 - viewflow learns its URLs when they load
    markers, state = build_state(demo)
    starts = _starts(state) + ["/accounts/profile/", "/away/", "/notifications/", "/verify/"]
    usernames = set(demo)
    names = sorted((u.get_full_name() for u in demo.values()), key=len, reverse=True)
    names += sorted({part for u in demo.values() for part in (u.first_name, u.last_name)}, key=len)[
        ::-1
    ]

    failures: dict[tuple, set[str]] = defaultdict(set)

    def check(language, username, url, texts):
        for where, text in texts:
            if language == "km":
                offence = khmer_offences(text, usernames)
            else:
                offence = english_offences(text, names)
            if offence:
                key = (language, username, _pattern(url), where)
                if PROGRESS and key not in failures:
                    with capsys.disabled():
                        print(
                            f"[{language}] {username} {url} {where}: {offence!r} in {text[:80]!r}"
                        )
                failures[key].add((offence, f"{offence!r} in {text[:80]!r} ({url})"))

    # Every page as every role, in Khmer, as the server sends it.
    began = time.monotonic()
    User.objects.update(language="km")
    pages = {
        username: discover(
            username,
            _rotated(starts, i),
            lambda url, texts, username=username: check("km", username, url, texts),
        )
        for i, username in enumerate(ROLES)
    }
    discovered = time.monotonic() - began
    if PROGRESS:
        with capsys.disabled():
            print({u: len(p) for u, p in pages.items()}, f"{discovered:.0f} s", flush=True)

    # Then each kind of page once, by the first role that reaches it, in Chromium in both
    # languages: what scripts write counts too, and the English interface is checked.
    first: dict[str, tuple[str, str]] = {}
    for username, urls in pages.items():
        for url in urls:
            first.setdefault(_pattern(url), (username, url))
    by_role: dict[str, list[str]] = defaultdict(list)
    for username, url in first.values():
        by_role[username].append(url)

    visits = 0
    # One browser context for everyone, so that scripts, styles and fonts load once.
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    for language in ("km", "en"):
        User.objects.update(language=language)
        for username, urls in by_role.items():
            client = Client()
            client.force_login(User.objects.get(username=username))
            context.clear_cookies()
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
            )
            for url in urls:
                page.goto(f"{live_server.url}{url}", wait_until="domcontentloaded")
                visits += 1
                check(language, username, url, [tuple(t) for t in page.evaluate(PAGE_TEXTS)])
        if PROGRESS:
            with capsys.disabled():
                print(f"  {language}: {visits} visits, {time.monotonic() - began:.0f} s")
    context.close()
    took = time.monotonic() - began
    with capsys.disabled():
        print(
            f"\nlanguage crawl: {sum(map(len, pages.values()))} pages as {len(ROLES)} roles, "
            f"{visits} browser visits ({len(first)} kinds × 2 languages), "
            f"discovery {discovered:.0f} s, "
            f"total {took:.0f} s, {len(failures)} failures"
        )
    # What is still known to be left (KNOWN, a list that only shrinks): a text outside it
    # fails, with the role, the URL and the text; one of it no longer found is reported, to
    # be struck from the list.
    found = {}
    for (language, username, pattern, where), texts in sorted(failures.items()):
        for offence, text in sorted(texts):
            found.setdefault(offence_line(language, pattern, where, offence), f"{username}: {text}")
    if os.environ.get("LANGUAGE_CRAWL_WRITE_KNOWN") == "1":  # to rewrite the list by hand
        KNOWN.write_text(KNOWN_HEADER + "".join(f"{line}\n" for line in sorted(found)))
    known = known_offences()
    new = {line: seen for line, seen in found.items() if line not in known}
    gone = sorted(known - set(found))
    if gone:
        with capsys.disabled():
            print(
                f"language crawl: {len(gone)} known texts no longer found (strike them from "
                f"{KNOWN.name}):\n" + "\n".join(gone)
            )
    report = "\n".join(f"{line}\n    ({seen})" for line, seen in sorted(new.items()))
    assert not new, f"{len(new)} texts not in the reader's language:\n{report}"


KNOWN = Path(__file__).with_name("language_crawl_known.txt")
KNOWN_HEADER = """\
# Texts the language crawl still finds not in the reader's language (issue 11, section 2):
# the list only shrinks. A text not on it fails the crawl; strike a line once it is fixed.
# LANGUAGE_CRAWL_WRITE_KNOWN=1 rewrites it from a run (then read the diff before committing).
"""


def offence_line(language: str, pattern: str, where: str, offence: str) -> str:
    """One line of KNOWN: the language, the kind of page, where on it, and the offence (the
    words left), ids and numbers as N so that a line holds from run to run."""
    return re.sub(r"[0-9\u17e0-\u17e9]+", "N", f"[{language}] {pattern} {where}: {offence!r}")


def known_offences() -> set[str]:
    lines = KNOWN.read_text(encoding="utf-8").splitlines() if KNOWN.exists() else []
    return {line for line in lines if line.strip() and not line.startswith("#")}
