"""A sub-decree's whole journey, through the service layer, as the demo users."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from viewflow.workflow.status import STATUS

from documents.models import Instrument, Version
from documents.snapshots import snapshot_sha256
from organisations.models import Organisation
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import (
    Comment,
    Consultation,
    Decision,
    Disposition,
    NextStep,
    Position,
    SignOff,
    SignOffDecision,
)

from .conftest import act, drive, internal_approvals, open_round, open_task, open_tasks

REVIEWERS = {"mef": "reviewer-mef", "moh": "reviewer-moh", "ncdd-s": "reviewer-ncdd"}


def through_internal_review(demo, instrument):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    internal_approvals(demo, process)
    return process


def review_task_of(process, code):
    organisation = Organisation.objects.get(code=code)
    return next(
        task
        for task in open_tasks(process, ApprovalFlow.organisation_review)
        if task.data["organisation_id"] == organisation.pk
    )


def answer_round(demo, process, consultation_round, *, comment=True):
    article = next(
        p for p in consultation_round.version.snapshot["provisions"] if p["kind"] == "article"
    )
    for code, username in REVIEWERS.items():
        consultation = Consultation.objects.get(round=consultation_round, organisation__code=code)
        if comment:
            services.comment_add(
                consultation=consultation,
                user=demo[username],
                text=f"សូមកែសម្រួលពាក្យក្នុងមាត្រានេះ ({code})",
                provision_uid=article["uid"],
            )
        act(
            review_task_of(process, code),
            demo[username],
            services.consultation_answer,
            position=Position.COMMENTS if comment else Position.NO_OBJECTION,
            remarks="",
        )


def answer_every_comment(demo, process):
    for comment in services.unanswered_comments(process=process):
        services.comment_respond(
            comment=comment,
            user=demo["drafter"],
            disposition=Disposition.ACCEPTED,
            response="បានកែតាម",
        )


def consolidate(demo, process, next_step):
    """Every comment answered (those still without one), then the consolidation finished."""
    answer_every_comment(demo, process)
    act(
        open_task(process, ApprovalFlow.consolidate),
        demo["drafter"],
        services.consolidation_finish,
        next_step=next_step,
    )


def legal_then_dg(demo, process, decision, reason):
    """The legal reviewer approves, then the director-general decides."""
    act(
        open_task(process, ApprovalFlow.legal_review),
        demo["legal"],
        services.review_decide,
        decision=Decision.APPROVE,
        reason="",
    )
    act(
        open_task(process, ApprovalFlow.sign_off),
        demo["dg"],
        services.sign_off_decide,
        decision=decision,
        reason=reason,
    )


def test_two_rounds_a_return_by_the_dg_then_signature_and_registration(demo, instrument):
    process = through_internal_review(demo, instrument)

    first = open_round(demo, process)
    assert first.deadline > first.opened_at.date()
    assert len(open_tasks(process, ApprovalFlow.organisation_review)) == 3
    answer_round(demo, process, first)
    first.refresh_from_db()
    assert first.closed_at is not None
    assert Comment.objects.filter(consultation__round=first).count() == 3
    instrument.refresh_from_db()
    assert instrument.status == Instrument.Status.CONSOLIDATION

    with pytest.raises(ValidationError):  # every comment needs an answer first
        act(
            open_task(process, ApprovalFlow.consolidate),
            demo["drafter"],
            services.consolidation_finish,
            next_step=NextStep.ROUND,
        )
    consolidate(demo, process, NextStep.ROUND)

    second = open_round(demo, process, codes=("mef", "moh", "ncdd-s"))
    assert second.number == 2 and second.version.number > first.version.number
    answer_round(demo, process, second, comment=False)
    consolidate(demo, process, NextStep.LEGAL)

    legal_then_dg(demo, process, SignOffDecision.RETURN, "សូមពិនិត្យមាត្រា ២ ឡើងវិញ")
    instrument.refresh_from_db()
    assert instrument.status == Instrument.Status.CONSOLIDATION
    consolidate(demo, process, NextStep.LEGAL)
    # The revision of a draft the DG returned goes through the director before legal review.
    assert not open_tasks(process, ApprovalFlow.legal_review)
    drive(process, "director_review", demo["director"], decision="approve", reason="")
    legal_then_dg(demo, process, SignOffDecision.APPROVE, "")

    sign_off = SignOff.objects.get(process=process)
    assert sign_off.version.reason == Version.Reason.SIGNED
    assert sign_off.sha256 == snapshot_sha256(sign_off.version.snapshot)
    assert sign_off.signed_by == demo["dg"] and sign_off.acting_for is None

    register = open_task(process, ApprovalFlow.register)
    number = services.next_reference_number(instrument_type=instrument.instrument_type, year=2026)
    assert number == "លេខ ១ អនក.បក"  # Khmer digits, as the pattern is Khmer
    from datetime import date

    act(
        register,
        demo["registry"],
        services.instrument_register,
        reference_number=number,
        registered_on=date(2026, 11, 25),
    )
    instrument.refresh_from_db()
    process.refresh_from_db()
    assert instrument.status == Instrument.Status.REGISTERED
    assert instrument.reference_number == number
    assert process.status == STATUS.DONE

    # Each step is in the audit trail; the instrument's own history (the text timeline) keeps
    # its details: created, then numbered, not every status the process passed through.
    from workflows.models import AuditEntry

    entries = AuditEntry.objects.filter(process=process).order_by("pk")
    actions = list(entries.values_list("action", flat=True))
    assert actions[:3] == ["submitted", "chief_review.approve", "director_review.approve"]
    assert actions.count("round_opened") == 2 and actions[-1] == "registered"
    history = instrument.history.order_by("history_id")
    assert [(r.history_type, r.status) for r in history] == [
        ("+", Instrument.Status.DRAFT),
        ("~", Instrument.Status.REGISTERED),
    ]


def test_a_reviewer_cannot_act_for_another_organisation(demo, instrument):
    process = through_internal_review(demo, instrument)
    consultation_round = open_round(demo, process)
    moh = Consultation.objects.get(round=consultation_round, organisation__code="moh")
    with pytest.raises(PermissionDenied):
        services.comment_add(consultation=moh, user=demo["reviewer-mef"], text="x")
    with pytest.raises(PermissionDenied):
        act(
            review_task_of(process, "moh"),
            demo["reviewer-mef"],
            services.consultation_answer,
            position=Position.NO_OBJECTION,
        )


def test_the_dg_can_reject_and_that_ends_the_process(demo, instrument):
    process = through_internal_review(demo, instrument)
    consultation_round = open_round(demo, process, codes=("mef",))
    act(
        review_task_of(process, "mef"),
        demo["reviewer-mef"],
        services.consultation_answer,
        position=Position.NO_OBJECTION,
    )
    consolidate(demo, process, NextStep.LEGAL)
    legal_then_dg(demo, process, SignOffDecision.REJECT, "មិនស្របនឹងគោលនយោបាយ")
    instrument.refresh_from_db()
    process.refresh_from_db()
    assert instrument.status == Instrument.Status.REJECTED
    assert process.status == STATUS.DONE
    consultation_round.refresh_from_db()
    assert consultation_round.closed_at is not None


def test_silence_counts_as_no_objection_when_the_round_closes_at_its_deadline(demo, instrument):
    process = through_internal_review(demo, instrument)
    consultation_round = open_round(demo, process)
    act(
        review_task_of(process, "mef"),
        demo["reviewer-mef"],
        services.consultation_answer,
        position=Position.OBJECTION,
        remarks="មិនយល់ព្រម",
    )
    closed = services.round_close_unanswered(
        consultation_round=consultation_round, user=None, by="deadline"
    )
    assert closed == 2
    positions = dict(
        Consultation.objects.filter(round=consultation_round).values_list(
            "organisation__code", "position"
        )
    )
    assert positions == {"mef": "objection", "moh": "no_objection", "ncdd-s": "no_objection"}
    assert open_task(process, ApprovalFlow.consolidate)
