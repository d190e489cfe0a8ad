"""Issue 4's "done when", in headless Chromium: a sub-decree's whole approval journey.

Every step goes through the real pages as the demo user whose step it is, each in a browser
context of their own: the drafter writes the text and submits it, the chief and the director
approve it, three ministries comment in Khmer in two consultation rounds, the drafter answers
every comment in the comment–response matrix and revises the text, the legal reviewer
approves, the director-general returns it once and then signs it, and the registry numbers
it. The test reads the database to know which task a person should find in their queue, and
at the end to check what was recorded.
"""

import itertools
import re

import pytest
from playwright.sync_api import Page, expect
from viewflow.workflow.status import STATUS

from documents.models import Instrument
from workflows.driving import open_task
from workflows.flows import ApprovalFlow
from workflows.models import ApprovalProcess, SignOff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEWERS = {"mef": "reviewer-mef", "moh": "reviewer-moh", "ncdd-s": "reviewer-ncdd"}
COMMENTS = {
    "mef": "សូមបញ្ជាក់ប្រភពថវិកាសម្រាប់មុខងារដែលផ្ទេរ។",
    "moh": "សូមបន្ថែមមន្ទីរពេទ្យបង្អែកក្នុងបញ្ជីមុខងារ។",
    "ncdd-s": "សូមកំណត់កាលបរិច្ឆេទអនុវត្តឱ្យច្បាស់។",
}
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


class Person:
    """One demo user, signed in once in a browser context of their own."""

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

    def open(self, path: str) -> Page:
        self.page.goto(path)
        return self.page

    def execute(self, task) -> Page:
        """Find ``task`` in the inbox (every step of theirs is there: already theirs, or
        waiting with its Take button), take it if it is not yet theirs, open its form."""
        page = self.open("/workflow/inbox/")
        if task.status == STATUS.NEW:
            page.click(f"form[action$='/{task.flow_task.name}/{task.pk}/assign/'] button")
        else:
            page.locator(f"a[href$='/{task.flow_task.name}/{task.pk}/']").first.click()
        page.wait_for_url(re.compile(rf".*/{task.pk}/execute/$"))
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


def decide(person: Person, task, decision: str, reason: str = ""):
    """The step's button that says the decision (Approve, Return with a reason, Sign...)."""
    page = person.execute(task)
    if reason:
        page.locator("textarea[name=reason]").fill(reason)
    url = page.url
    page.click(f"button[name=decision][value={decision}]")
    page.wait_for_url(lambda now: now != url)


# --- The journey's steps ------------------------------------------------------------------


def write_sub_decree(drafter: Person) -> int:
    page = drafter.open("/documents/new/")
    page.select_option("select[name=instrument_type]", label="អនុក្រឹត្យ")
    page.fill("input[name=title_km]", "អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារគ្រប់គ្រងសាលាបឋមសិក្សា")
    page.click("form.lekhit-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/documents/\d+/$"))
    pk = int(re.search(r"/documents/(\d+)/$", page.url).group(1))

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
    return pk


def submit(drafter: Person, pk: int) -> None:
    page = drafter.open(f"/process/instruments/{pk}/")
    page.click(f"form[action$='/instruments/{pk}/submit/'] button")
    expect(page.locator(f"form[action$='/instruments/{pk}/submit/']")).to_have_count(0)


def plan_round(drafter: Person, process, organisations) -> None:
    page = drafter.execute(open_task(process, ApprovalFlow.plan_round))
    for organisation in organisations:
        page.locator(f"input[name=organisations][value='{organisation.pk}']").check(force=True)
    page.locator("input[name=working_days]").fill("10")
    page.locator("input[name=silence_rule][value=no_objection]").check(force=True)
    submit_task_form(page, "organisations")


def review(reviewer: Person, task, *, comment: str | None, position: str, check=None) -> None:
    """Take the organisation's task, comment on article 1 (if any), give the position."""
    page = reviewer.execute(task)
    expect(page.locator(".lekhit-review__provision", has_text="មាត្រា ២")).to_contain_text(
        ARTICLES[1]
    )
    if check:
        task_url = page.url
        check(page)
        page.goto(task_url)
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
    since the version their organisation saw in round 1."""
    article = page.locator(".lekhit-review__provision", has_text="មាត្រា ១").first
    expect(article).to_contain_text(REVISED)
    page.click("a[href$='/changes/']")
    changed = page.locator(".lekhit-change", has_text="មាត្រា ១")
    expect(changed.locator("ins").first).to_contain_text("សេដ្ឋកិច្ច")


def answer_every_comment(drafter: Person, process) -> Page:
    """On the consolidation task's matrix: a disposition and a reason for each open comment."""
    page = drafter.execute(open_task(process, ApprovalFlow.consolidate))
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


def revise_article_1(drafter: Person, pk: int) -> None:
    page = drafter.open(f"/documents/{pk}/")
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


def test_a_sub_decree_goes_from_draft_to_registry(demo, live_server, browser):
    from organisations.models import Organisation

    people: dict[str, Person] = {}

    def as_(username: str) -> Person:
        if username not in people:
            people[username] = Person(browser, live_server.url, username)
        return people[username]

    consulted = list(Organisation.objects.filter(code__in=REVIEWERS).order_by("code"))
    try:
        drafter = as_("drafter")
        pk = write_sub_decree(drafter)
        submit(drafter, pk)
        process = ApprovalProcess.objects.get(instrument_id=pk)

        # Internal review: the office chief, then the director, each from their queue.
        decide(as_("chief"), open_task(process, ApprovalFlow.chief_review), "approve")
        decide(as_("director"), open_task(process, ApprovalFlow.director_review), "approve")

        # Round 1: three organisations, each comments in Khmer on article 1.
        plan_round(drafter, process, consulted)
        for organisation in consulted:
            review(
                as_(REVIEWERS[organisation.code]),
                open_task(
                    process, ApprovalFlow.organisation_review, organisation_id=organisation.pk
                ),
                comment=COMMENTS[organisation.code],
                position="comments",
            )
        # Until the matrix is published, each organisation sees its own comments only.
        matrix_1 = f"/process/{process.pk}/rounds/1/matrix/"
        for code, username in REVIEWERS.items():
            page = as_(username).open(matrix_1)
            body = page.locator("table.lekhit-matrix")
            expect(body).to_contain_text(COMMENTS[code])
            for other, text in COMMENTS.items():
                if other != code:
                    expect(body).not_to_contain_text(text)

        # Consolidation: every comment answered, article 1 revised, another round.
        page = answer_every_comment(drafter, process)
        revise_article_1(drafter, pk)
        page = drafter.execute(open_task(process, ApprovalFlow.consolidate))
        finish_consolidation(page, "round")

        # The director publishes round 1's matrix: now every organisation sees all of it.
        page = as_("director").open(matrix_1)
        page.click("form[action$='/rounds/1/matrix/publish/'] button")
        expect(page.locator("form[action$='/matrix/publish/']")).to_have_count(0)
        page = as_("reviewer-moh").open(matrix_1)
        for text in COMMENTS.values():
            expect(page.locator("table.lekhit-matrix")).to_contain_text(text)

        # Round 2: the same three; MEF comments on the revised article, the others agree.
        plan_round(drafter, process, consulted)
        for organisation in consulted:
            mef = organisation.code == "mef"
            review(
                as_(REVIEWERS[organisation.code]),
                open_task(
                    process, ApprovalFlow.organisation_review, organisation_id=organisation.pk
                ),
                comment=ROUND_2_COMMENT if mef else None,
                position="comments" if mef else "no_objection",
                check=sees_the_revision,
            )
        page = answer_every_comment(drafter, process)
        expect(page.locator(".lekhit-answer-row")).to_have_count(4)
        finish_consolidation(page, "legal")

        # Legal review, then the director-general returns it with a reason.
        decide(as_("legal"), open_task(process, ApprovalFlow.legal_review), "approve")
        decide(as_("dg"), open_task(process, ApprovalFlow.sign_off), "return", DG_REASON)
        page = drafter.open(f"/process/instruments/{pk}/")
        expect(page.locator("body")).to_contain_text(DG_REASON)

        # Consolidated again (nothing left unanswered), the director approves the revision,
        # legal again, and the DG signs.
        page = drafter.execute(open_task(process, ApprovalFlow.consolidate))
        expect(page.locator(".lekhit-returned--dg")).to_contain_text(DG_REASON)
        finish_consolidation(page, "legal")
        decide(as_("director"), open_task(process, ApprovalFlow.director_review), "approve")
        decide(as_("legal"), open_task(process, ApprovalFlow.legal_review), "approve")
        decide(as_("dg"), open_task(process, ApprovalFlow.sign_off), "approve")

        # The registry numbers it with the number the type's pattern proposes.
        registry = as_("registry")
        page = registry.execute(open_task(process, ApprovalFlow.register))
        reference_number = page.locator("input[name=reference_number]").input_value()
        assert reference_number
        submit_task_form(page, "reference_number")

        page = drafter.open(f"/process/instruments/{pk}/")
        expect(page.locator(".lekhit-instrument-header")).to_contain_text(reference_number)
        verify_url = page.locator("a[href^='/verify/']").get_attribute("href")
        sha256 = verify_url.rstrip("/").rpartition("/")[2]
        assert sha256 == SignOff.objects.get(process=process).sha256

        # Anyone, signed in or not, can check the signed text's hash on the public page
        # whose address is printed with the signature.
        visitor = browser.new_context(base_url=live_server.url)
        try:
            public = visitor.new_page()
            public.goto(verify_url)
            expect(public.locator(".lekhit-ok")).to_be_visible()
            expect(public.locator(".lekhit-verify-result")).to_contain_text(reference_number)
            public.goto(f"/verify/?sha256={'0' * 64}")
            expect(public.locator(".lekhit-verify-result .lekhit-error")).to_be_visible()
        finally:
            visitor.close()

        instrument = Instrument.objects.get(pk=pk)
        assert instrument.status == Instrument.Status.REGISTERED
        assert instrument.reference_number == reference_number
    finally:
        for person in people.values():
            person.close()
