"""The real pages in headless Chromium: sign in, see the inbox in Khmer, switch to English."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]:not([name=language])")
    page.wait_for_url("**/workflow/inbox/")
    page.wait_for_load_state("networkidle")


def test_a_demo_user_signs_in_and_sees_the_inbox_in_khmer(demo, live_server, page):
    sign_in(page, live_server, "drafter")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    expect(page.locator(".vf-page__content").get_by_text("ប្រអប់ទទួល", exact=True)).to_be_visible()

    page.click(".vf-page__body-toolbar button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".vf-page__content").get_by_text("Inbox", exact=True)).to_be_visible()

    # Remembered on the account: a fresh sign-in elsewhere is in English too.
    page.context.clear_cookies()
    sign_in(page, live_server, "drafter")
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.parametrize("username", ["chief", "dg", "registry", "reviewer-mef"])
def test_every_role_reaches_its_inbox(demo, live_server, page, username):
    sign_in(page, live_server, username)
    expect(page.locator(".vf-page__content").get_by_text("ប្រអប់ទទួល", exact=True)).to_be_visible()
