"""The consolidation page: each ministry's position and remarks beside its comments, and
answers saved in place (htmx) without reloading the page."""

import re

from django.urls import reverse

from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import Comment, Consultation, Disposition, Position

from .conftest import act, internal_approvals, open_round, open_task
from .test_page_queries import execute_url

HTMX = {"HTTP_HX_REQUEST": "true"}


def in_consolidation(demo, instrument):
    """MEF comments on the first article with comments as its position; MOH objects with
    remarks and no comment at all."""
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    internal_approvals(demo, process)
    consultation_round = open_round(demo, process, ("mef", "moh"))
    first = next(
        p for p in consultation_round.version.snapshot["provisions"] if p["kind"] == "article"
    )
    mef = Consultation.objects.get(round=consultation_round, organisation__code="mef")
    moh = Consultation.objects.get(round=consultation_round, organisation__code="moh")
    services.comment_add(
        consultation=mef, user=demo["reviewer-mef"], text="សូមបញ្ជាក់ថវិកា។", provision_uid=first["uid"]
    )
    for consultation, user, position, remarks in (
        (mef, "reviewer-mef", Position.COMMENTS, "ក្រសួងស្នើឲ្យពិនិត្យប្រភពថវិកា។"),
        (moh, "reviewer-moh", Position.OBJECTION, "មិនយល់ស្របលើកាលបរិច្ឆេទផ្ទេរ។"),
    ):
        act(
            open_task(process, ApprovalFlow.organisation_review, consultation_id=consultation.pk),
            demo[user],
            services.consultation_answer,
            position=position,
            remarks=remarks,
        )
    return process, first


def test_each_ministry_s_position_and_remarks_stand_beside_its_comments(demo, instrument, client):
    process, _first = in_consolidation(demo, instrument)
    client.force_login(demo["drafter"])
    body = client.get(execute_url(client, open_task(process, ApprovalFlow.consolidate))).content
    body = body.decode()
    sections = body.split('class="lekhit-card lekhit-consultation"')[1:]
    assert len(sections) == 2  # MOH too, though it made no comment
    mef, moh = sections
    assert "lekhit-position--comments" in mef and "ក្រសួងស្នើឲ្យពិនិត្យប្រភពថវិកា។" in mef
    assert "សូមបញ្ជាក់ថវិកា។" in mef  # its comment, under its position
    assert "lekhit-position--objection" in moh and "មិនយល់ស្របលើកាលបរិច្ឆេទផ្ទេរ។" in moh
    assert "សូមបញ្ជាក់ថវិកា។" not in moh
    # Naming the provisions changed: checkboxes, one click each, never a <select multiple>.
    assert '<select name="changed_provisions" multiple' not in body
    assert re.search(
        r'<input type="checkbox" name="changed_provisions" value="[0-9a-f-]{36}"', body
    )
    assert 'src="/static/js/lekhit-pick.js"' in body and "hx-post=" in body


def test_an_answer_saves_in_place_and_comes_back_as_its_form(demo, instrument, client):
    process, first = in_consolidation(demo, instrument)
    comment = Comment.objects.get(consultation__round__process=process)
    client.force_login(demo["drafter"])
    address = reverse("workflows:comment_respond", args=[comment.pk])
    answer = {
        "disposition": Disposition.ACCEPTED,
        "response": "បានបញ្ជាក់ក្នុងមាត្រា ១។",
        "changed_provisions": [first["uid"]],
        "lock_version": comment.lock_version,
    }
    response = client.post(address, answer, **HTMX)
    assert response.status_code == 200
    part = response.content.decode()
    assert "<html" not in part and part.lstrip().startswith("<form")  # the form, swapped in place
    assert "lekhit-answer-form--saved" in part and "ចម្លើយត្រូវបានរក្សាទុក។" in part
    comment.refresh_from_db()
    assert (comment.disposition, comment.response) == (Disposition.ACCEPTED, answer["response"])
    assert comment.changed_provisions == [first["uid"]]
    assert f'name="lock_version" value="{comment.lock_version}"' in part  # ready to save again
    assert f'value="{first["uid"]}" checked' in part

    # A stale form (someone saved in between): told, what was typed kept, nothing overwritten.
    stale = client.post(address, {**answer, "response": "ផ្សេង", "lock_version": 0}, **HTMX)
    part = stale.content.decode()
    assert "lekhit-answer-form--error" in part and "ផ្សេង" in part
    comment.refresh_from_db()
    assert comment.response == answer["response"]

    # No reason: refused, in place.
    empty = client.post(
        address, {**answer, "response": " ", "lock_version": comment.lock_version}, **HTMX
    )
    assert "lekhit-answer-form--error" in empty.content.decode()

    # Without scripts the same answer redirects back to the page.
    plain = client.post(address, {**answer, "lock_version": comment.lock_version})
    assert plain.status_code == 302
