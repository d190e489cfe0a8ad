"""What people write in the process (comments, reasons, answers, remarks, reference numbers)
is stored as typed and shown escaped (issue 9, item 9)."""

from datetime import date

import pytest
from django.urls import reverse

from documents.models import Instrument
from documents.tests.test_text_as_typed import (
    COMPARISON,
    COMPARISON_SHOWN,
    ENTITY,
    ENTITY_SHOWN,
    MARKUP,
    MARKUP_SHOWN,
)
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import Comment, Consultation, Position

from .conftest import act, open_round, open_task
from .test_journey import answer_round, review_task_of, through_internal_review
from .test_pages import execute_url, in_consultation, take
from .test_registry import signed

__all__ = ["in_consultation"]  # a fixture

ZWSP = "\u200b"


def shown(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode().replace(ZWSP, "")


@pytest.mark.parametrize(
    ("typed", "escaped"), [(COMPARISON, COMPARISON_SHOWN), (ENTITY, ENTITY_SHOWN)]
)
def test_a_comment_is_stored_as_typed_and_shown_escaped(
    demo, in_consultation, client, typed, escaped
):
    open_round(demo, in_consultation, ("mef",))
    task = review_task_of(in_consultation, "mef")
    consultation = Consultation.objects.get(task=task)
    client.force_login(demo["reviewer-mef"])
    take(client, task)
    response = client.post(
        reverse("workflows:comment_add", args=[consultation.pk]),
        {"text": typed},
        HTTP_REFERER=execute_url(task),
    )
    assert response.status_code == 302
    assert consultation.comments.get().text == typed
    # And through the service, as typed too.
    services.comment_add(consultation=consultation, user=demo["reviewer-mef"], text=MARKUP)
    assert consultation.comments.filter(text=MARKUP).exists()
    page = shown(client.get(execute_url(task)))
    assert escaped in page and MARKUP_SHOWN in page
    assert "<script>alert(1)" not in page


def test_a_return_reason_is_stored_as_typed_and_shown_escaped(demo, instrument, client):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    task = open_task(process, ApprovalFlow.chief_review)
    client.force_login(demo["chief"])
    take(client, task)
    response = client.post(execute_url(task), {"decision": "return", "reason": COMPARISON})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.data["reason"] == COMPARISON
    client.force_login(demo["drafter"])
    page = shown(client.get(reverse("workflows:instrument_process", args=[instrument.pk])))
    assert COMPARISON_SHOWN in page
    revise = open_task(process, ApprovalFlow.revise)
    assert COMPARISON_SHOWN in shown(client.get(execute_url(revise)))


def test_a_sign_off_reason_is_stored_as_typed(demo, instrument):
    from workflows.models import NextStep, SignOffDecision

    from .test_journey import consolidate, legal_then_dg

    process = through_internal_review(demo, instrument)
    consultation_round = open_round(demo, process)
    answer_round(demo, process, consultation_round, comment=False)
    consolidate(demo, process, NextStep.LEGAL)
    legal_then_dg(demo, process, SignOffDecision.RETURN, COMPARISON)
    task = process.task_set.filter(flow_task=ApprovalFlow.sign_off).get()
    assert task.data["reason"] == COMPARISON


def test_remarks_and_answers_are_stored_as_typed_and_shown_escaped(demo, in_consultation, client):
    consultation_round = open_round(demo, in_consultation, ("mef",))
    consultation = Consultation.objects.get(round=consultation_round)
    task = review_task_of(in_consultation, "mef")
    services.comment_add(consultation=consultation, user=demo["reviewer-mef"], text="សូមកែ")
    client.force_login(demo["reviewer-mef"])
    take(client, task)
    response = client.post(execute_url(task), {"position": Position.COMMENTS, "remarks": MARKUP})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.remarks == MARKUP

    comment = Comment.objects.get(consultation=consultation)
    client.force_login(demo["drafter"])
    response = client.post(
        reverse("workflows:comment_respond", args=[comment.pk]),
        {"disposition": "accepted", "response": COMPARISON, "lock_version": 0},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.response == COMPARISON
    matrix = reverse("workflows:matrix", args=[in_consultation.pk, 1])
    page = shown(client.get(matrix))
    assert COMPARISON_SHOWN in page
    assert "x<y" not in page


def test_a_reference_number_is_stored_as_typed_and_shown_escaped(demo, instrument, client):
    number = "លេខ ០១ <A> អនក.បក"
    act(
        signed(demo, instrument),
        demo["registry"],
        services.instrument_register,
        reference_number=f"  {number} ",
        registered_on=date(2026, 11, 25),
    )
    assert Instrument.objects.get(pk=instrument.pk).reference_number == number
    client.force_login(demo["drafter"])
    page = shown(client.get(reverse("workflows:instrument_process", args=[instrument.pk])))
    assert "លេខ ០១ &lt;A&gt; អនក.បក" in page
