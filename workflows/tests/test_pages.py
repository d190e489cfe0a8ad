"""The process's real pages, driven with the test client as each demo user."""

import pytest
from django.urls import reverse
from viewflow.workflow.status import STATUS

from documents import services as documents
from documents.models import InstrumentType, Provision
from organisations.models import Organisation
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import Consultation, Decision

from .conftest import act, internal_approvals, open_round, open_task, open_tasks


def execute_url(task):
    return task.flow_task.reverse("execute", args=[task.process_id, task.pk])


def assign_url(task):
    return task.flow_task.reverse("assign", args=[task.process_id, task.pk])


def take(client, task):
    response = client.post(assign_url(task))
    assert response.status_code == 302, response.content[:500]
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED


@pytest.fixture
def in_consultation(demo, instrument):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    internal_approvals(demo, process)
    return process


def test_the_chief_reviews_through_the_task_page(demo, instrument, client):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    task = open_task(process, ApprovalFlow.chief_review)
    client.force_login(demo["chief"])
    take(client, task)
    page = client.get(execute_url(task))
    assert page.status_code == 200
    response = client.post(execute_url(task), {"decision": "return", "reason": ""})
    assert response.status_code == 200  # refused: a return needs a reason
    assert "reason" in response.context["form"].errors
    response = client.post(execute_url(task), {"decision": "return", "reason": "សូមកែ"})
    assert response.status_code == 302
    assert open_task(process, ApprovalFlow.revise).owner == demo["drafter"]


def test_the_drafter_opens_a_round_through_the_task_page(demo, in_consultation, client):
    task = open_task(in_consultation, ApprovalFlow.plan_round)
    client.force_login(demo["drafter"])
    page = client.get(execute_url(task))
    assert page.status_code == 200
    offered = {o.code for o in page.context["form"].fields["organisations"].queryset}
    assert {"mef", "moh", "ncdd-s"} <= offered  # other ministries and institutions
    assert not offered & {"moi", "gda", "dfr", "dfr-fr"}  # never the department's own ministry
    mef, moh = Organisation.objects.get(code="mef"), Organisation.objects.get(code="moh")
    response = client.post(
        execute_url(task),
        {"organisations": [mef.pk, moh.pk], "working_days": 10, "silence_rule": "no_objection"},
    )
    assert response.status_code == 302
    assert len(open_tasks(in_consultation, ApprovalFlow.organisation_review)) == 2


def test_a_reviewer_comments_on_an_article_and_answers(demo, in_consultation, client):
    open_round(demo, in_consultation, ("mef", "moh"), working_days=5, silence_rule="director")
    mef = Organisation.objects.get(code="mef")
    task = next(
        t
        for t in open_tasks(in_consultation, ApprovalFlow.organisation_review)
        if t.data["organisation_id"] == mef.pk
    )
    consultation = Consultation.objects.get(task=task)
    client.force_login(demo["reviewer-mef"])
    take(client, task)
    page = client.get(execute_url(task))
    assert page.status_code == 200
    body = page.content.decode()
    assert "មាត្រា ១" in body and "អនុក្រឹត្យនេះមានគោលបំណងផ្ទេរមុខងារ។" in body
    article = next(
        p for p in consultation.round.version.snapshot["provisions"] if p["kind"] == "article"
    )
    response = client.post(
        reverse("workflows:comment_add", args=[consultation.pk]),
        {"provision": article["uid"], "text": "<script>alert(1)</script>សូមបញ្ជាក់ពាក្យ «មុខងារ»"},
        HTTP_REFERER=execute_url(task),
    )
    assert response.status_code == 302
    comment = consultation.comments.get()
    assert comment.text == "<script>alert(1)</script>សូមបញ្ជាក់ពាក្យ «មុខងារ»"  # as typed
    shown = client.get(execute_url(task)).content.decode()
    assert "សូមបញ្ជាក់ពាក្យ" in shown and "<script>alert(1)" not in shown

    response = client.post(execute_url(task), {"position": "comments", "remarks": ""})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.position == "comments" and consultation.answered_by == demo["reviewer-mef"]


def test_a_reviewer_of_another_ministry_cannot_see_or_take_the_task(demo, in_consultation, client):
    open_round(demo, in_consultation, ("mef",), working_days=5, silence_rule="director")
    task = open_task(in_consultation, ApprovalFlow.organisation_review)
    consultation = Consultation.objects.get(task=task)
    client.force_login(demo["reviewer-moh"])
    assert client.post(assign_url(task)).status_code == 403
    assert client.get(reverse("workflow:queue")).content.decode().count(f"/{task.pk}/") == 0
    assert (
        client.post(
            reverse("workflows:comment_add", args=[consultation.pk]), {"text": "x"}
        ).status_code
        == 404
    )
    detail = ApprovalFlow.instance.reverse("process_detail", args=[in_consultation.pk])
    assert client.get(detail).status_code == 403


def test_the_public_verification_page(demo, client):
    response = client.get(reverse("verify"), {"sha256": "0" * 64})
    assert response.status_code == 200
    assert (
        "No signed text has this SHA-256." in response.content.decode()
        or "SHA-256" in response.content.decode()
    )


def test_the_inbox_names_the_instrument_organisation_and_deadline(demo, in_consultation, client):
    open_round(demo, in_consultation, ("mef",), working_days=5, silence_rule="director")
    task = open_task(in_consultation, ApprovalFlow.organisation_review)
    client.force_login(demo["reviewer-mef"])
    take(client, task)
    body = client.get(reverse("workflow:inbox")).content.decode()
    assert in_consultation.instrument.title_km in body
    assert "ក្រសួងសេដ្ឋកិច្ច និងហិរញ្ញវត្ថុ" in body
    deadline = Consultation.objects.get(task=task).round.deadline
    from khmer.formats import format_date

    assert format_date(deadline, "km") in body
    assert "ហួសកាលកំណត់" not in body

    # Past its deadline the row says so, in red, and the day stays whole (no "…").
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    later = timezone.now() + timedelta(days=30)
    with time_machine.travel(later, tick=False):
        client.force_login(demo["reviewer-mef"])
        body = client.get(reverse("workflow:inbox")).content.decode()
    day = format_date(deadline, "km")
    assert f'<span class="lekhit-overdue">{day} <strong>ហួសកាលកំណត់</strong></span>' in body


def test_a_delegate_sees_and_completes_the_absent_colleagues_task(demo, instrument, client):
    from datetime import timedelta

    from django.utils import timezone

    from organisations.models import Delegation
    from workflows.models import AuditEntry

    process = services.process_start(instrument=instrument, user=demo["drafter"])
    act(
        open_task(process, ApprovalFlow.chief_review),
        demo["chief"],
        services.review_decide,
        decision=Decision.RETURN,
        reason="សូមកែ",
    )
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=demo["drafter"],
        delegate=demo["legal"],
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=5),
    )
    revise = open_task(process, ApprovalFlow.revise)
    client.force_login(demo["legal"])
    assert instrument.title_km in client.get(reverse("workflow:inbox")).content.decode()
    response = client.post(execute_url(revise), {"note": "កែរួច"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(task=revise)
    assert entry.actor == demo["legal"] and entry.acting_for == demo["drafter"]


def test_each_task_gets_a_deadline_and_taking_it_records_when(demo, in_consultation, client):
    from tasks.models import TaskDeadline

    task = open_task(in_consultation, ApprovalFlow.plan_round)
    deadline = TaskDeadline.objects.get(task=task)
    assert deadline.assignee == demo["drafter"] and deadline.assigned_at is not None
    assert deadline.due_on > deadline.opened_at.date()

    open_round(demo, in_consultation, ("mef",), working_days=7, silence_rule="director")
    deadline.refresh_from_db()
    assert deadline.closed_at is not None

    review = open_task(in_consultation, ApprovalFlow.organisation_review)
    review_deadline = TaskDeadline.objects.get(task=review)
    assert review_deadline.organisation.code == "mef"
    assert review_deadline.due_on == Consultation.objects.get(task=review).round.deadline
    # MEF's one reviewer holds it from the start, and the deadline says since when.
    assert review_deadline.assignee == demo["reviewer-mef"] and review_deadline.assigned_at
    assert review.assigned is not None


def test_the_deadline_follows_its_task_through_viewflow_s_own_pages(demo, in_consultation, client):
    """Viewflow's "unassign" page and a cancellation go through no service of ours: the
    database keeps the deadline in step all the same."""
    from tasks.models import TaskDeadline

    open_round(demo, in_consultation, ("mef",), working_days=7, silence_rule="director")
    review = open_task(in_consultation, ApprovalFlow.organisation_review)
    client.force_login(demo["reviewer-mef"])
    take(client, review)
    assert review.assigned is not None  # viewflow leaves it empty; our node stamps it

    response = client.post(
        review.flow_task.reverse("unassign", args=[review.process_id, review.pk])
    )
    assert response.status_code == 302
    deadline = TaskDeadline.objects.get(task=review)
    assert deadline.assignee is None and deadline.assigned_at is None
    assert deadline.closed_at is None  # still to be done, by whoever takes it

    activation = review.flow_task.activation_class(review)
    activation.cancel()
    deadline.refresh_from_db()
    assert deadline.closed_at is not None  # no reminder for a cancelled task


def test_each_open_step_on_the_process_page_leads_to_it(demo, instrument, client):
    """The process page's open steps are links to their pages (viewflow's task URL, which
    leads its holder to the form), for whom the task policy lets open them."""
    services.process_start(instrument=instrument, user=demo["drafter"])
    review = open_task(instrument.processes.get(), ApprovalFlow.chief_review)
    link = review.flow_task.reverse("index", args=[review.process_id, review.pk])
    client.force_login(demo["chief"])
    page = client.get(reverse("workflows:instrument_process", args=[instrument.pk]))
    assert f'href="{link}"' in page.content.decode()
    assert client.get(link, follow=True).redirect_chain[-1][0].endswith("/execute/")


def test_the_drafter_submits_from_the_process_page(demo, instrument, client):
    client.force_login(demo["drafter"])
    page = client.get(reverse("workflows:instrument_process", args=[instrument.pk]))
    assert page.status_code == 200 and page.context["can_submit"]
    response = client.post(reverse("workflows:submit", args=[instrument.pk]))
    assert response.status_code == 302
    instrument.refresh_from_db()
    assert instrument.status == "internal_review"
    page = client.get(reverse("workflows:instrument_process", args=[instrument.pk]))
    assert not page.context["can_submit"]
    # The audit trail says it as a sentence, in the reader's language, not as a code.
    assert "លី ស្រីនាង, អ្នកតាក់តែង បានដាក់សេចក្តីព្រាងជូនពិនិត្យផ្ទៃក្នុង។" in page.content.decode()


def test_the_process_page_is_for_those_consulted_only(demo, in_consultation, client):
    open_round(demo, in_consultation, ("mef",), working_days=5, silence_rule="director")
    url = reverse("workflows:instrument_process", args=[in_consultation.instrument_id])
    client.force_login(demo["reviewer-mef"])
    assert client.get(url).status_code == 200
    client.force_login(demo["reviewer-moh"])
    assert client.get(url).status_code == 404


def test_the_chief_reassigns_a_task_in_the_office(demo, instrument, client):
    from organisations.models import User
    from organisations.roles import Role
    from organisations.services import user_set_roles
    from workflows.models import AuditEntry

    colleague = User.objects.create(username="drafter2", organisation=demo["drafter"].organisation)
    user_set_roles(user=colleague, roles=[Role.DRAFTER])
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    act(
        open_task(process, ApprovalFlow.chief_review),
        demo["chief"],
        services.review_decide,
        decision=Decision.RETURN,
        reason="សូមកែ",
    )
    revise = open_task(process, ApprovalFlow.revise)

    client.force_login(demo["reviewer-mef"])
    assert (
        client.post(
            reverse("workflows:task_reassign", args=[revise.pk]), {"to": colleague.pk}
        ).status_code
        == 404
    )
    client.force_login(demo["chief"])
    for nonsense in ["", "drafter2", "១២", "9" * 25, "-1"]:  # not a person: not found
        url = reverse("workflows:task_reassign", args=[revise.pk])
        assert client.post(url, {"to": nonsense}).status_code == 404
    page = client.get(reverse("workflows:instrument_process", args=[instrument.pk]))
    assert colleague in page.context["open_tasks"][0]["reassign_to"]
    client.post(reverse("workflows:task_reassign", args=[revise.pk]), {"to": colleague.pk})
    revise.refresh_from_db()
    assert revise.owner == colleague
    entry = AuditEntry.objects.get(action="reassigned")
    assert entry.actor == demo["chief"] and entry.detail == {
        "previous": "drafter",
        "to": "drafter2",
    }


def test_the_director_closes_a_round_early(demo, in_consultation, client):
    consultation_round = open_round(
        demo, in_consultation, ("mef", "moh"), working_days=5, silence_rule="director"
    )
    url = reverse("workflows:round_close", args=[in_consultation.pk, consultation_round.number])
    client.force_login(demo["chief"])
    assert client.post(url).status_code == 403
    client.force_login(demo["director"])
    assert client.post(url).status_code == 302
    assert open_task(in_consultation, ApprovalFlow.consolidate)
    positions = set(
        Consultation.objects.filter(round=consultation_round).values_list("position", "by_silence")
    )
    assert positions == {("", True)}  # unanswered, decided by the director: not "no objection"


def test_viewflow_s_process_and_task_pages_write_dates_in_khmer(demo, instrument, client):
    from khmer.formats import format_datetime

    process = services.process_start(instrument=instrument, user=demo["drafter"])
    task = open_task(process, ApprovalFlow.chief_review)
    client.force_login(demo["chief"])
    detail = client.get(reverse("workflow:flows:approval:process_detail", args=[process.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert format_datetime(task.created, "km") in text  # "ថ្ងៃទី១ ខែធ្នូ ឆ្នាំ២០២៦ …"
    assert f"{process.pk}/{task.pk}" not in text  # the task's number in Khmer digits too
    assert "Submitted for review" not in text and "បានដាក់ជូនពិនិត្យ" in text  # the start step
    assert text.count(format_datetime(process.created, "km")) >= 1  # the panel's process data
    task_page = client.get(ApprovalFlow.chief_review.reverse("detail", args=[process.pk, task.pk]))
    assert task_page.status_code == 200
    page = task_page.content.decode()
    assert 'label="បានបង្កើត"' in page and 'label="Created"' not in page
    assert format_datetime(task.created, "km") in page


def test_viewflow_s_pages_are_extended_by_blocks_not_copied(demo, instrument, client):
    """Our process and task pages extend viewflow's own templates (found under the flow's
    name first), and the permission to open each step comes from the view."""
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    task = open_task(process, ApprovalFlow.chief_review)
    client.force_login(demo["chief"])
    detail = client.get(reverse("workflow:flows:approval:process_detail", args=[process.pk]))
    names = [template.name for template in detail.templates]
    assert names[:2] == [
        "workflows/approval/process_detail.html",
        "viewflow/workflow/process_detail.html",
    ]
    assert [(row.pk, may_open) for row, may_open in detail.context["task_rows"]] == [
        (row.pk, row.flow_task.has_view_permission(demo["chief"]))
        for row in detail.context["task_list"]
    ]
    assert detail.context["may_cancel"] is False  # a manage right, which the chief lacks
    assert reverse("workflow:flows:approval:process_cancel", args=[process.pk]) not in (
        detail.content.decode()
    )
    task_page = client.get(ApprovalFlow.chief_review.reverse("detail", args=[process.pk, task.pk]))
    names = [template.name for template in task_page.templates]
    assert names[:2] == [
        "workflows/approval/task_detail.html",
        "viewflow/workflow/task_detail.html",
    ]


def test_the_matrix_links_each_answer_to_the_text_it_changed(demo, in_consultation, client):
    """The drafter says which provisions an answer changed; the matrix shows their resulting
    text: the working draft while answering, the consolidated version once published."""
    from documents import services as documents
    from documents.models import Provision
    from workflows.models import Comment
    from workflows.tests.test_journey import answer_round

    consultation_round = open_round(demo, in_consultation)
    answer_round(demo, in_consultation, consultation_round)
    article = Provision.objects.filter(instrument=in_consultation.instrument, kind="article")[0]
    documents.provision_update(
        provision=article,
        user=demo["drafter"],
        text_km="មាត្រានេះបានកែតាមយោបល់ក្រសួង។",
        expected_lock_version=article.lock_version,
    )
    comment = Comment.objects.order_by("pk").first()
    client.force_login(demo["drafter"])
    respond = reverse("workflows:comment_respond", args=[comment.pk])
    answer = {"disposition": "accepted", "response": "បានកែ", "lock_version": 0}

    refused = client.post(respond, {**answer, "changed_provisions": ["not-a-provision"]})
    assert refused.status_code == 302
    comment.refresh_from_db()
    assert comment.disposition == "" and comment.changed_provisions == []

    client.post(respond, {**answer, "changed_provisions": [str(article.uid)]})
    comment.refresh_from_db()
    assert comment.changed_provisions == [str(article.uid)]

    consolidate = open_task(in_consultation, ApprovalFlow.consolidate)  # the drafter's already
    page = client.get(execute_url(consolidate)).content.decode()
    assert f'value="{article.uid}" checked' in page  # the drafter's choice, kept
    assert "មាត្រានេះបានកែតាមយោបល់ក្រសួង។" in page  # the working draft's text

    for other in Comment.objects.exclude(pk=comment.pk):
        act_answer = {"disposition": "noted", "response": "បានកត់សម្គាល់", "lock_version": 0}
        client.post(reverse("workflows:comment_respond", args=[other.pk]), act_answer)
    act(consolidate, demo["drafter"], services.consolidation_finish, next_step="legal")
    services.matrix_publish(consultation_round=consultation_round, user=demo["director"])

    client.force_login(demo["reviewer-mef"])
    matrix = client.get(
        reverse("workflows:matrix", args=[in_consultation.pk, consultation_round.number])
    )
    assert matrix.status_code == 200
    assert "មាត្រានេះបានកែតាមយោបល់ក្រសួង។" in matrix.content.decode()


def test_viewflow_s_task_lists_name_each_step_by_its_title(demo, instrument, client):
    """The flow's task list, its filters and the inbox's and archive's filters name each step
    by its title in the reader's language, not by the node's Python name ("Chief Review",
    "After_Chief_Review")."""
    from django.utils.translation import override

    process = services.process_start(instrument=instrument, user=demo["drafter"])
    internal_approvals(demo, process)  # chief and director done: gateways and steps behind
    with override("km"):
        titles = {
            node.name: str(node.task_title)
            for node in [
                ApprovalFlow.start,
                ApprovalFlow.chief_review,
                ApprovalFlow.after_chief_review,
                ApprovalFlow.plan_round,
            ]
        }
    client.force_login(demo["drafter"])
    tasks = client.get(reverse("workflow:flows:approval:task_list"))
    assert tasks.status_code == 200
    page = tasks.content.decode()
    choices = dict(tasks.context["view"].filterset.form.fields["flow_task"].choices)
    for name, title in titles.items():
        assert f">{title}<" in page, name  # a cell of the table
        assert any(label.endswith(f"/{title}") for label in choices.values()), name
    for english in ["Chief Review", "After_Chief_Review", "Plan_Round", ">Start<"]:
        assert english not in page
    inbox = client.get(reverse("workflow:inbox"))
    inbox_steps = dict(inbox.context["view"].filterset.form.fields["flow_task"].choices)
    assert titles["plan_round"] in " ".join(inbox_steps.values())
    client.force_login(demo["chief"])  # the archive: the steps one has done
    archive = client.get(reverse("workflow:archive"))
    archived = " ".join(
        dict(archive.context["view"].filterset.form.fields["flow_task"].choices).values()
    )
    assert titles["chief_review"] in archived and "Chief" not in archived


def test_the_archive_lists_the_steps_the_person_has_done_and_no_other(demo, instrument, client):
    """The archive (found by the index of each person's finished steps, not by their
    processes): the chief's and the director's own reviews; not the step that is still
    open, nor anyone else's (the drafter, whose start is the process's, has none)."""
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    internal_approvals(demo, process)  # the chief's review, then the director's
    done = {
        role: [task.pk for task in process.task_set.filter(owner=demo[role]).exclude(finished=None)]
        for role in ("drafter", "chief", "director")
    }
    assert done["chief"] and done["director"]
    still_open = open_task(process, ApprovalFlow.plan_round)
    for role, steps in done.items():
        client.force_login(demo[role])
        page = client.get(reverse("workflow:archive"))
        assert page.status_code == 200
        listed = [task.pk for task in page.context["page_obj"].object_list]
        assert sorted(listed) == sorted(steps), role
        assert still_open.pk not in listed
        assert page.context["paginator"].count == len(steps)


def test_the_lists_find_a_process_by_its_number_or_its_instrument(demo, instrument, client):
    """In place of viewflow's choice of every process, the inbox, queue, archive and task list
    search by process number (Khmer or Latin digits, with or without "#") or by the
    instrument's title; a number of no process finds nothing."""
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    other = documents.instrument_create(
        user=demo["drafter"],
        instrument_type=InstrumentType.objects.get(code="prakas"),
        title_km="ប្រកាសស្តីពីការចុះបញ្ជីផ្សេង",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    documents.provision_add(
        instrument=other, user=demo["drafter"], kind=Provision.Kind.ARTICLE, text_km="ប្រកាសនេះ។"
    )
    services.process_start(instrument=other, user=demo["drafter"])
    client.force_login(demo["chief"])
    task_list = ApprovalFlow.instance.reverse("task_list")
    for path in (reverse("workflow:inbox"), task_list):
        for search in (khmer_number(process.pk), f"#{process.pk}", instrument.title_km[:12]):
            page = client.get(path, {"process": search})
            assert page.status_code == 200
            found = {task.process_id for task in page.context["object_list"]}
            assert found == {process.pk}, (path, search, found)
        nothing = client.get(path, {"process": "៩៩៩៩៩"})
        assert list(nothing.context["object_list"]) == []


def khmer_number(number):
    from khmer.formats import khmer_digits

    return khmer_digits(number)
