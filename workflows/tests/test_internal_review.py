"""The internal-review part of the approval process, driven through its service layer."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from viewflow.workflow.status import STATUS

from documents.models import Instrument, InstrumentType
from organisations.models import Organisation
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import Decision


@pytest.fixture
def instrument(demo):
    return Instrument.objects.create(
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារគ្រប់គ្រងសាលាបឋមសិក្សា",
        title_en="Sub-decree on the transfer of primary school management",
        owning_office=Organisation.objects.get(code="dfr-fr"),
        lead_drafter=demo["drafter"],
    )


def open_task(process, node):
    return process.task_set.get(flow_task=node, status__in=[STATUS.NEW, STATUS.ASSIGNED])


def decide(task, user, decision, reason=""):
    task.flow_task.flow_class.task_class.objects.filter(pk=task.pk).update(
        owner=user, status=STATUS.ASSIGNED
    )
    with services.task_activation(task=task, user=user) as activation:
        services.review_decide(activation=activation, user=user, decision=decision, reason=reason)


def test_only_a_drafter_of_the_instrument_can_submit_it(demo, instrument):
    with pytest.raises(PermissionDenied):
        services.process_start(instrument=instrument, user=demo["chief"])


def test_chief_then_director_approve(demo, instrument):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    instrument.refresh_from_db()
    assert instrument.status == Instrument.Status.INTERNAL_REVIEW

    decide(open_task(process, ApprovalFlow.chief_review), demo["chief"], Decision.APPROVE)
    decide(open_task(process, ApprovalFlow.director_review), demo["director"], Decision.APPROVE)

    process.refresh_from_db()
    instrument.refresh_from_db()
    assert process.status == STATUS.DONE
    assert instrument.status == Instrument.Status.CONSULTATION


def test_a_return_loops_back_to_the_drafter_with_the_reason(demo, instrument):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    decide(
        open_task(process, ApprovalFlow.chief_review),
        demo["chief"],
        Decision.RETURN,
        "មាត្រា ៣ មិនច្បាស់",
    )

    revise = open_task(process, ApprovalFlow.revise)
    assert revise.owner == demo["drafter"]
    instrument.refresh_from_db()
    assert instrument.status == Instrument.Status.DRAFT
    process.refresh_from_db()
    assert process.last_reason == "មាត្រា ៣ មិនច្បាស់"

    with services.task_activation(task=revise, user=demo["drafter"]) as activation:
        services.draft_resubmit(activation=activation, user=demo["drafter"], note="កែរួច")
    assert open_task(process, ApprovalFlow.chief_review)
    instrument.refresh_from_db()
    assert instrument.status == Instrument.Status.INTERNAL_REVIEW


def test_a_user_who_does_not_hold_the_task_cannot_complete_it(demo, instrument):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    task = open_task(process, ApprovalFlow.chief_review)
    with (
        pytest.raises(PermissionDenied),
        services.task_activation(task=task, user=demo["reviewer-mef"]),
    ):
        pass


def test_the_chief_sees_the_review_in_the_queue_and_the_reviewer_does_not(demo, instrument, client):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    task = open_task(process, ApprovalFlow.chief_review)
    link = f"#{process.pk}/{task.pk}"
    client.force_login(demo["chief"])
    assert link in client.get(reverse("workflow:queue")).content.decode()
    client.force_login(demo["reviewer-mef"])
    assert link not in client.get(reverse("workflow:queue")).content.decode()


def test_returning_without_a_reason_is_refused_in_the_users_language():
    from django.utils import translation

    from workflows.forms import ReviewDecisionForm

    with translation.override("en"):
        form = ReviewDecisionForm(data={"decision": Decision.RETURN, "reason": " "})
        assert not form.is_valid()
        assert form.errors["reason"] == ["Say why the draft is returned."]
