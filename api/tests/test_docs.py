"""The API's documentation page and its schema: served by Lekhit itself (no CDN), under the
Content-Security-Policy, and really working in a browser."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.inline = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "script" or tag == "style":
            self.inline.append((tag, attrs.get("nonce")))
        elif tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def test_the_schema_is_openapi_3_and_public(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/consultations/{id}/position/" in schema["paths"]


def test_the_docs_page_loads_only_lekhits_own_assets_under_the_policy(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)[1]
    page = Assets()
    page.feed(response.content.decode())
    assert page.inline == [("style", nonce)]  # the one inline element carries the nonce
    static, scripts = [], []
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    for url in page.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, url  # nothing from elsewhere
        if parts.path.startswith(prefix):
            static.append(parts.path.removeprefix(prefix))
        else:
            scripts.append(url)
    assert len(static) == 4  # Swagger UI's stylesheet, two scripts and its icon
    for path in static:
        assert finders.find(path), path
    [start] = scripts  # Swagger UI's start-up, from the page's own address
    script = client.get(start)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"/api/schema/" in script.content


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_docs_page_works_in_a_browser_under_the_enforced_policy(live_server, browser):
    from tests.browser.test_csp import Watched

    watched = Watched(browser, live_server.url)
    page = watched.visit("/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 19  # every operation of the schema
    assert page.locator("text=/api/v1/consultations/{id}/position/").count() >= 1
    watched.assert_quiet()
    origins = {urlsplit(response.url).netloc for response in watched.responses}
    assert origins == {urlsplit(live_server.url).netloc}
