"""The editor in headless Chromium: a drafter writes a sub-decree in Khmer and compares versions."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZWSP = "\u200b"


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]:not([name=language])")
    page.wait_for_url(re.compile(r".*/(documents|workflow)/.*"))


def plain(text: str) -> str:
    return text.replace(ZWSP, "").strip()


def articles(page):
    return page.locator("article.lekhit-kind-article")


def test_a_drafter_writes_edits_versions_and_compares(demo, live_server, page):
    sign_in(page, live_server, "drafter")

    # A new sub-decree.
    page.goto(f"{live_server.url}/documents/new/")
    page.select_option("select[name=instrument_type]", label="អនុក្រឹត្យ")
    page.fill("input[name=title_km]", "អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារ")
    page.click("form.lekhit-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/documents/\d+/$"))
    editor_url = page.url

    # A chapter, then two articles in it, in Khmer.
    page.click("button.lekhit-add-top")
    form = page.locator("#lekhit-add-top form")
    form.locator("select[name=kind]").select_option("chapter")
    form.locator("input[name=heading_km]").fill("បទប្បញ្ញត្តិទូទៅ")
    form.locator("button.lekhit-save").click()
    chapter = page.locator("article.lekhit-kind-chapter")
    expect(chapter).to_have_count(1)
    expect(chapter.locator(".lekhit-label")).to_have_text("ជំពូកទី១")

    for text in ("ក្រសួង មហាផ្ទៃ ទទួលបន្ទុក ការងារ នេះ។", "មាត្រា ទីពីរ នៃ អនុក្រឹត្យ នេះ។"):
        count = articles(page).count()
        chapter.locator("button.lekhit-add-inside").click()
        form = chapter.locator("form.lekhit-add-form")
        expect(form.locator("select[name=kind]")).to_have_value("article")
        form.locator("textarea[name=text_km]").fill(text)
        form.locator("button.lekhit-save").click()
        expect(articles(page)).to_have_count(count + 1)

    expect(articles(page).nth(0).locator(".lekhit-label")).to_have_text("មាត្រា ១")
    expect(articles(page).nth(1).locator(".lekhit-label")).to_have_text("មាត្រា ២")

    # Edit the first article in place: no page load.
    page.evaluate("window.lekhitMarker = 1")
    first = articles(page).nth(0)
    first.locator("button.lekhit-edit").click()
    editing = page.locator(".lekhit-provision--editing")
    expect(editing.locator("textarea[name=text_km]")).to_have_value(
        "ក្រសួង មហាផ្ទៃ ទទួលបន្ទុក ការងារ នេះ។"
    )
    editing.locator("textarea[name=text_en]").fill(
        "The Ministry of Interior is in charge of this work."
    )
    editing.locator("button.lekhit-save").click()
    expect(page.locator(".lekhit-provision--editing")).to_have_count(0)
    expect(articles(page).nth(0).locator(".lekhit-en")).to_contain_text("Ministry of Interior")
    assert page.evaluate("window.lekhitMarker") == 1

    # Move the second article up: it becomes article 1.
    articles(page).nth(1).locator("button.lekhit-up").click()
    expect(articles(page).nth(0).locator(".lekhit-km")).to_contain_text("ទីពីរ")
    expect(articles(page).nth(0).locator(".lekhit-label")).to_have_text("មាត្រា ១")

    # Save a version.
    page.goto(editor_url + "versions/")
    page.fill("input[name=label]", "សេចក្តីព្រាងទី១")
    page.click("button.lekhit-save-version")
    expect(page.locator("table.lekhit-versions tbody tr")).to_have_count(1)

    # Change one word of the (now second) article.
    page.goto(editor_url)
    target = articles(page).nth(1)
    target.locator("button.lekhit-edit").click()
    editing = page.locator(".lekhit-provision--editing")
    editing.locator("textarea[name=text_km]").fill("ក្រសួង មហាផ្ទៃ ទទួលបន្ទុក កិច្ចការ នេះ។")
    editing.locator("button.lekhit-save").click()
    expect(articles(page).nth(1).locator(".lekhit-km")).to_contain_text("កិច្ចការ")

    # Compare the version with the working draft: the Khmer word is marked.
    page.goto(editor_url + "versions/")
    page.locator("table.lekhit-versions a[href*='b=draft']").first.click()
    page.wait_for_url(re.compile(r".*/compare/\?a=\d+&b=draft"))
    changed = page.locator(".lekhit-compare-row--changed")
    expect(changed).to_have_count(1)
    assert plain(changed.locator("del").inner_text()) == "ការងារ"
    assert plain(changed.locator("ins").inner_text()) == "កិច្ចការ"
    expect(page.locator(".lekhit-compare-row--moved")).to_have_count(0)
