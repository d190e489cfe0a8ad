"""Sign in and load every main page of a production Lekhit, as a TLS-terminating proxy sees it.

Run by ``.ci/production-recipe`` against the gunicorn it started: plain HTTP on loopback, with
the ``Host`` people use and ``X-Forwarded-Proto: https`` (what nginx sets in front of it), so
Django sees https: its secure cookies, HSTS and CSRF origin checks are the production ones.
Cookies are kept by hand (the ``Secure`` ones would not be sent over ``http://`` by a cookie
jar, and a proxy does send them). Forms are submitted as a browser does: the fields the page
has, its ``csrfmiddlewaretoken``, ``Origin`` and ``Referer``.

Any page that does not answer as expected stops the run with its role, URL, status and the
start of the body. Standard library only.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import re
import sys
import time
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

PASSWORD = "demo"  # seed_demo's password for every demo user
YEAR = 365 * 24 * 3600


class Failure(Exception):
    pass


class Response:
    def __init__(self, status, headers, body, url):
        self.status, self.headers, self.body, self.url = status, headers, body, url

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def header(self, name):
        return self.headers.get(name.lower(), "")


class Forms(HTMLParser):
    """The forms of a page: action, method and the values a browser would send."""

    def __init__(self):
        super().__init__()
        self.forms, self._select, self._textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("action") or attrs.get("hx-post") or ""
            method = (attrs.get("method") or ("post" if "hx-post" in attrs else "get")).lower()
            self.forms.append(
                {"action": action, "method": method, "fields": {}, "htmx": "hx-post" in attrs}
            )
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            if kind not in {"submit", "button", "file"}:
                fields[name] = attrs.get("value", "")
        elif tag.startswith("vf-field-") and name:
            # viewflow's form fields are custom elements that make their <input> in the page.
            fields[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, None)
        elif tag == "option" and self._select:
            if fields[self._select] is None or "selected" in attrs:
                fields[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def forms_of(response):
    parser = Forms()
    parser.feed(response.text)
    return parser.forms


def links_of(response):
    return sorted(set(re.findall(r'href="(/[^"#]*)"', response.text)))


class Browser:
    """One person's browser behind the proxy: their cookies, their last page (the Referer)."""

    def __init__(self, *, port: int, host: str, who: str, deadline: float):
        self.port, self.host, self.who, self.deadline = port, host, who, deadline
        self.origin = f"https://{host}"
        self.cookies: dict[str, str] = {}
        self.referer = None
        self.htmx_token = None
        self.requests = 0

    def fail(self, method, path, response, expected):
        excerpt = re.sub(r"\s+", " ", response.text)[:1500] if response else ""
        got = response.status if response else "no answer"
        raise Failure(
            f"{self.who}: {method} {path}: expected {expected}, got {got}\n"
            f"  Location: {response.header('location') if response else ''}\n  {excerpt}"
        )

    def send(self, method, path, *, body=None, headers=None, proxied=True):
        if time.monotonic() > self.deadline:
            raise Failure(f"{self.who}: out of time before {method} {path}")
        head = {"Host": self.host, "User-Agent": "lekhit-production-recipe", **(headers or {})}
        if proxied:
            head["X-Forwarded-Proto"] = "https"
            head["X-Forwarded-For"] = "127.0.0.1"
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=head)
            raw = connection.getresponse()
            response = Response(
                raw.status,
                {k.lower(): v for k, v in raw.getheaders()},
                raw.read(),
                path,
            )
            set_cookies = raw.headers.get_all("Set-Cookie") or []
        finally:
            connection.close()
        self.requests += 1
        for line in set_cookies:
            self.keep_cookie(line, proxied=proxied)
        return response

    def keep_cookie(self, line, *, proxied):
        cookie = SimpleCookie()
        cookie.load(line)
        for name, morsel in cookie.items():
            if name in {"sessionid", "csrftoken"} and proxied and not morsel["secure"]:
                raise Failure(f"{self.who}: cookie {name} is not Secure: {line}")
            if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def local(self, location, base="/"):
        """A redirect's target as a path on this site (and it must stay on https)."""
        parts = urlsplit(urljoin(f"{self.origin}{base}", location))
        if (parts.scheme, parts.netloc) != ("https", self.host):
            raise Failure(f"{self.who}: redirected off the site or off https: {location}")
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def get(self, path, *, expect=200, follow=True, headers=None):
        response = self.send("GET", path, headers=headers)
        hops = 0
        while follow and response.status in {301, 302, 303} and hops < 5:
            target = self.local(response.header("location"), path)
            response, path, hops = self.send("GET", target, headers=headers), target, hops + 1
        if response.status != expect:
            self.fail("GET", path, response, expect)
        if response.header("content-type").startswith("text/html"):
            self.referer = path
            # htmx sends the page's token in a header (hx-headers on the page's body).
            token = re.search(r'"X-CSRFToken": "([^"]+)"', response.text)
            if token:
                self.htmx_token = token.group(1)
        return response

    def post(self, path, fields, *, expect=(302,), headers=None):
        head = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": f"{self.origin}{self.referer or path}",
            **(headers or {}),
        }
        response = self.send("POST", path, body=urlencode(fields, doseq=True), headers=head)
        if response.status not in expect:
            self.fail("POST", path, response, " or ".join(map(str, expect)))
        return response

    def submit(self, page, form, changes=None, *, expect=(302,)):
        fields = {k: v for k, v in form["fields"].items() if v is not None}
        fields.update(changes or {})
        headers = {}
        if form.get("htmx"):
            if not self.htmx_token:
                raise Failure(f"{self.who}: no htmx CSRF header on the page before {page.url}")
            headers = {"HX-Request": "true", "X-CSRFToken": self.htmx_token}
        elif "csrfmiddlewaretoken" not in fields:
            raise Failure(f"{self.who}: the form {form['action']} on {page.url} has no CSRF token")
        action = form["action"] or page.url
        return self.post(self.local(action, page.url), fields, expect=expect, headers=headers)

    def sign_in(self, username):
        """As the sign-in page does: GET it for the CSRF cookie, POST its form."""
        page = self.get("/accounts/login/")
        if "csrftoken" not in self.cookies:
            raise Failure(f"{self.who}: the sign-in page set no CSRF cookie")
        [form] = [f for f in forms_of(page) if "password" in f["fields"]]
        answer = self.submit(page, form, {"username": username, "password": PASSWORD})
        if "sessionid" not in self.cookies:
            self.fail("POST", "/accounts/login/", answer, "a session cookie")
        return self.get(self.local(answer.header("location")))

    def pages(self, paths):
        for path in paths:
            self.get(path)


def form_posting_to(page, pattern):
    for form in forms_of(page):
        if re.search(pattern, form["action"]):
            return form
    raise Failure(f"no form posting to {pattern} on {page.url}")


def check_static(browser, page):
    """A stylesheet and a font, as WhiteNoise serves them: hashed names, a year of caching,
    the precompressed copy to a client that accepts gzip."""
    styles = re.findall(r'href="(/static/[^"]+\.css)"', page.text)
    ours = [s for s in styles if s.startswith("/static/css/lekhit.")]
    roboto = [s for s in styles if "roboto-fontface." in s]
    if not ours or not roboto:
        raise Failure(f"the page links no hashed stylesheets: {styles}")
    checked = []
    for path in (ours[0], roboto[0]):
        plain = browser.get(path)
        zipped = browser.get(path, headers={"Accept-Encoding": "gzip"})
        if zipped.header("content-encoding") != "gzip":
            raise Failure(f"{path}: no gzip variant (Content-Encoding {zipped.headers})")
        if gzip.decompress(zipped.body) != plain.body:
            raise Failure(f"{path}: the gzip variant differs from the file")
        checked.append(path)
    css = browser.get(roboto[0]).text
    fonts = re.findall(r"url\(['\"]?([^'\")]+\.woff2)['\"]?\)", css)
    if not fonts:
        raise Failure(f"{roboto[0]} names no woff2 font")
    font = browser.local(urljoin(roboto[0], fonts[0]))
    answer = browser.get(font)
    if not answer.body or "font" not in answer.header("content-type"):
        raise Failure(f"{font}: not a font ({answer.header('content-type')})")
    checked.append(font)
    for path in checked:
        answer = browser.get(path)
        cache = answer.header("cache-control")
        age = re.search(r"max-age=(\d+)", cache)
        if not age or int(age.group(1)) < YEAR or "immutable" not in cache:
            raise Failure(f"{path}: not cached for a year ({cache!r})")
    return checked


def run(port, host, seconds):
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    browsers = []

    def browser(who):
        made = Browser(port=port, host=host, who=who, deadline=deadline)
        browsers.append(made)
        return made

    def say(line):
        print(f"  {time.monotonic() - started:6.1f}s  {line}", flush=True)

    anonymous = browser("anonymous")
    plain = anonymous.send("GET", "/", proxied=False)
    if plain.status != 301 or not plain.header("location").startswith(f"https://{host}/"):
        anonymous.fail("GET (plain http, no proxy header)", "/", plain, "301 to https")
    if "max-age=" not in anonymous.get("/accounts/login/").header("strict-transport-security"):
        raise Failure("no HSTS header on the proxied https sign-in page")
    login = anonymous.get("/", follow=False, expect=302).header("location")
    if not login.startswith("/accounts/login/"):
        raise Failure(f"anonymous: / did not lead to the sign-in page: {login}")
    anonymous.pages(["/verify/"])
    say("anonymous: plain http redirected to https; sign-in page, HSTS, /verify/")

    drafter = browser("drafter")
    home = drafter.sign_in("drafter")
    say(f"drafter signed in: {home.url}")
    static = check_static(drafter, home)
    say(f"static, hashed, gzip, a year of caching: {', '.join(static)}")
    page = drafter.get("/workflow/inbox/", headers={"Accept-Encoding": "gzip"})
    if page.header("content-encoding") != "gzip" or b"<html" not in gzip.decompress(page.body):
        raise Failure(f"the inbox was not sent gzipped: {page.headers}")
    say("pages gzipped")
    drafter.pages(["/workflow/inbox/", "/workflow/queue/", "/workflow/archive/", "/documents/"])
    new = drafter.get("/documents/new/")
    form = form_posting_to(new, r"^$|/documents/new/")
    created = drafter.submit(
        new, form, {"title_km": "អនុក្រឹត្យសាកល្បង", "title_en": "Production recipe"}
    )
    editor_path = drafter.local(created.header("location"))
    pk = re.fullmatch(r"/documents/(\d+)/", editor_path).group(1)
    drafter.get(editor_path)
    add = drafter.get(f"/documents/{pk}/provisions/add/")
    drafter.submit(
        add,
        form_posting_to(add, r"/provisions/add/"),
        {"kind": "article", "text_km": "មាត្រា​សាកល្បង", "text_en": "A test article."},
        expect=(200, 302),
    )
    instrument_pages = [
        f"/documents/{pk}/",
        f"/documents/{pk}/schedule/",
        f"/documents/{pk}/versions/",
        f"/documents/{pk}/timeline/",
        f"/documents/{pk}/compare/",
        f"/process/instruments/{pk}/",
    ]
    drafter.pages([*instrument_pages, f"/documents/{pk}/details/"])
    drafter.pages(link for link in links_of(drafter.get(editor_path)) if not skipped(link))
    process_page = drafter.get(f"/process/instruments/{pk}/")
    drafter.submit(process_page, form_posting_to(process_page, r"/submit/"))
    drafter.pages([f"/process/instruments/{pk}/", "/notifications/", "/away/", "/verify/"])
    say(f"drafter: wrote instrument {pk}, submitted it; inbox, queue, archive, its pages")

    for who in ("chief", "reviewer-mef", "dg", "head-mef"):
        person = browser(who)
        start = person.sign_in(who)
        pages = ["/notifications/", "/away/", "/verify/"]
        if who != "head-mef":
            pages += ["/workflow/inbox/", "/workflow/queue/", "/workflow/archive/"]
        person.pages(pages)
        seen = set()
        for path in ["/workflow/inbox/", "/workflow/queue/"] if who != "head-mef" else []:
            for link in links_of(person.get(path)):
                if re.match(r"/workflow/flows/approval/\d+/", link) and link not in seen:
                    seen.add(link)
        if who == "chief":
            person.pages(instrument_pages)
            # Take the drafter's submission from the queue, as the button does, and open it.
            reviews = [link for link in seen if re.search(r"/chief_review/\d+/$", link)]
            newest = max(reviews, key=lambda link: int(link.rstrip("/").rsplit("/", 1)[1]))
            page = person.get(newest)
            if page.url.endswith("/assign/"):  # a step in the queue: take it, as the button does
                taken = person.submit(page, form_posting_to(page, r"^$|/assign/"))
                person.get(person.local(taken.header("location"), page.url))
            # The one office chief's review is theirs at once: the review form itself.
            task = person.get(newest)
            if task.url.endswith("/assign/") or 'name="csrfmiddlewaretoken"' not in task.text:
                raise Failure(f"chief: the review task {newest} shows no review form: {task.url}")
            say(f"chief opened the review task from the inbox: {task.url}")
        person.pages(sorted(seen)[:12])
        person.pages(link for link in links_of(start) if not skipped(link))
        say(f"{who}: {', '.join(pages)} and {len(seen)} process and task pages")

    admin = browser("admin")
    admin.sign_in("admin")
    admin.pages(["/admin/", "/admin/organisations/user/", "/workflow/inbox/", "/documents/"])
    say("admin: admin index and users list")

    total = sum(b.requests for b in browsers)
    say(f"all pages answered as expected: {total} requests")


def skipped(link):
    return link.startswith(("/static/", "/accounts/logout/", "/language/", "/jsi18n/"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", required=True, help="the public host name (ALLOWED_HOSTS)")
    parser.add_argument("--seconds", type=float, default=240, help="give up after this long")
    options = parser.parse_args()
    try:
        run(options.port, options.host, options.seconds)
    except (Failure, OSError, http.client.HTTPException) as error:
        print(f"PRODUCTION RECIPE FAILED: {error}", file=sys.stderr, flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
