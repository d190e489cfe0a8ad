"""A consulted ministry reads the transfer schedule of the version sent and comments on its
rows; the drafters see those comments, anchored to their row, in the matrix (and in
consolidation, which shows the same matrix rows)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from documents import services as documents
from organisations.models import Organisation
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import Comment, Consultation

from .conftest import internal_approvals, open_round, open_task
from .test_page_queries import execute_url


@pytest.fixture
def consulted(demo, instrument):
    """Two schedule rows in the version sent to MEF."""
    for n, code in enumerate(["moeys", "mef"]):
        documents.schedule_row_add(
            instrument=instrument,
            user=demo["drafter"],
            function_km=f"គ្រប់គ្រងសាលាបឋមសិក្សា {n}",
            from_ministry=Organisation.objects.get(code=code),
            level="district",
            staff_count=12,
            budget_riel=150_000_000,
        )
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    internal_approvals(demo, process)
    consultation_round = open_round(demo, process, ("mef",))
    consultation = Consultation.objects.get(round=consultation_round)
    return process, consultation, consultation_round.version.snapshot["schedule"]


def test_the_reviewer_reads_the_schedule_sent_and_comments_on_a_row(demo, consulted, client):
    process, consultation, rows = consulted
    client.force_login(demo["reviewer-mef"])
    page_url = execute_url(client, open_task(process, ApprovalFlow.organisation_review))
    body = client.get(page_url).content.decode()
    assert "គ្រប់គ្រងសាលាបឋមសិក្សា 0" in body and "គ្រប់គ្រងសាលាបឋមសិក្សា 1" in body
    assert "១៥០.០០០.០០០" in body or "១៥០,០០០,០០០" in body  # the budget, in Khmer digits
    assert f'name="schedule_row" value="{rows[1]["uid"]}"' in body

    response = client.post(
        reverse("workflows:comment_add", args=[consultation.pk]),
        {"text": "បុគ្គលិកមិនគ្រប់គ្រាន់។", "schedule_row": rows[1]["uid"]},
        HTTP_REFERER=page_url,
    )
    assert response.status_code == 302
    comment = Comment.objects.get(consultation=consultation)
    assert (str(comment.schedule_row_uid), comment.schedule_row_number) == (rows[1]["uid"], 2)
    assert comment.provision_uid is None
    body = client.get(page_url).content.decode()
    row_two = body.split(f'id="row-{rows[1]["uid"]}"')[1].split("</tbody>")[0]
    assert "បុគ្គលិកមិនគ្រប់គ្រាន់។" in row_two  # under its row, not with the whole text's
    whole = body.split("lekhit-review-schedule")[-1].split("</article>")[1]
    assert "បុគ្គលិកមិនគ្រប់គ្រាន់។" not in whole


def test_a_row_must_be_one_of_the_version_sent(demo, consulted):
    _process, consultation, rows = consulted
    with pytest.raises(ValidationError):
        services.comment_add(
            consultation=consultation,
            user=demo["reviewer-mef"],
            text="ក",
            schedule_row_uid="00000000-0000-0000-0000-000000000000",
        )
    article = next(
        p for p in consultation.round.version.snapshot["provisions"] if p["kind"] == "article"
    )
    with pytest.raises(ValidationError):
        services.comment_add(
            consultation=consultation,
            user=demo["reviewer-mef"],
            text="ក",
            provision_uid=article["uid"],
            schedule_row_uid=rows[0]["uid"],
        )


def test_the_matrix_names_the_row_a_comment_is_on(demo, consulted, client):
    process, consultation, rows = consulted
    services.comment_add(
        consultation=consultation,
        user=demo["reviewer-mef"],
        text="ថវិកាខុស។",
        schedule_row_uid=rows[0]["uid"],
    )
    client.force_login(demo["drafter"])
    matrix = client.get(reverse("workflows:matrix", args=[process.pk, 1])).content.decode()
    assert "តារាងផ្ទេរមុខងារ ជួរទី១" in matrix and "ថវិកាខុស។" in matrix
