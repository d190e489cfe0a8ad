"""Issue 4's and issue 11's "done when", in headless Chromium: a sub-decree's whole approval
journey, each person reaching their work only through what the pages offer.

Every step goes through the real pages as the demo user whose step it is, each in a browser
context of their own: the drafter writes the text and submits it, an office chief (one of two:
the step waits in the queue of both) takes it and approves, then the director, three
ministries comment in Khmer in two consultation rounds, the drafter answers every comment in
the comment–response matrix and revises the text, the legal reviewer approves, the
director-general returns it once and then signs it, and the registry numbers it. After
signing in nobody types an address: each finds their step in the inbox of the side menu, or
in the notifications of the bell, whose link leads straight to the step; the notification of
each kind of event (a task, a round opened, a draft returned, a matrix published, an
instrument signed) is checked there on the way. Only the visitor at the end types the
verification address printed with the signature. The database is read at the end only, to
check what was recorded.
"""

import itertools
import re

import pytest
from django.db import transaction
from django.utils import translation
from playwright.sync_api import Page, expect

from documents.models import Instrument
from workflows.flows import ApprovalFlow
from workflows.models import ApprovalProcess, SignOff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEWERS = {"mef": "reviewer-mef", "moh": "reviewer-moh", "ncdd-s": "reviewer-ncdd"}
# The consulted organisations as the drafter picks them, by the names the form shows.
ORGANISATIONS = {
    "mef": "ក្រសួងសេដ្ឋកិច្ច និងហិរញ្ញវត្ថុ",
    "moh": "ក្រសួងសុខាភិបាល",
    "ncdd-s": "លេខាធិការដ្ឋាន គ.ជ.អ.ប",
}
COMMENTS = {
    "mef": "សូមបញ្ជាក់ប្រភពថវិកាសម្រាប់មុខងារដែលផ្ទេរ។",
    "moh": "សូមបន្ថែមមន្ទីរពេទ្យបង្អែកក្នុងបញ្ជីមុខងារ។",
    "ncdd-s": "សូមកំណត់កាលបរិច្ឆេទអនុវត្តឱ្យច្បាស់។",
}
TITLE = "អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារគ្រប់គ្រងសាលាបឋមសិក្សា"
ARTICLES = ("ក្រសួងមហាផ្ទៃទទួលបន្ទុកការផ្ទេរមុខងារ។", "មុខងារដែលផ្ទេរត្រូវបានកំណត់ក្នុងឧបសម្ព័ន្ធ។")
REVISED = "ក្រសួងមហាផ្ទៃ និងក្រសួងសេដ្ឋកិច្ច និងហិរញ្ញវត្ថុ ទទួលបន្ទុកការផ្ទេរមុខងារ។"
ROUND_2_COMMENT = "យល់ព្រមនឹងការកែសម្រួល ប៉ុន្តែសូមបញ្ជាក់តួនាទីរបស់ក្រសួង។"
DISPOSITIONS = [
    ("accepted", "បានកែសម្រួលមាត្រា ១ តាមសំណើ។"),
    ("partly", "បានបន្ថែមមួយផ្នែក ព្រោះបញ្ជីត្រូវនៅក្នុងឧបសម្ព័ន្ធ។"),
    ("rejected", "កាលបរិច្ឆេទអនុវត្តកំណត់ដោយប្រកាសដាច់ដោយឡែក។"),
    ("noted", "បានកត់សម្គាល់។"),
]
DG_REASON = "សូមពិនិត្យមាត្រា ២ ឡើងវិញ"

# The titles of the notifications, as each recipient reads them in Khmer (the first line of
# templates/notifications/email/<kind>.km.txt).
ROUND_OPENED = "សំណើពិគ្រោះយោបល់ថ្មីសម្រាប់{organisation}៖ ជុំទី{round}"
DRAFT_RETURNED = f"សេចក្តីព្រាងត្រូវបានបញ្ជូនត្រឡប់មកវិញ៖ {TITLE}"
MATRIX_PUBLISHED = "តារាងមតិយោបល់ និងចម្លើយ ត្រូវបានផ្សព្វផ្សាយ៖ ជុំទី{round}"
SIGNED = f"លិខិតបទដ្ឋានគតិយុត្តត្រូវបានចុះហត្ថលេខា៖ {TITLE}"


def task_for_me(step: str) -> str:
    """A step given to its one holder: its title names the step, as the flow calls it."""
    with translation.override("km"):
        return f"ភារកិច្ចថ្មីសម្រាប់លោកអ្នក៖ «{getattr(ApprovalFlow, step).task_title}»"


def task_in_queue(step: str) -> str:
    """A step meant for several, waiting in the queue for whoever takes it first."""
    with translation.override("km"):
        return f"ភារកិច្ចថ្មីកំពុងរង់ចាំក្នុងជួរ៖ «{getattr(ApprovalFlow, step).task_title}»"


@pytest.fixture
def second_office_chief(demo):
    """Another chief of the drafter's office beside the demo's: the chief's review waits in
    the queue of both, and ``chief`` takes it from the page its notification leads to."""
    from django.contrib.auth.models import Group

    from organisations.models import Organisation, User
    from organisations.roles import Role

    second = User.objects.create(
        username="chief2",
        first_name="ស៊ឹម",
        last_name="ពិសិដ្ឋ",
        organisation=Organisation.objects.get(code="dfr-fr"),
    )
    second.groups.add(Group.objects.get(name=Role.OFFICE_CHIEF.value))
    return second


@pytest.fixture
def worker(monkeypatch):
    """Stands in for the Celery worker: each job a step enqueues runs as soon as the step
    commits, through the task function a worker runs, so that each notification is in its
    recipient's bell by the time they look (no broker, no worker in the test)."""
    from tasks import tasks
    from workflows.tasks import signed_pdf_keep

    # The journey sweeps nothing: its jobs are notices, and the signed text's PDF.
    run = {
        "tasks.deliver_reminder": tasks.deliver_reminder,
        "workflows.signed_pdf_keep": signed_pdf_keep,
    }

    def enqueue(name, args_list):
        job = run[name]
        args_list = list(args_list)
        transaction.on_commit(lambda: [job(*args) for args in args_list])

    monkeypatch.setattr("tasks.services.jobs_enqueue", enqueue)


class Person:
    """One demo user, signed in once in a browser context of their own; from then on they
    only click what the page they are on offers."""

    def __init__(self, browser, base_url: str, username: str):
        self.username = username
        self.context = browser.new_context(base_url=base_url)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.goto("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", "demo")
        self.page.click("button[type=submit]:not([name=language])")
        self.page.wait_for_url("**/workflow/inbox/")

    def inbox(self) -> Page:
        """The side menu's Inbox; on a page of another application, its Tasks first."""
        page = self.page
        inbox = page.locator("a.vf-page__menu-list-item[href$='/workflow/inbox/']")
        if not inbox.count():
            page.locator("a[href='/workflow/']").first.click()
        inbox.click()
        page.wait_for_url("**/workflow/inbox/")
        return page

    def from_inbox(self, step: str) -> Page:
        """The step's row in the inbox, its Open link: the step's form."""
        page = self.inbox()
        page.locator(f"td a.mdc-button[href*='/{step}/']").first.click()
        page.wait_for_url(re.compile(rf".*/{step}/\d+/execute/$"))
        return page

    def notification(self, title: str, *, leads_to: str, also: tuple[str, ...] = ()) -> Page:
        """The bell, then the newest unread notification titled ``title`` (and, unread in the
        same list, those titled as ``also`` says): its Open button must lead to the page
        ``leads_to`` matches. The bell is on every page, its count as of when the page was
        loaded: the list, loaded now, counts the new one."""
        page = self.page
        page.click("a.lekhit-bell")
        page.wait_for_url("**/notifications/")
        expect(page.locator("a.lekhit-bell .lekhit-bell-count")).to_be_visible()
        unread = page.locator("ul.lekhit-notifications > li.is-unread")
        for other in also:
            expect(unread.filter(has_text=other).first).to_be_visible()
        item = unread.filter(has_text=title).first
        expect(item).to_be_visible()
        item.locator("button[name=open]").click()
        page.wait_for_url(re.compile(leads_to))
        return page

    def step_from_notification(
        self, title: str, step: str, *, take: bool = False, also: tuple[str, ...] = ()
    ) -> Page:
        """The notification of a step: its link leads to the step's form, or, for a step
        waiting in a queue (``take``), to the step's page, whose Take button opens the form."""
        if take:
            page = self.notification(title, leads_to=rf".*/{step}/\d+/assign/$", also=also)
            page.click("form button[name=_continue]")
        else:
            page = self.notification(title, leads_to=rf".*/{step}/\d+/execute/$", also=also)
        page.wait_for_url(re.compile(rf".*/{step}/\d+/execute/$"))
        return page

    def close(self) -> None:
        self.context.close()


def submit_task_form(page: Page, field: str) -> None:
    """Press the main button of the task form that has ``field``; wait until the page has
    left the form (a refused form would stay, and the test fail here)."""
    url = page.url
    form = page.locator(f"form:has([name={field}])")
    form.locator("button:not([name=_continue])").last.click()
    page.wait_for_url(lambda now: now != url)


SIGNING_TIMEOUT = 60_000


def decide(page: Page, decision: str, reason: str = "") -> None:
    """The step's button that says the decision (Approve, Return with a reason, Sign...)."""
    if reason:
        page.locator("textarea[name=reason]").fill(reason)
    url = page.url
    page.click(f"button[name=decision][value={decision}]")
    # Signing prints the signed text's PDF in Chromium before the page moves on: seconds
    # alone, and more than the default 15 while the suite's other browsers run beside it.
    page.wait_for_url(lambda now: now != url, timeout=SIGNING_TIMEOUT)


def process_tab(page: Page) -> Page:
    """From a page of the instrument's text: its Process tab."""
    page.click("nav.lekhit-tabs a[href*='/process/instruments/']")
    page.wait_for_url(re.compile(r".*/process/instruments/\d+/$"))
    return page


def to_the_process(page: Page) -> Page:
    """From a step's page (its form, or once done its record): the instrument's process."""
    page.click("a[href*='/process/instruments/']")
    page.wait_for_url(re.compile(r".*/process/instruments/\d+/$"))
    return page


def to_the_matrix(page: Page, round_number: int) -> Page:
    """From the instrument's process page: the round's comment–response matrix."""
    page.click(f"a[href$='/rounds/{round_number}/matrix/']")
    page.wait_for_url(re.compile(rf".*/rounds/{round_number}/matrix/$"))
    return page


# --- The journey's steps ------------------------------------------------------------------


def write_sub_decree(drafter: Person) -> None:
    """From the side menu's Documents, a new sub-decree: a chapter with two articles."""
    page = drafter.page
    page.click("a.vf-page__menu-list-item[href='/documents/']")
    page.click("a.vf-page__menu-list-item[href='/documents/new/']")
    page.wait_for_url("**/documents/new/")
    page.select_option("select[name=instrument_type]", label="អនុក្រឹត្យ")
    page.fill("input[name=title_km]", TITLE)
    page.click("form.lekhit-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/documents/\d+/$"))

    page.click("button.lekhit-add-top")
    form = page.locator("#lekhit-add-top form")
    form.locator("select[name=kind]").select_option("chapter")
    form.locator("input[name=heading_km]").fill("បទប្បញ្ញត្តិទូទៅ")
    form.locator("button.lekhit-save").click()
    chapter = page.locator("article.lekhit-kind-chapter")
    expect(chapter).to_have_count(1)
    articles = page.locator("article.lekhit-kind-article")
    for count, text in enumerate(ARTICLES, start=1):
        chapter.locator("button.lekhit-add-inside").click()
        form = chapter.locator("form.lekhit-add-form")
        form.locator("textarea[name=text_km]").fill(text)
        form.locator("button.lekhit-save").click()
        expect(articles).to_have_count(count)
    expect(articles.nth(1).locator(".lekhit-label")).to_have_text("មាត្រា ២")


def submit(drafter: Person) -> None:
    """From the text's Process tab: submit it for internal review."""
    page = process_tab(drafter.page)
    page.click("form[action$='/submit/'] button")
    expect(page.locator("form[action$='/submit/']")).to_have_count(0)


def plan_round(page: Page) -> None:
    """On the step that opens a round: the three organisations, ten working days, silence
    taken as no objection."""
    for name in ORGANISATIONS.values():
        page.get_by_label(name, exact=True).check(force=True)
    page.locator("input[name=working_days]").fill("10")
    page.locator("input[name=silence_rule][value=no_objection]").check(force=True)
    submit_task_form(page, "organisations")


def review(page: Page, *, comment: str | None, position: str, check=None) -> None:
    """On the organisation's step: comment on article 1 (if any), give the position."""
    expect(page.locator(".lekhit-review__provision", has_text="មាត្រា ២")).to_contain_text(
        ARTICLES[1]
    )
    if check:
        check(page)
    if comment:
        article = page.locator(".lekhit-review__provision", has_text="មាត្រា ១").first
        article.locator("details.lekhit-comment-form summary").click()
        article.locator("textarea[name=text]").fill(comment)
        article.locator("button[type=submit]").click()
        expect(page.locator(".lekhit-comment", has_text=comment)).to_be_visible()
    page.locator(f"input[name=position][value={position}]").check(force=True)
    submit_task_form(page, "position")


def sees_the_revision(page: Page) -> None:
    """Round 2: the version sent is the revised one, and the reviewer can see what changed
    since the version their organisation saw in round 1 (then Back to the step)."""
    article = page.locator(".lekhit-review__provision", has_text="មាត្រា ១").first
    expect(article).to_contain_text(REVISED)
    task_url = page.url
    page.click("a[href$='/changes/']")
    changed = page.locator(".lekhit-change", has_text="មាត្រា ១")
    expect(changed.locator("ins").first).to_contain_text("សេដ្ឋកិច្ច")
    page.go_back()
    page.wait_for_url(task_url)


def answer_every_comment(page: Page) -> Page:
    """On the consolidation step's matrix: a disposition and a reason for each open comment."""
    answers = itertools.cycle(DISPOSITIONS)
    while True:
        open_forms = [
            form
            for form in page.locator("form.lekhit-answer-form").all()
            if form.locator("select[name=disposition]").input_value() == ""
        ]
        if not open_forms:
            break
        form = open_forms[0]
        disposition, reason = next(answers)
        form.locator("select[name=disposition]").select_option(disposition)
        form.locator("textarea[name=response]").fill(reason)
        row = form_row_id(form)
        form.locator("button[type=submit]").click()  # saved in place, the page not reloaded
        expect(page.locator(f"#{row} form.lekhit-answer-form--saved")).to_have_count(1)
    return page


def form_row_id(form) -> str:
    """The id of the comment row an answer's form stands in (``comment-<pk>``)."""
    row = form.locator("xpath=ancestor::div[contains(@class, 'lekhit-answer-row')]")
    return row.get_attribute("id")


def finish_consolidation(page: Page, next_step: str) -> None:
    page.locator(f"input[name=next_step][value={next_step}]").check()
    submit_task_form(page, "next_step")


def revise_article_1(page: Page) -> None:
    """From the consolidation step, the text's editor: article 1 rewritten."""
    page.click(".lekhit-consolidate a[href^='/documents/']")
    page.wait_for_url(re.compile(r".*/documents/\d+/$"))
    article = page.locator("article.lekhit-kind-article").first
    article.locator("button.lekhit-edit").click()
    editing = page.locator(".lekhit-provision--editing")
    editing.locator("textarea[name=text_km]").fill(REVISED)
    editing.locator("button.lekhit-save").click()
    expect(page.locator(".lekhit-provision--editing")).to_have_count(0)
    expect(page.locator("article.lekhit-kind-article").first.locator(".lekhit-km")).to_contain_text(
        "សេដ្ឋកិច្ច"
    )


# --- The test -----------------------------------------------------------------------------


def test_a_sub_decree_goes_from_draft_to_registry(
    demo, second_office_chief, worker, live_server, browser
):
    people: dict[str, Person] = {}

    def as_(username: str) -> Person:
        if username not in people:
            people[username] = Person(browser, live_server.url, username)
        return people[username]

    def round_opened(code: str, number: str) -> str:
        return ROUND_OPENED.format(organisation=ORGANISATIONS[code], round=number)

    try:
        drafter = as_("drafter")
        write_sub_decree(drafter)
        submit(drafter)

        # Internal review: the office chief from the notification of the step waiting in the
        # chiefs' queue (its page offers to take it), the director from the inbox.
        chief = as_("chief")
        decide(
            chief.step_from_notification(task_in_queue("chief_review"), "chief_review", take=True),
            "approve",
        )
        decide(as_("director").from_inbox("director_review"), "approve")

        # Round 1: each organisation's reviewer follows the notification of the round opened
        # for it, and comments in Khmer on article 1.
        plan_round(drafter.from_inbox("plan_round"))
        for code, username in REVIEWERS.items():
            page = as_(username).step_from_notification(
                round_opened(code, "១"), "organisation_review"
            )
            review(page, comment=COMMENTS[code], position="comments")
        # Until the matrix is published, each organisation sees its own comments only: from
        # the side menu's Archive, their finished step, its process, the round's matrix.
        for code, username in REVIEWERS.items():
            page = as_(username).page
            page.click("a.vf-page__menu-list-item[href$='/workflow/archive/']")
            page.click("table a[href*='/organisation_review/']")
            body = to_the_matrix(to_the_process(page), 1).locator("table.lekhit-matrix")
            expect(body).to_contain_text(COMMENTS[code])
            for other, text in COMMENTS.items():
                if other != code:
                    expect(body).not_to_contain_text(text)

        # Consolidation: every comment answered, article 1 revised, another round.
        page = answer_every_comment(
            drafter.step_from_notification(task_for_me("consolidate"), "consolidate")
        )
        revise_article_1(page)
        finish_consolidation(drafter.from_inbox("consolidate"), "round")

        # The director publishes round 1's matrix, found from Documents: the instrument, its
        # process, the round. Every organisation is told (the others find it in their list
        # in round 2), and now sees all of it.
        page = as_("director").page
        page.click("a.vf-page__menu-list-item[href='/documents/']")
        page.click(f"a:text-is('{TITLE}')")
        to_the_matrix(process_tab(page), 1).click(
            "form[action$='/rounds/1/matrix/publish/'] button"
        )
        expect(page.locator("form[action$='/matrix/publish/']")).to_have_count(0)
        page = as_("reviewer-moh").notification(
            MATRIX_PUBLISHED.format(round="១"), leads_to=r".*/rounds/1/matrix/$"
        )
        for text in COMMENTS.values():
            expect(page.locator("table.lekhit-matrix")).to_contain_text(text)

        # Round 2: the same three; MEF comments on the revised article, the others agree.
        plan_round(drafter.step_from_notification(task_for_me("plan_round"), "plan_round"))
        for code, username in REVIEWERS.items():
            mef = code == "mef"
            review(
                as_(username).step_from_notification(
                    round_opened(code, "២"),
                    "organisation_review",
                    also=() if code == "moh" else (MATRIX_PUBLISHED.format(round="១"),),
                ),
                comment=ROUND_2_COMMENT if mef else None,
                position="comments" if mef else "no_objection",
                check=sees_the_revision,
            )
        page = answer_every_comment(drafter.from_inbox("consolidate"))
        expect(page.locator(".lekhit-answer-row")).to_have_count(4)
        finish_consolidation(page, "legal")

        # Legal review, then the director-general returns it with a reason; the drafter is
        # told, and the notification leads to the consolidation with the reason on it.
        decide(as_("legal").from_inbox("legal_review"), "approve")
        dg = as_("dg")
        decide(dg.step_from_notification(task_for_me("sign_off"), "sign_off"), "return", DG_REASON)
        page = drafter.step_from_notification(DRAFT_RETURNED, "consolidate")
        expect(page.locator(".lekhit-returned--dg")).to_contain_text(DG_REASON)

        # Consolidated again (nothing left unanswered), the director approves the revision,
        # legal again, and the DG signs.
        finish_consolidation(page, "legal")
        director = as_("director")
        decide(
            director.step_from_notification(task_for_me("director_review"), "director_review"),
            "approve",
        )
        decide(
            as_("legal").step_from_notification(task_for_me("legal_review"), "legal_review"),
            "approve",
        )
        decide(dg.from_inbox("sign_off"), "approve")

        # The registry is told of the signature, and numbers it with the number the type's
        # pattern proposes, from the notification of its step.
        registry = as_("registry")
        registry.notification(SIGNED, leads_to=r".*/process/instruments/\d+/$")
        page = registry.step_from_notification(task_for_me("register"), "register")
        reference_number = page.locator("input[name=reference_number]").input_value()
        assert reference_number
        submit_task_form(page, "reference_number")

        # The drafter's notification of the signature leads to the process, numbered now, its
        # audit trail keeping why the director-general returned it; its verification link
        # says the text was signed.
        page = drafter.notification(SIGNED, leads_to=r".*/process/instruments/\d+/$")
        expect(page.locator(".lekhit-instrument-header")).to_contain_text(reference_number)
        expect(page.locator("body")).to_contain_text(DG_REASON)  # the return, in the audit trail
        verify_link = page.locator("a[href^='/verify/']")
        verify_url = verify_link.get_attribute("href")
        sha256 = verify_url.rstrip("/").rpartition("/")[2]
        verify_link.click()
        expect(page.locator(".lekhit-ok")).to_be_visible()

        # Anyone, signed in or not, can check the signed text's hash on the public page whose
        # address is printed with the signature (the one address typed: it is on the paper),
        # and another hash there, in its form.
        visitor = browser.new_context(base_url=live_server.url)
        try:
            public = visitor.new_page()
            public.goto(verify_url)
            expect(public.locator(".lekhit-ok")).to_be_visible()
            expect(public.locator(".lekhit-verify-result")).to_contain_text(reference_number)
            public.fill("input[name=sha256]", "0" * 64)
            public.click("form[action$='/verify/'] button[type=submit]")
            expect(public.locator(".lekhit-verify-result .lekhit-error")).to_be_visible()
        finally:
            visitor.close()

        instrument = Instrument.objects.get(title_km=TITLE)
        assert instrument.status == Instrument.Status.REGISTERED
        assert instrument.reference_number == reference_number
        process = ApprovalProcess.objects.get(instrument=instrument)
        assert sha256 == SignOff.objects.get(process=process).sha256
    finally:
        for person in people.values():
            person.close()
