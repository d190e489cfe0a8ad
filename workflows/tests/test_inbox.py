"""The inbox is the person's work: a step meant for one person is theirs at once; a step for
several waits in the inbox of each of them, taken in one click; a finished step's page says
what was decided and by whom; every button says what it does, and shows only to whom the
policies let do it."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from viewflow.workflow.status import STATUS

from organisations.models import Organisation, User
from organisations.roles import Role
from workflows import services
from workflows.flows import ApprovalFlow

from .conftest import drive, internal_approvals, open_round, open_task

pytestmark = pytest.mark.django_db


def url(task, name):
    return task.flow_task.reverse(name, args=[task.process_id, task.pk])


def inbox(client, user):
    client.force_login(user)
    response = client.get(reverse("workflow:inbox"))
    assert response.status_code == 200
    return response.content.decode()


def speaking(user, language):
    User.objects.filter(pk=user.pk).update(language=language)
    return User.objects.get(pk=user.pk)


def second_chief(demo):
    """Another office chief: the chief's review is then meant for two people."""
    person = User.objects.create(
        username="chief2",
        first_name="ស៊ឹម",
        last_name="ពិសិដ្ឋ",
        organisation=Organisation.objects.get(code="dfr-fr"),
    )
    person.groups.add(Group.objects.get(name=Role.OFFICE_CHIEF.value))
    return person


@pytest.fixture
def submitted(demo, instrument):
    return services.process_start(instrument=instrument, user=demo["drafter"])


def test_a_step_meant_for_one_person_is_theirs_without_taking_it(demo, submitted, client):
    task = open_task(submitted, ApprovalFlow.chief_review)
    assert (task.status, task.owner) == (STATUS.ASSIGNED, demo["chief"])
    assert task.assigned is not None  # when it became theirs, for its deadline
    body = inbox(client, demo["chief"])
    assert url(task, "index") in body
    assert url(task, "assign") not in body  # nothing to take: it is theirs
    assert url(task, "index") not in inbox(client, demo["drafter"])


def test_every_role_finds_its_step_in_its_inbox(demo, submitted, client):
    """The chief's, the director's, the drafter's, a ministry reviewer's, the legal
    reviewer's, the director-general's and the registry's steps, each already theirs."""
    process = submitted

    def theirs(step, username, **where):
        task = open_task(process, step, **where)
        assert task.owner == demo[username], step
        assert url(task, "index") in inbox(client, demo[username]), step
        for other in ("drafter", "chief", "reviewer-moh"):
            if other != username:
                assert url(task, "index") not in inbox(client, demo[other]), (step, other)

    theirs("chief_review", "chief")
    drive(process, "chief_review", demo["chief"], decision="approve", reason="")
    theirs("director_review", "director")
    drive(process, "director_review", demo["director"], decision="approve", reason="")
    theirs("plan_round", "drafter")
    open_round(demo, process, ("mef",))
    mef = Organisation.objects.get(code="mef")
    theirs("organisation_review", "reviewer-mef", organisation_id=mef.pk)


def test_a_step_for_several_waits_in_each_inbox_and_is_taken_in_one_click(demo, instrument, client):
    chief2 = second_chief(demo)
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    task = open_task(process, ApprovalFlow.chief_review)
    assert (task.status, task.owner) == (STATUS.NEW, None)
    for person in (demo["chief"], chief2):
        body = inbox(client, person)
        assert re.search(rf'action="{re.escape(url(task, "assign"))}"', body), person
    assert url(task, "assign") not in inbox(client, demo["drafter"])  # not theirs to take

    client.force_login(chief2)
    response = client.post(url(task, "assign"), {"_continue": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == url(task, "execute")
    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.status, task.owner) == (STATUS.ASSIGNED, chief2)
    # Gone from the other chief's inbox; taking it again leads to its page, not an error.
    assert url(task, "assign") not in inbox(client, demo["chief"])
    response = client.post(url(task, "assign"), {"_continue": "1"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == url(task, "detail")
    assert str(chief2) in response.content.decode()  # who holds it now


def start_more(demo, instrument, count: int) -> None:
    """``count`` more sub-decrees of ``instrument``'s office, each with an article, sent to
    the office chiefs' review."""
    from documents import services as documents
    from documents.models import InstrumentType

    for n in range(count):
        other = documents.instrument_create(
            user=demo["drafter"],
            instrument_type=InstrumentType.objects.get(code="sub-decree"),
            title_km=f"អនុក្រឹត្យទី {n}",
            owning_office=instrument.owning_office,
        )
        documents.provision_add(
            instrument=other, user=demo["drafter"], kind="article", text_km="មាត្រា។"
        )
        services.process_start(instrument=other, user=demo["drafter"])


def test_the_inbox_costs_the_same_queries_for_one_task_or_many(
    demo, instrument, client, django_assert_num_queries
):
    second_chief(demo)  # every review waits to be taken: the Take column is drawn too
    services.process_start(instrument=instrument, user=demo["drafter"])
    client.force_login(demo["chief"])
    path = reverse("workflow:inbox")
    client.get(path)
    with CaptureQueriesContext(connection) as one:
        client.get(path)
    start_more(demo, instrument, 8)
    with django_assert_num_queries(len(one.captured_queries)):
        body = client.get(path).content.decode()
    assert body.count('class="lekhit-take"') == 9


def _menu_inbox(body: str) -> str:
    return re.search(
        r"inbox</i></span>\s*<span[^>]*>[^<]*</span>\s*<span[^>]*>([^<]*)</span>", body
    ).group(1)


def test_the_menu_counts_the_whole_inbox_once_and_never_a_filtered_page(demo, instrument, client):
    """On the inbox itself the menu's counter is the pager's count of the same rows (one
    query, not two); with a filter, the counter still counts the whole inbox."""
    second_chief(demo)
    services.process_start(instrument=instrument, user=demo["drafter"])
    start_more(demo, instrument, 2)
    client.force_login(demo["chief"])
    path = reverse("workflow:inbox")
    with CaptureQueriesContext(connection) as queries:
        body = client.get(path).content.decode()
    assert _menu_inbox(body) == "៣"
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT")]
    # the inbox's: a UNION of the steps held and those waiting to be taken (the queue's: not)
    assert len([sql for sql in counts if "UNION" in sql]) == 1
    overdue = client.get(path, {"lateness": "overdue"}).content.decode()
    assert 'class="lekhit-take"' not in overdue  # nothing is late: the page lists no step
    assert _menu_inbox(overdue) == "៣"  # the whole inbox, counted by the menu itself


def test_each_row_links_to_its_own_step_as_viewflow_reverses_it(demo, instrument, client):
    """The inbox's links (its number, Open, Take's form) are reversed once a page for each
    step and then filled with each row's keys: every one is the URL viewflow gives that row's
    own task, in Khmer digits only outside the tag."""
    second_chief(demo)  # the chief reviews wait to be taken: Take's form on every row
    services.process_start(instrument=instrument, user=demo["drafter"])
    start_more(demo, instrument, 3)
    queued = list(ApprovalFlow.task_class.objects.filter(flow_task=ApprovalFlow.chief_review))
    assert len(queued) == 4
    body = inbox(client, demo["chief"])
    numbers = re.findall(r'<a href="([^"]+)">#([០-៩]+)/([០-៩]+)</a>', body)
    takes = re.findall(r'class="lekhit-take" data-turbo="false"', body)
    assert len(numbers) == len(takes) == 4
    for task in queued:
        assert url(task, "index") in {href for href, _p, _t in numbers}
        assert f'action="{url(task, "assign")}" class="lekhit-take"' in body
    # the digits of each number are its own task's, in Khmer
    to_latin = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
    for href, process, task in numbers:
        assert href.endswith(
            f"/{process.translate(to_latin)}/chief_review/{task.translate(to_latin)}/"
        )


def actions(client, task):
    return [
        str(label) for label, _ in client.get(url(task, "detail")).context["view"].get_actions()
    ]


def _execute_page(client, user, task):
    client.force_login(user)
    response = client.get(url(task, "execute"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "said", "never"),
    [
        ("en", ["Approve", "Return with a reason"], ["Execute", "and continue"]),
        ("km", ["អនុម័ត", "បញ្ជូនត្រឡប់វិញ ដោយបញ្ជាក់មូលហេតុ"], ["អនុវត្ត", "ហើយបន្ត", "Execute"]),
    ],
)
def test_a_review_s_buttons_say_what_the_person_does(
    demo, submitted, client, language, said, never
):
    task = open_task(submitted, ApprovalFlow.chief_review)
    body = _execute_page(client, speaking(demo["chief"], language), task)
    for words in said:
        assert f">{words}</span>" in body, words
    for words in never:
        assert words not in body, words
    assert 'name="decision" value="approve"' in body and 'name="decision" value="return"' in body


def test_the_button_pressed_is_the_decision(demo, submitted, client):
    task = open_task(submitted, ApprovalFlow.chief_review)
    client.force_login(demo["chief"])
    refused = client.post(url(task, "execute"), {"decision": "return", "reason": ""})
    assert refused.status_code == 200
    assert "reason" in refused.context["form"].errors
    done = client.post(url(task, "execute"), {"decision": "return", "reason": "សូមកែមាត្រា ២"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == STATUS.DONE and task.data["decision"] == "return"


@pytest.mark.parametrize(
    ("step", "username", "english", "khmer"),
    [
        ("plan_round", "drafter", "Send to the organisations", "បញ្ជូនទៅស្ថាប័នពាក់ព័ន្ធ"),
        ("director_review", "director", "Return with a reason", "បញ្ជូនត្រឡប់វិញ ដោយបញ្ជាក់មូលហេតុ"),
    ],
)
def test_each_step_s_button_in_both_languages(
    demo, submitted, client, step, username, english, khmer
):
    drive(submitted, "chief_review", demo["chief"], decision="approve", reason="")
    if step == "plan_round":
        drive(submitted, "director_review", demo["director"], decision="approve", reason="")
    task = open_task(submitted, step)
    assert english in _execute_page(client, speaking(demo[username], "en"), task)
    body = _execute_page(client, speaking(demo[username], "km"), task)
    assert khmer in body and "អនុវត្ត" not in body


def test_sign_off_and_registration_buttons():
    from django.utils import translation

    from workflows.views import RegisterView, SignOffView

    translation.activate("en")
    assert [str(label) for label in SignOffView.choice_labels.values()] == [
        "Sign",
        "Return with a reason",
        "Reject",
    ]
    assert str(RegisterView.submit_label) == "Register"


@pytest.mark.parametrize("language", ["en", "km"])
def test_back_after_a_step_shows_what_was_decided_and_by_whom(demo, submitted, client, language):
    task = open_task(submitted, ApprovalFlow.chief_review)
    chief = speaking(demo["chief"], language)
    client.force_login(chief)
    client.post(url(task, "execute"), {"decision": "return", "reason": "សូមកែមាត្រា ២"})

    response = client.get(url(task, "execute"), follow=True)  # the browser's Back
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == url(task, "detail")
    body = response.content.decode()
    assert "សូមកែមាត្រា ២" in body
    assert str(chief) in body
    decided = {"en": "Return to the drafter", "km": "បញ្ជូនត្រឡប់ទៅអ្នកតាក់តែង"}[language]
    assert decided in body
    assert "no transition" not in body
    # Another internal reader opening the finished step sees the same, not an error.
    client.force_login(demo["director"])
    response = client.get(url(task, "execute"), follow=True)
    assert response.status_code == 200 and "សូមកែមាត្រា ២" in response.content.decode()


def test_the_cancel_button_shows_only_to_whom_may_cancel(demo, submitted, client):
    cancel = ApprovalFlow.instance.reverse("process_cancel", args=[submitted.pk])
    detail = ApprovalFlow.instance.reverse("process_detail", args=[submitted.pk])
    admin = User.objects.create(username="root", is_superuser=True, is_staff=True)
    for username in ("drafter", "chief", "director", "legal", "dg", "registry"):
        client.force_login(demo[username])
        page = client.get(detail)
        assert page.status_code == 200, username
        assert cancel not in page.content.decode(), username
    client.force_login(admin)
    assert cancel in client.get(detail).content.decode()
    assert client.get(cancel).status_code == 200


def test_a_step_s_page_offers_only_what_the_policies_allow(demo, submitted, client):
    task = open_task(submitted, ApprovalFlow.chief_review)
    client.force_login(speaking(demo["chief"], "en"))
    assert actions(client, task) == ["Open the form", "Give back to the queue"]
    client.force_login(demo["director"])
    assert actions(client, task) == []
    # The drafter's own steps have no queue to go back to: nobody else could take them.
    drive(submitted, "chief_review", demo["chief"], decision="return", reason="សូមកែ")
    revise = open_task(submitted, ApprovalFlow.revise)
    client.force_login(speaking(demo["drafter"], "en"))
    assert actions(client, revise) == ["Open the form"]
    assert client.get(url(revise, "unassign")).status_code == 403


def test_internal_approvals_leave_the_drafter_a_step_in_the_inbox(demo, submitted, client):
    internal_approvals(demo, submitted)
    task = open_task(submitted, ApprovalFlow.plan_round)
    assert url(task, "index") in inbox(client, demo["drafter"])
