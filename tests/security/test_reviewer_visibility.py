"""What a consulted ministry sees of an instrument: its own consultation and what was sent to
it (the version sent, its comments and position, the matrix once published), nothing more —
and the matrix is published only once its round is closed (issue 9, items 4 and 7)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from documents import services as documents
from documents.models import Provision
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import ConsultationRound, Decision, Disposition, NextStep, Position
from workflows.tests.conftest import act, internal_approvals, open_round, open_task, open_tasks

RETURN_REASON = "ហេតុផលផ្ទៃក្នុងរបស់ប្រធានការិយាល័យ"
MEF_COMMENT = "មតិរបស់ក្រសួងសេដ្ឋកិច្ច"
MOH_COMMENT = "មតិរបស់ក្រសួងសុខាភិបាល"
ANSWER = "បានកែសម្រួលតាមសំណូមពរនេះ"
NEW_TEXT = "អត្ថបទថ្មីក្នុងសេចក្តីព្រាង"


def _consulted(demo, instrument, *, comment=True):
    """Returned once by the chief (with a reason), resubmitted, approved, and sent to MEF and
    MoH; each (``comment``) comments on the first article. Returns the process and the
    round."""
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    act(
        open_task(process, ApprovalFlow.chief_review),
        demo["chief"],
        services.review_decide,
        decision=Decision.RETURN,
        reason=RETURN_REASON,
    )
    act(open_task(process, ApprovalFlow.revise), demo["drafter"], services.draft_resubmit, note="")
    internal_approvals(demo, process)
    consultation_round = open_round(demo, process, ("mef", "moh"))
    article = next(
        p for p in consultation_round.version.snapshot["provisions"] if p["kind"] == "article"
    )
    if comment:
        for consultation in consultation_round.consultations.select_related("organisation"):
            _comment(demo, consultation, article["uid"])
    return process, consultation_round


def _comment(demo, consultation, provision_uid):
    code = consultation.organisation.code
    services.comment_add(
        consultation=consultation,
        user=demo[f"reviewer-{code}"],
        text=MEF_COMMENT if code == "mef" else MOH_COMMENT,
        provision_uid=provision_uid,
    )


def _comment_later(demo, consultation_round):
    article = next(
        p for p in consultation_round.version.snapshot["provisions"] if p["kind"] == "article"
    )
    for consultation in consultation_round.consultations.select_related("organisation"):
        _comment(demo, consultation, article["uid"])


def _answered(demo, process, consultation_round):
    """Both ministries answer (the round closes); the drafter adds an article to the working
    draft and answers each comment, naming it as changed."""
    mef = _org(demo, "mef")
    for task in open_tasks(process, ApprovalFlow.organisation_review):
        reviewer = demo["reviewer-mef" if task.data["organisation_id"] == mef else "reviewer-moh"]
        act(task, reviewer, services.consultation_answer, position=Position.COMMENTS)
    instrument = process.instrument
    chapter = Provision.objects.get(instrument=instrument, kind=Provision.Kind.CHAPTER)
    article = documents.provision_add(
        instrument=instrument,
        user=demo["drafter"],
        kind=Provision.Kind.ARTICLE,
        parent=chapter,
        text_km=NEW_TEXT,
    )
    for comment in services.unanswered_comments(process=process):
        services.comment_respond(
            comment=comment,
            user=demo["drafter"],
            disposition=Disposition.ACCEPTED,
            response=ANSWER,
            changed_provisions=[str(article.uid)],
        )
    consultation_round.refresh_from_db()


def _org(demo, code):
    return demo[f"reviewer-{code}"].organisation_id


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


# --- Item 4: the matrix is published only once its round is closed -------------------------


def test_the_matrix_of_an_open_round_cannot_be_published(demo, instrument):
    """Nothing to answer yet is not "every comment answered": the round is still open."""
    process, consultation_round = _consulted(demo, instrument, comment=False)
    with pytest.raises(ValidationError):
        services.matrix_publish(consultation_round=consultation_round, user=demo["director"])
    assert ConsultationRound.objects.get(pk=consultation_round.pk).matrix_published_at is None


def test_publishing_an_open_rounds_matrix_through_its_page_shows_no_one_the_others_comments(
    demo, instrument, client
):
    process, consultation_round = _consulted(demo, instrument, comment=False)
    client.force_login(demo["director"])
    url = reverse("workflows:matrix_publish", args=[process.pk, consultation_round.number])
    assert client.post(url).status_code == 302  # back to the matrix, with the error
    assert ConsultationRound.objects.get(pk=consultation_round.pk).matrix_published_at is None
    _comment_later(demo, consultation_round)  # MEF and MoH comment after the attempt
    matrix = reverse("workflows:matrix", args=[process.pk, consultation_round.number])
    status, body = _page(client, demo["reviewer-moh"], matrix)
    assert status == 200
    assert MOH_COMMENT in body and MEF_COMMENT not in body


def test_once_the_round_is_closed_and_answered_the_director_publishes(demo, instrument, client):
    process, consultation_round = _consulted(demo, instrument)
    _answered(demo, process, consultation_round)
    client.force_login(demo["director"])
    client.post(reverse("workflows:matrix_publish", args=[process.pk, 1]))
    assert ConsultationRound.objects.get(pk=consultation_round.pk).matrix_published_at


# --- Item 7: what a reviewer sees -------------------------------------------------------


def test_before_publication_a_reviewer_sees_neither_the_answers_nor_the_working_draft(
    demo, instrument, client
):
    process, consultation_round = _consulted(demo, instrument)
    _answered(demo, process, consultation_round)
    matrix = reverse("workflows:matrix", args=[process.pk, 1])

    status, body = _page(client, demo["reviewer-mef"], matrix)
    assert status == 200 and MEF_COMMENT in body
    assert ANSWER not in body and NEW_TEXT not in body and MOH_COMMENT not in body
    _status, body = _page(client, demo["drafter"], matrix)
    assert ANSWER in body and NEW_TEXT in body

    # Published: the answers and the others' comments, but still not the unsent draft ...
    services.matrix_publish(consultation_round=consultation_round, user=demo["director"])
    _status, body = _page(client, demo["reviewer-mef"], matrix)
    assert ANSWER in body and MOH_COMMENT in body and NEW_TEXT not in body
    rows = client.get(matrix).context["rows"]
    assert [row["changes"] for row in rows] == [[], []]  # not "a provision since deleted"
    # ... until the consolidated text is frozen.
    act(
        open_task(process, ApprovalFlow.consolidate),
        demo["drafter"],
        services.consolidation_finish,
        next_step=NextStep.LEGAL,
    )
    _status, body = _page(client, demo["reviewer-mef"], matrix)
    assert NEW_TEXT in body


def test_a_reviewers_process_page_shows_their_consultation_and_no_internal_record(
    demo, instrument, client
):
    process, consultation_round = _consulted(demo, instrument)
    url = reverse("workflows:instrument_process", args=[instrument.pk])
    chief = demo["chief"].get_full_name()

    status, body = _page(client, demo["reviewer-mef"], url)
    assert status == 200
    assert RETURN_REASON not in body and chief not in body
    assert demo["reviewer-moh"].organisation.name not in body  # the other ministry consulted
    assert reverse("workflows:matrix", args=[process.pk, 1]) in body
    _status, body = _page(client, demo["drafter"], url)
    assert RETURN_REASON in body and chief in body


def test_a_consulted_organisations_head_sees_no_process_page(demo, instrument, client):
    process, _round = _consulted(demo, instrument)
    for url in (
        reverse("workflows:instrument_process", args=[instrument.pk]),
        reverse("workflows:matrix", args=[process.pk, 1]),
    ):
        status, body = _page(client, demo["head-mef"], url)
        assert status in (403, 404) and MEF_COMMENT not in body


def test_viewflow_shows_a_reviewer_only_their_own_organisations_tasks(demo, instrument, client):
    process, consultation_round = _consulted(demo, instrument)
    chief_task = process.task_set.filter(flow_task=ApprovalFlow.chief_review).first()
    reviews = {
        task.data["organisation_id"]: task
        for task in open_tasks(process, ApprovalFlow.organisation_review)
    }
    own, other = reviews[_org(demo, "mef")], reviews[_org(demo, "moh")]

    def detail(task):
        return task.flow_task.reverse("detail", args=[process.pk, task.pk])

    reviewer = demo["reviewer-mef"]
    assert _page(client, reviewer, detail(own))[0] == 200
    for task in (chief_task, other):
        status, body = _page(client, reviewer, detail(task))
        assert status == 403 and RETURN_REASON not in body
        assert (
            _page(client, reviewer, task.flow_task.reverse("index", args=[process.pk, task.pk]))[0]
            == 403
        )

    status, body = _page(
        client, reviewer, ApprovalFlow.instance.reverse("process_detail", args=[process.pk])
    )
    assert status == 200
    assert f"/{own.pk}/" in body and f"/{other.pk}/" not in body
    assert demo["chief"].get_full_name() not in body
    assert demo["reviewer-moh"].get_full_name() not in body
    for name in ("task_list", "index"):
        _status, body = _page(client, reviewer, ApprovalFlow.instance.reverse(name))
        assert f"/{chief_task.pk}/" not in body and f"/{other.pk}/" not in body

    _status, body = _page(
        client, demo["drafter"], ApprovalFlow.instance.reverse("process_detail", args=[process.pk])
    )
    assert f"/{other.pk}/" in body and demo["chief"].get_full_name() in body
