"""Only a ministry's reviewers (or whoever a delegation lets act for one) speak for it.

``head-mef`` belongs to MEF and supervises its reviewer, but holds no role: they receive the
escalations, they do not comment or answer for MEF.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from organisations.models import User
from organisations.services import delegation_create
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import Comment, Consultation, Position
from workflows.tests.conftest import act, open_round, open_task
from workflows.tests.conftest import instrument as instrument  # noqa: F401 - the fixture


def answer_all(demo, process):
    """A one-ministry round (MEF), answered "no objection" by its reviewer."""
    open_round(demo, process, ("mef",))
    act(
        open_task(process, ApprovalFlow.organisation_review),
        demo["reviewer-mef"],
        services.consultation_answer,
        position=Position.NO_OBJECTION,
        remarks="",
    )


@pytest.fixture
def mef_consulted(demo, instrument):
    from workflows.tests.test_journey import through_internal_review

    process = through_internal_review(demo, instrument)
    open_round(demo, process, ("mef",))
    return process, Consultation.objects.get(round__process=process, organisation__code="mef")


def test_the_head_of_mef_cannot_comment_through_the_page(demo, client, mef_consulted):
    process, consultation = mef_consulted
    client.force_login(demo["head-mef"])
    response = client.post(
        reverse("workflows:comment_add", args=[consultation.pk]), {"text": "មតិរបស់ប្រធាន"}
    )
    assert response.status_code in {403, 404}
    assert not Comment.objects.exists()
    # Nor take or answer MEF's task through its pages.
    task = open_task(process, ApprovalFlow.organisation_review)
    for action in ("assign", "execute"):
        url = task.flow_task.reverse(action, args=[task.process_id, task.pk])
        response = client.post(url, {"position": Position.NO_OBJECTION})
        assert response.status_code in {403, 404}, action
    consultation.refresh_from_db()
    task.refresh_from_db()
    assert consultation.answered_at is None
    assert task.owner == demo["reviewer-mef"]  # still with MEF's reviewer, its one holder


def test_the_head_of_mef_cannot_comment_delete_or_answer_through_the_services(demo, mef_consulted):
    process, consultation = mef_consulted
    head = demo["head-mef"]
    with pytest.raises(PermissionDenied):
        services.comment_add(consultation=consultation, user=head, text="មតិរបស់ប្រធាន")
    comment = services.comment_add(
        consultation=consultation, user=demo["reviewer-mef"], text="មតិរបស់អ្នកពិនិត្យ"
    )
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=comment, user=head)
    task = open_task(process, ApprovalFlow.organisation_review)
    with pytest.raises(PermissionDenied):
        act(task, head, services.consultation_answer, position=Position.NO_OBJECTION)
    consultation.refresh_from_db()
    assert consultation.answered_at is None and Comment.objects.count() == 1

    # Once the reviewer names them (the Away page's service), the head acts for them.

    today = timezone.localdate()
    delegation_create(
        delegator=demo["reviewer-mef"], delegate=demo["head-mef"], starts_on=today, ends_on=today
    )
    head = User.objects.get(username="head-mef")
    comment = services.comment_add(consultation=consultation, user=head, text="ជំនួសអ្នកពិនិត្យ")
    assert comment.author == head
