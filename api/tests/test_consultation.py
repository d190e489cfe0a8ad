"""A ministry reviewer's whole consultation through the API: read the version sent, comment
on an article, give the position; the process then moves on as it does from the review page."""

from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext

from documents.models import Instrument
from organisations.services import delegation_create
from workflows.flows import ApprovalFlow
from workflows.models import AuditEntry, Comment, Consultation
from workflows.tests.conftest import open_task


def test_a_reviewer_consults_through_the_api_and_the_process_moves_on(demo, consulting, api):
    process, consultation_round = consulting
    mef = api("reviewer-mef")

    [consultation] = mef.get("/api/v1/consultations/").json()["results"]
    assert consultation["organisation"] == "mef"
    assert consultation["position"] == ""
    assert consultation["version"] == consultation_round.version_id

    version = mef.get(
        f"/api/v1/instruments/{consultation['instrument']}/versions/{consultation['version']}/"
    )
    assert version.status_code == 200
    article = next(p for p in version.json()["provisions"] if p["kind"] == "article")
    assert article["label"] == "មាត្រា ១"  # computed, in the reviewer's language (Khmer)

    response = mef.post(
        f"/api/v1/consultations/{consultation['id']}/comments/",
        {"text": "សូមបញ្ជាក់ពាក្យ «មុខងារ» ក្នុងមាត្រានេះ។", "provision_uid": article["uid"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    comment = response.json()
    assert comment["provision"] == "មាត្រា ១"
    assert comment["author"] == str(demo["reviewer-mef"])
    assert comment["disposition"] is None  # the answers are not the reviewer's to see yet
    stored = Comment.objects.get(pk=comment["id"])
    assert stored.provision_label == "article:1"
    assert stored.author == demo["reviewer-mef"]

    listed = mef.get(f"/api/v1/consultations/{consultation['id']}/comments/").json()
    assert [c["id"] for c in listed["results"]] == [comment["id"]]

    response = mef.post(
        f"/api/v1/consultations/{consultation['id']}/position/",
        {"position": "comments", "remarks": "សូមពិនិត្យ"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["position"] == "comments"
    assert response.json()["answered_by"] == str(demo["reviewer-mef"])

    # The consultation task is done, recorded as from the page: the same service's audit.
    mef_consultation = Consultation.objects.select_related("task").get(pk=consultation["id"])
    assert mef_consultation.task.status == "DONE"
    assert mef_consultation.task.owner == demo["reviewer-mef"]
    entry = AuditEntry.objects.get(action="consultation_answered", task=mef_consultation.task)
    assert entry.actor == demo["reviewer-mef"]
    assert entry.detail == {"organisation": "mef", "position": "comments", "round": 1}

    # Once answered, nothing more changes.
    again = mef.post(
        f"/api/v1/consultations/{consultation['id']}/comments/", {"text": "x"}, format="json"
    )
    assert again.status_code == 400

    # The other ministry answers too: the join fires, the round closes, consolidation opens.
    moh = api("reviewer-moh")
    [moh_consultation] = moh.get("/api/v1/consultations/").json()["results"]
    response = moh.post(
        f"/api/v1/consultations/{moh_consultation['id']}/position/",
        {"position": "no_objection"},
        format="json",
    )
    assert response.status_code == 200, response.content
    consultation_round.refresh_from_db()
    assert consultation_round.closed_at is not None
    process.instrument.refresh_from_db()
    assert process.instrument.status == Instrument.Status.CONSOLIDATION
    assert open_task(process, ApprovalFlow.consolidate).owner == demo["drafter"]

    # The drafter sees the comment, to answer it in consolidation, with the matrix.
    drafter = api("drafter")
    matrix = drafter.get(f"/api/v1/processes/{process.pk}/rounds/1/matrix/").json()
    assert [row["comment"] for row in matrix["results"]] == [comment["id"]]
    assert matrix["results"][0]["provision"] == "មាត្រា ១"
    tasks = drafter.get("/api/v1/tasks/mine/").json()["results"]
    assert [t["step"] for t in tasks] == ["consolidate"]


def test_a_position_that_needs_remarks_is_refused_and_changes_nothing(demo, consulting, api):
    _process, consultation_round = consulting
    mef = api("reviewer-mef")
    consultation = Consultation.objects.get(round=consultation_round, organisation__code="mef")
    response = mef.post(
        f"/api/v1/consultations/{consultation.pk}/position/",
        {"position": "objection", "remarks": ""},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    with translation.override("km"):
        expected = gettext("Say what your organisation objects to.")
    assert expected != "Say what your organisation objects to."  # the reviewer reads Khmer
    assert body["errors"] == {"remarks": [expected]}
    assert body["detail"] == expected
    consultation.refresh_from_db()
    assert consultation.answered_at is None
    assert consultation.task.status != "DONE"


def test_a_reviewer_of_another_ministry_sees_404(demo, consulting, api):
    process, consultation_round = consulting
    mef_consultation = Consultation.objects.get(round=consultation_round, organisation__code="mef")
    instrument = process.instrument
    version = consultation_round.version_id
    ncdd = api("reviewer-ncdd")  # not consulted
    for url in [
        f"/api/v1/instruments/{instrument.pk}/",
        f"/api/v1/instruments/{instrument.pk}/versions/{version}/",
        f"/api/v1/instruments/{instrument.pk}/compare/?a={version}&b={version}",
        f"/api/v1/processes/{process.pk}/",
        f"/api/v1/processes/{process.pk}/tasks/",
        f"/api/v1/processes/{process.pk}/rounds/",
        f"/api/v1/processes/{process.pk}/rounds/1/matrix/",
        f"/api/v1/consultations/{mef_consultation.pk}/",
        f"/api/v1/consultations/{mef_consultation.pk}/comments/",
    ]:
        response = ncdd.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    for url, body in [
        (f"/api/v1/consultations/{mef_consultation.pk}/comments/", {"text": "x"}),
        (f"/api/v1/consultations/{mef_consultation.pk}/position/", {"position": "no_objection"}),
    ]:
        assert ncdd.post(url, body, format="json").status_code == 404, url
    for name in ["instruments", "processes", "consultations", "tasks/mine"]:
        assert ncdd.get(f"/api/v1/{name}/").json()["results"] == [], name

    # The Ministry of Health, consulted in the same round, does not see the MEF's part.
    moh = api("reviewer-moh")
    assert moh.get(f"/api/v1/consultations/{mef_consultation.pk}/").status_code == 404
    assert (
        moh.post(
            f"/api/v1/consultations/{mef_consultation.pk}/position/",
            {"position": "no_objection"},
            format="json",
        ).status_code
        == 404
    )
    mef_consultation.refresh_from_db()
    assert mef_consultation.answered_at is None


def test_a_colleague_acting_for_the_away_reviewer_answers_through_the_api(demo, consulting, api):
    """A delegation works the same through the API as on the page: the colleague sees the
    consultation, answers it, and the record says for whom."""
    _process, consultation_round = consulting
    head = api("head-mef")
    assert head.get("/api/v1/consultations/").json()["results"] == []  # no role of their own
    today = timezone.localdate()
    delegation_create(
        delegator=demo["reviewer-mef"],
        delegate=demo["head-mef"],
        starts_on=today,
        ends_on=today + timedelta(days=5),
        reason="បេសកកម្ម",
    )
    [consultation] = head.get("/api/v1/consultations/").json()["results"]
    assert consultation["organisation"] == "mef"
    assert [t["id"] for t in head.get("/api/v1/tasks/mine/").json()["results"]] == [
        consultation["task"]
    ]
    response = head.post(
        f"/api/v1/consultations/{consultation['id']}/position/",
        {"position": "no_objection"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["answered_by"] == str(demo["head-mef"])
    assert response.json()["acting_for"] == str(demo["reviewer-mef"])
    entry = AuditEntry.objects.get(action="consultation_answered")
    assert (entry.actor, entry.acting_for) == (demo["head-mef"], demo["reviewer-mef"])
    assert consultation_round.consultations.get(organisation__code="mef").answered_at
