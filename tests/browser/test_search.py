"""Search in headless Chromium: the box in the top bar, as a drafter (the working draft and the
version sent) and as ministry reviewers (the version sent to them only; a ministry not
consulted nothing), in Khmer and in English. With ``LEKHIT_SHOTS=<dir>``, each results page is
also saved there as a PNG, to look at."""

import pytest
from playwright.sync_api import expect

from documents.models import Instrument
from search.tests.conftest import _flow_urls_loaded, corpus, sent  # noqa: F401 - fixtures

from .test_inbox_pages import english, shot
from .test_sign_in import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sent"),
]

HITS = ".lekhit-search-results > li"


def search_from_the_top_bar(page, words):
    box = page.locator(".vf-page__body-toolbar #lekhit-search-box")
    box.fill(words)
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")
    expect(page.locator(".lekhit-search-form input[name=q]")).to_have_value(words)


def test_the_drafter_finds_the_draft_and_the_version_sent(demo, live_server, page):
    sign_in(page, live_server, "drafter")
    search_from_the_top_bar(page, "ត្រួតពិនិត្យ")
    hits = page.locator(HITS)
    expect(hits).to_have_count(2)
    expect(hits.locator("mark").first).to_have_text("ត្រួតពិនិត្យ")
    expect(hits.first).to_contain_text("មាត្រា ១")
    expect(page.get_by_text("សេចក្តីព្រាងបច្ចុប្បន្ន", exact=False).first).to_be_visible()
    shot(page, "search-drafter-km")
    # the switch adds the word inside longer words, after the words themselves
    search_from_the_top_bar(page, "ពិនិត្យ")
    # the article with ពិនិត្យ, in the draft and in the version sent, and MEF's comment
    expect(hits).to_have_count(3)
    expect(page.locator(".lekhit-search-hit--inside")).to_have_count(0)
    page.check(".lekhit-search-form input[name=inside_words]")
    page.click(".lekhit-search-form button[type=submit]")
    expect(hits).to_have_count(5)
    # ត្រួតពិនិត្យ's article, draft and version, after the three whole-word hits
    expect(page.locator(".lekhit-search-hit--inside")).to_have_count(2)
    expect(hits.nth(3)).to_have_class("lekhit-search-hit lekhit-search-hit--inside")
    english(page)
    expect(page.locator(".lekhit-search-summary")).to_contain_text("Results 1–5 of 5")
    expect(hits.nth(4)).to_contain_text("Article 1")
    expect(hits.nth(4)).to_contain_text("inside a longer word")
    shot(page, "search-drafter-en")


def test_a_reviewer_finds_only_what_was_sent_to_them(demo, live_server, page):
    instrument = Instrument.objects.get()
    sign_in(page, live_server, "reviewer-mef")
    search_from_the_top_bar(page, "ត្រួតពិនិត្យ")
    hits = page.locator(HITS)
    expect(hits).to_have_count(1)
    expect(hits.first).to_contain_text("មាត្រា ១")
    expect(hits.first).not_to_contain_text("សេចក្តីព្រាងបច្ចុប្បន្ន")
    expect(hits.first.locator("a")).to_have_attribute(
        "href", f"/process/instruments/{instrument.pk}/"
    )
    search_from_the_top_bar(page, "មន្ត្រី")
    expect(hits).to_have_count(3)  # two articles of the version sent, and MEF's comment
    shot(page, "search-reviewer-km")
    english(page)
    shot(page, "search-reviewer-en")


def test_a_ministry_not_consulted_finds_nothing(demo, live_server, page):
    sign_in(page, live_server, "reviewer-moh")
    search_from_the_top_bar(page, "មន្ត្រី")
    expect(page.locator(HITS)).to_have_count(0)
    expect(page.locator(".lekhit-search-none")).to_be_visible()
