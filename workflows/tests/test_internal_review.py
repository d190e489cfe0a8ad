"""The internal-review part of the approval process, driven through its service layer."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from documents.models import Instrument, Version
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import AuditEntry, Decision

from .conftest import act, open_task


def test_only_a_drafter_of_the_instrument_can_submit_it(demo, instrument):
    with pytest.raises(PermissionDenied):
        services.process_start(instrument=instrument, user=demo["chief"])


def test_submitting_freezes_a_version(demo, instrument):
    services.process_start(instrument=instrument, user=demo["drafter"])
    version = Version.objects.get(instrument=instrument)
    assert version.reason == Version.Reason.SUBMITTED


def test_chief_then_director_approve_and_the_drafter_plans_consultation(demo, instrument):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    instrument.refresh_from_db()
    assert instrument.status == Instrument.Status.INTERNAL_REVIEW

    act(
        open_task(process, ApprovalFlow.chief_review),
        demo["chief"],
        services.review_decide,
        decision=Decision.APPROVE,
        reason="",
    )
    act(
        open_task(process, ApprovalFlow.director_review),
        demo["director"],
        services.review_decide,
        decision=Decision.APPROVE,
        reason="",
    )

    assert open_task(process, ApprovalFlow.plan_round).owner == demo["drafter"]
    instrument.refresh_from_db()
    assert instrument.status == Instrument.Status.CONSULTATION
    actions = list(
        AuditEntry.objects.filter(instrument=instrument).values_list("action", flat=True)
    )
    assert actions == ["director_review.approve", "chief_review.approve", "submitted"]


def test_a_return_loops_back_to_the_drafter_with_the_reason(demo, instrument, client):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    act(
        open_task(process, ApprovalFlow.chief_review),
        demo["chief"],
        services.review_decide,
        decision=Decision.RETURN,
        reason="មាត្រា ៣ មិនច្បាស់",
    )

    revise = open_task(process, ApprovalFlow.revise)
    assert revise.owner == demo["drafter"]
    instrument.refresh_from_db()
    assert instrument.status == Instrument.Status.DRAFT
    # The drafter's page for the step says who returned the draft, and why.
    client.force_login(demo["drafter"])
    page = client.get(revise.flow_task.reverse("execute", args=[process.pk, revise.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "មាត្រា ៣ មិនច្បាស់" in text and str(demo["chief"]) in text
    assert instrument.title_km in text

    act(revise, demo["drafter"], services.draft_resubmit, note="កែរួច")
    chief_review = open_task(process, ApprovalFlow.chief_review)
    # The chief's page for the resubmitted draft is not a return: nothing of the kind on it.
    client.force_login(demo["chief"])
    client.post(chief_review.flow_task.reverse("assign", args=[process.pk, chief_review.pk]))
    page = client.get(chief_review.flow_task.reverse("execute", args=[process.pk, chief_review.pk]))
    assert page.status_code == 200
    # No return notice; the chief's own earlier decision stays in the decisions so far only.
    text = page.content.decode()
    assert "lekhit-returned" not in text
    assert "មាត្រា ៣ មិនច្បាស់" not in text.replace(
        text[text.index('class="lekhit-card lekhit-decisions"') :].split("</section>")[0], ""
    )
    instrument.refresh_from_db()
    assert instrument.status == Instrument.Status.INTERNAL_REVIEW


def test_a_user_without_the_role_cannot_take_the_task(demo, instrument):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    task = open_task(process, ApprovalFlow.chief_review)
    for username in ["drafter", "director", "reviewer-mef", "dg"]:
        with pytest.raises(PermissionDenied):
            act(task, demo[username], services.review_decide, decision=Decision.APPROVE, reason="")


def test_the_chief_sees_the_review_in_the_inbox_and_the_reviewer_does_not(demo, instrument, client):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    task = open_task(process, ApprovalFlow.chief_review)
    link = f"/{process.pk}/chief_review/{task.pk}/"
    client.force_login(demo["chief"])
    assert link in client.get(reverse("workflow:inbox")).content.decode()
    client.force_login(demo["reviewer-mef"])
    for listing in ("workflow:inbox", "workflow:queue"):
        assert link not in client.get(reverse(listing)).content.decode()


def test_returning_without_a_reason_is_refused_in_the_users_language():
    from django.utils import translation

    from workflows.forms import ReviewDecisionForm

    with translation.override("en"):
        form = ReviewDecisionForm(data={"decision": Decision.RETURN, "reason": " "})
        assert not form.is_valid()
        assert form.errors["reason"] == ["Say why the draft is returned."]
