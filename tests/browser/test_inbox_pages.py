"""The inbox and a task page in headless Chromium, as the chief, the drafter and a ministry
reviewer, in Khmer and in English: every step of theirs in the inbox (a step for several with
its Take button, which opens the form in one click), the form's buttons saying what they do,
and Back after a step showing what was decided. With ``LEKHIT_SHOTS=<dir>``, each page is
also saved there as a PNG, to look at."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from organisations.models import Organisation, User
from organisations.roles import Role
from workflows import services
from workflows.driving import drive, open_task
from workflows.flows import ApprovalFlow
from workflows.tests.conftest import instrument  # noqa: F401 - the fixture

from .test_sign_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("LEKHIT_SHOTS")
RETURN_REASON = "សូមបញ្ជាក់ប្រភពថវិកានៅមាត្រា ២។"


def shot(page, name):
    if SHOTS:
        page.wait_for_load_state("networkidle")
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def english(page):
    page.click(".vf-page__body-toolbar button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.fixture
def work(demo, instrument):  # noqa: F811 - the fixture, imported above
    """A draft in the chiefs' queue (two office chiefs: either may take it), and another in
    consultation with the Ministry of Economy and Finance."""
    chief2 = User.objects.create(
        username="chief2",
        first_name="ស៊ឹម",
        last_name="ពិសិដ្ឋ",
        organisation=Organisation.objects.get(code="dfr-fr"),
    )
    chief2.groups.add(Group.objects.get(name=Role.OFFICE_CHIEF.value))
    queued = services.process_start(instrument=instrument, user=demo["drafter"])
    from documents import services as documents

    other = documents.instrument_create(
        user=demo["drafter"],
        instrument_type=instrument.instrument_type,
        title_km="អនុក្រឹត្យស្តីពីការគ្រប់គ្រងមូលនិធិឃុំ សង្កាត់",
        title_en="Sub-decree on the commune fund",
        owning_office=instrument.owning_office,
    )
    documents.provision_add(
        instrument=other, user=demo["drafter"], kind="article", text_km="មូលនិធិឃុំ សង្កាត់។"
    )
    consulted = services.process_start(instrument=other, user=demo["drafter"])
    for step, username in [("chief_review", "chief"), ("director_review", "director")]:
        drive(consulted, step, demo[username], decision="approve", reason="")
    drive(
        consulted,
        "plan_round",
        demo["drafter"],
        organisations=[Organisation.objects.get(code="mef")],
        working_days=10,
        silence_rule="no_objection",
    )
    return {"queued": queued, "consulted": consulted}


def test_the_chief_takes_a_step_from_the_inbox_and_returns_it_in_plain_words(
    demo, live_server, page, work
):
    task = open_task(work["queued"], ApprovalFlow.chief_review)
    sign_in(page, live_server, "chief")
    take = page.locator(f"form[action$='/chief_review/{task.pk}/assign/'] button")
    expect(take).to_have_text("ទទួលយក")
    shot(page, "inbox-chief-km")
    take.click()
    page.wait_for_url(re.compile(rf".*/{task.pk}/execute/$"))
    expect(page.locator("button[name=decision][value=approve]")).to_have_text("អនុម័ត")
    expect(page.locator("button[name=decision][value=return]")).to_have_text(
        "បញ្ជូនត្រឡប់វិញ ដោយបញ្ជាក់មូលហេតុ"
    )
    expect(page.locator(".vf-card").first).not_to_contain_text("អនុវត្ត")
    shot(page, "task-chief-km")

    english(page)
    expect(page.locator("button[name=decision][value=approve]")).to_have_text("Approve")
    shot(page, "task-chief-en")
    page.fill("textarea[name=reason]", RETURN_REASON)
    page.click("button[name=decision][value=return]")
    page.wait_for_url(lambda url: "/execute/" not in url)

    page.go_back()  # Back after the step: what was decided, and by whom
    expect(page.locator(".lekhit-decision")).to_contain_text("Return to the drafter")
    expect(page.locator(".lekhit-decision")).to_contain_text(RETURN_REASON)
    expect(page.locator(".lekhit-decision")).to_contain_text(str(demo["chief"]))
    shot(page, "task-done-chief-en")
    page.goto(f"{live_server.url}/workflow/inbox/")
    shot(page, "inbox-chief-en")


@pytest.mark.parametrize(
    ("username", "step", "process"),
    [("drafter", "revise", "queued"), ("reviewer-mef", "organisation_review", "consulted")],
)
def test_a_step_meant_for_one_person_waits_in_their_inbox(
    demo, live_server, page, work, username, step, process
):
    if step == "revise":
        drive(work["queued"], "chief_review", demo["chief"], decision="return", reason="សូមកែ")
    task = open_task(work[process], step)
    sign_in(page, live_server, username)
    row_link = page.locator(f"a[href$='/{step}/{task.pk}/']").first
    expect(row_link).to_be_visible()
    expect(page.locator("form.lekhit-take")).to_have_count(0)  # theirs already
    shot(page, f"inbox-{username}-km")
    row_link.click()
    page.wait_for_url(re.compile(rf".*/{task.pk}/execute/$"))
    shot(page, f"task-{username}-km")
    english(page)
    shot(page, f"task-{username}-en")
    page.goto(f"{live_server.url}/workflow/inbox/")
    shot(page, f"inbox-{username}-en")
