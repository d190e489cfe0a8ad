"""The editor's folds in headless Chromium: a drafter opens a folded chapter and works in it."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from documents import services
from documents.models import InstrumentType
from organisations.models import Organisation
from tests.browser.test_editor import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_drafter_opens_a_folded_chapter_and_edits_and_moves_in_it(demo, live_server, page):
    drafter = demo["drafter"]
    instrument = services.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារ",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    for number in (1, 2):
        chapter = services.provision_add(
            instrument=instrument, user=drafter, kind="chapter", heading_km=f"ជំពូក{number}"
        )
        for n in (1, 2):
            services.provision_add(
                instrument=instrument,
                user=drafter,
                kind="article",
                parent=chapter,
                text_km=f"អត្ថបទ ជំពូក{number} មាត្រា{n} ។",
            )
    sign_in(page, live_server, "drafter")
    page.goto(live_server.url + reverse("documents:instrument", args=[instrument.pk]))
    articles = page.locator("article.lekhit-kind-article")
    expect(articles).to_have_count(2)  # the first chapter's; the second is folded
    expect(page.locator(".lekhit-fold-link")).to_have_count(1)
    expect(page.locator("article.lekhit-kind-chapter").nth(1)).to_contain_text("២ មាត្រា")

    # Open it: its articles come in place of the fold, with their buttons, no page load.
    page.evaluate("window.lekhitMarker = 1")
    page.locator(".lekhit-fold-link").click()
    expect(articles).to_have_count(4)
    expect(page.locator(".lekhit-fold-link")).to_have_count(0)
    third = articles.nth(2)
    expect(third.locator(".lekhit-label")).to_have_text("មាត្រា ៣")
    third.locator("button.lekhit-edit").click()
    editing = page.locator(".lekhit-provision--editing")
    editing.locator("textarea[name=text_km]").fill("អត្ថបទ ជំពូក2 មាត្រា1 ដែលបានកែ ។")
    editing.locator("button.lekhit-save").click()
    expect(page.locator(".lekhit-provision--editing")).to_have_count(0)
    expect(articles.nth(2)).to_contain_text("ដែលបានកែ")
    assert page.evaluate("window.lekhitMarker") == 1

    # Moving an article renumbers the outline: the chapter worked on stays open, the
    # first folds, and the buttons are there again.
    articles.nth(3).locator("button.lekhit-up").click()
    expect(page.locator(".lekhit-fold-link")).to_have_count(1)
    expect(articles).to_have_count(2)
    expect(articles.nth(0)).to_contain_text("ជំពូក2 មាត្រា2")
    expect(articles.nth(0).locator(".lekhit-label")).to_have_text("មាត្រា ៣")
    expect(articles.nth(1).locator("button.lekhit-edit")).to_have_count(1)
    assert page.evaluate("window.lekhitMarker") == 1

    # Without scripts the fold is a link to the page with that chapter open.
    href = page.locator(".lekhit-fold-link").get_attribute("href")
    assert re.fullmatch(r"/documents/\d+/\?open=\d+#provision-\d+", href), href
    page.goto(live_server.url + href)
    expect(articles.nth(0)).to_contain_text("ជំពូក1 មាត្រា1")
    expect(articles).to_have_count(2)
