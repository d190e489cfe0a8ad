"""The real pages in headless Chromium: sign in, see the inbox in Khmer, switch to English."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]:not([name=language])")
    page.wait_for_url("**/workflow/inbox/")


def test_a_demo_user_signs_in_and_sees_the_inbox_in_khmer(demo, live_server, page):
    sign_in(page, live_server, "drafter")
    assert page.locator("html").get_attribute("lang") == "km"
    assert page.locator("text=ប្រអប់ទទួល").first.is_visible()

    page.click(".vf-page__body-toolbar button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("text=Inbox").first.is_visible()

    # Remembered on the account: a fresh sign-in elsewhere is in English too.
    page.context.clear_cookies()
    sign_in(page, live_server, "drafter")
    assert page.locator("html").get_attribute("lang") == "en"
