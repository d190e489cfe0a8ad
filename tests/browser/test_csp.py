"""The main pages under the Content-Security-Policy, enforced, in headless Chromium.

Any ``securitypolicyviolation`` event, or any console message about the policy (or about the
Permissions-Policy header), fails the test: an inline script or style without the page's nonce,
a font or image from elsewhere, a Turbo or htmx swap the policy refuses. The htmx edit and the
Turbo visits must also really work, not just stay silent.
"""

import re

import pytest
from playwright.sync_api import expect

from documents import services as documents
from documents.models import InstrumentType, Provision
from organisations.models import Organisation
from project.urls import site
from workflows import services as workflows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.lekhitViolation(
    `${event.violatedDirective} refused ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber} (${event.sample})`
  );
});
"""
POLICY_WORDS = re.compile(r"Content.Security.Policy|Permissions.Policy|nonce", re.I)


@pytest.fixture
def instrument(demo):
    drafter = demo["drafter"]
    instrument = documents.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារ",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    chapter = documents.provision_add(
        instrument=instrument, user=drafter, kind=Provision.Kind.CHAPTER, heading_km="ជំពូក"
    )
    documents.provision_add(
        instrument=instrument,
        user=drafter,
        kind=Provision.Kind.ARTICLE,
        parent=chapter,
        text_km="ក្រសួងមហាផ្ទៃទទួលបន្ទុកការងារនេះ។",
    )
    return instrument


class Watched:
    """A browser context that records every policy complaint of every page it opens."""

    def __init__(self, browser, base_url):
        self.complaints: list[str] = []
        self.context = browser.new_context(base_url=base_url)
        self.context.expose_function("lekhitViolation", lambda text: self.complaints.append(text))
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.complaints.append(f"page error: {error}"))
        self.responses = []
        self.page.on("response", lambda response: self.responses.append(response))

    def _console(self, message):
        if message.type in ("error", "warning") and POLICY_WORDS.search(message.text):
            self.complaints.append(f"console {message.type}: {message.text}")

    def visit(self, path, *, where=None):
        self.page.goto(path)
        self.page.wait_for_load_state("networkidle")
        if where:
            self.page.wait_for_url(where)
        return self.page

    def sign_in(self, username):
        page = self.visit("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "demo")
        page.click("button[type=submit]:not([name=language])")
        page.wait_for_url(re.compile(r".*/(workflow|notifications)/.*"))
        page.wait_for_load_state("networkidle")

    def assert_quiet(self):
        self.page.wait_for_timeout(200)  # let late reports arrive (events are asynchronous)
        assert self.complaints == [], "\n".join(self.complaints)


def test_the_main_pages_work_under_the_enforced_policy(demo, instrument, live_server, browser):
    drafter = Watched(browser, live_server.url)
    drafter.sign_in("drafter")
    # The policy is really there, enforced, with a nonce, and so is the Permissions-Policy.
    [inbox] = [r for r in drafter.responses if r.url.endswith("/workflow/inbox/")][-1:]
    headers = inbox.all_headers()
    assert "content-security-policy-report-only" not in headers
    policy = headers["content-security-policy"]
    assert re.search(r"script-src 'self' 'nonce-[^']+'", policy)
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "camera=()" in headers["permissions-policy"]

    # Turbo's own visits (a click within the app) under the first page's policy.
    page = drafter.page
    page.locator("a[href$='/workflow/queue/']").first.click()
    page.wait_for_url("**/workflow/queue/")
    page.wait_for_load_state("networkidle")
    # The site's colours survived Turbo's body swap (they live in the head, with the nonce).
    primary = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--mdc-theme-primary')"
    )
    assert primary.strip() == site.primary_color

    # The editor: htmx loads the form, saves it and swaps the article back in.
    page = drafter.visit(f"/documents/{instrument.pk}/")
    page.locator("article.lekhit-kind-article button.lekhit-edit").click()
    editing = page.locator(".lekhit-provision--editing")
    editing.locator("textarea[name=text_km]").fill("ក្រសួងមហាផ្ទៃទទួលបន្ទុកកិច្ចការនេះ។")
    editing.locator("button.lekhit-save").click()
    expect(page.locator(".lekhit-provision--editing")).to_have_count(0)
    expect(page.locator("article.lekhit-kind-article .lekhit-km")).to_contain_text("កិច្ចការ")
    drafter.visit(f"/documents/{instrument.pk}/versions/")
    drafter.visit("/documents/")

    # Submitted: the process page, viewflow's process and task pages.
    process = workflows.process_start(instrument=instrument, user=demo["drafter"])
    drafter.visit(f"/process/instruments/{instrument.pk}/")
    drafter.visit(f"/workflow/flows/approval/{process.pk}/")
    task = process.task_set.order_by("pk").first()
    drafter.visit(f"/workflow/flows/approval/{process.pk}/{task.flow_task.name}/{task.pk}/")
    drafter.visit("/notifications/")
    drafter.assert_quiet()

    # The admin, as the administrator.
    admin = Watched(browser, live_server.url)
    admin.sign_in("admin")
    page = admin.visit("/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    admin.visit("/admin/organisations/user/")
    admin.visit(f"/admin/organisations/user/{demo['drafter'].pk}/change/")
    admin.assert_quiet()
