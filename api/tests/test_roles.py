"""Each role's view of each resource: internal staff see the whole record; a ministry reviewer
only what was sent to their ministry (never the working draft, the audit trail, internal
steps, another ministry's part); anyone else nothing."""

import pytest

from workflows import services
from workflows.models import Consultation

INTERNAL = ["drafter", "chief", "director", "legal", "dg", "registry", "admin"]
NOBODY = ["reviewer-ncdd", "head-mef", "deputy-dg"]  # not consulted; no role; no role of own


@pytest.fixture
def state(demo, consulting):
    process, consultation_round = consulting
    mef = Consultation.objects.get(round=consultation_round, organisation__code="mef")
    moh = Consultation.objects.get(round=consultation_round, organisation__code="moh")
    article = next(
        p for p in consultation_round.version.snapshot["provisions"] if p["kind"] == "article"
    )
    for consultation, username in [(mef, "reviewer-mef"), (moh, "reviewer-moh")]:
        services.comment_add(
            consultation=consultation,
            user=demo[username],
            text=f"មតិរបស់ {consultation.organisation.code}",
            provision_uid=article["uid"],
        )
    sent = consultation_round.version
    earlier = process.instrument.versions.exclude(pk=sent.pk).get()  # frozen on submission
    return {
        "process": process,
        "instrument": process.instrument,
        "mef": mef,
        "moh": moh,
        "sent": sent,
        "earlier": earlier,
    }


def ids(response):
    assert response.status_code == 200, response.content
    return [item.get("id", item.get("comment")) for item in response.json()["results"]]


def urls(state):
    i, p = state["instrument"].pk, state["process"].pk
    return {
        "instrument": f"/api/v1/instruments/{i}/",
        "text": f"/api/v1/instruments/{i}/text/",
        "schedule": f"/api/v1/instruments/{i}/schedule/",
        "audit": f"/api/v1/instruments/{i}/audit/",
        "sent": f"/api/v1/instruments/{i}/versions/{state['sent'].pk}/",
        "earlier": f"/api/v1/instruments/{i}/versions/{state['earlier'].pk}/",
        "compare": f"/api/v1/instruments/{i}/compare/?a={state['earlier'].pk}&b=draft",
        "process": f"/api/v1/processes/{p}/",
        "tasks": f"/api/v1/processes/{p}/tasks/",
        "rounds": f"/api/v1/processes/{p}/rounds/",
        "matrix": f"/api/v1/processes/{p}/rounds/1/matrix/",
        "mef": f"/api/v1/consultations/{state['mef'].pk}/",
        "mef comments": f"/api/v1/consultations/{state['mef'].pk}/comments/",
        "moh": f"/api/v1/consultations/{state['moh'].pk}/",
        "moh comments": f"/api/v1/consultations/{state['moh'].pk}/comments/",
    }


@pytest.mark.parametrize("username", INTERNAL)
def test_internal_staff_see_the_whole_record(demo, state, api, username):
    client = api(username)
    for name, url in urls(state).items():
        assert client.get(url).status_code == 200, (name, url)
    [instrument] = client.get("/api/v1/instruments/").json()["results"]
    assert instrument["status"] == "consultation"
    assert instrument["lead_drafter"] == str(demo["drafter"])
    assert ids(client.get("/api/v1/consultations/")) == sorted(
        [state["mef"].pk, state["moh"].pk], reverse=True
    )
    versions = ids(client.get(f"/api/v1/instruments/{state['instrument'].pk}/versions/"))
    assert versions == [state["sent"].pk, state["earlier"].pk]
    matrix = client.get(urls(state)["matrix"]).json()["results"]
    assert {row["organisation"] for row in matrix} == {"mef", "moh"}
    steps = [t["step"] for t in client.get(urls(state)["tasks"]).json()["results"]]
    assert {"chief_review", "director_review", "plan_round"} <= set(steps)
    assert client.get(urls(state)["audit"]).json()["count"] > 0


def test_a_reviewer_sees_only_what_was_sent_to_their_ministry(demo, state, api):
    client = api("reviewer-mef")
    visible = {"instrument", "sent", "process", "tasks", "rounds", "matrix", "mef"}
    visible |= {"mef comments"}
    for name, url in urls(state).items():
        expected = 200 if name in visible else 404
        assert client.get(url).status_code == expected, (name, url)

    [instrument] = client.get("/api/v1/instruments/").json()["results"]
    assert instrument["title_km"] == state["instrument"].title_km
    assert instrument["status"] is None  # the internal step is not theirs to see
    assert instrument["lead_drafter"] is None
    assert instrument["owning_office"] is None
    for status in ["consultation", "draft"]:  # nor told by filtering on it
        assert ids(client.get(f"/api/v1/instruments/?status={status}")) == []
    assert ids(client.get("/api/v1/consultations/")) == [state["mef"].pk]
    versions = client.get(f"/api/v1/instruments/{state['instrument'].pk}/versions/")
    assert ids(versions) == [state["sent"].pk]
    assert versions.json()["results"][0]["created_by"] is None

    [task] = client.get(urls(state)["tasks"]).json()["results"]
    assert task["id"] == state["mef"].task_id
    assert task["organisation"] == "mef"
    [round_] = client.get(urls(state)["rounds"]).json()["results"]
    assert round_["consultations"] == [state["mef"].pk]

    matrix = client.get(urls(state)["matrix"]).json()["results"]
    assert [row["organisation"] for row in matrix] == ["mef"]
    assert matrix[0]["disposition"] is None and matrix[0]["response"] is None
    [comment] = client.get(urls(state)["mef comments"]).json()["results"]
    assert comment["text"] == "មតិរបស់ mef"
    assert ids(client.get("/api/v1/tasks/mine/")) == [state["mef"].task_id]
    # The other ministry's part of the same round, not even by its comment's id.
    moh_comment = state["moh"].comments.get()
    assert client.delete(f"/api/v1/comments/{moh_comment.pk}/").status_code == 404
    assert state["moh"].comments.exists()


@pytest.mark.parametrize("username", NOBODY)
def test_anyone_else_sees_nothing(demo, state, api, username):
    client = api(username)
    for name, url in urls(state).items():
        assert client.get(url).status_code == 404, (name, url)
    for name in ["instruments", "processes", "consultations", "tasks/mine"]:
        assert ids(client.get(f"/api/v1/{name}/")) == [], name
    versions = client.get(f"/api/v1/instruments/{state['instrument'].pk}/versions/")
    assert ids(versions) == []


def test_my_tasks_follow_the_queue_and_the_inbox(demo, state, api):
    assert ids(api("reviewer-moh").get("/api/v1/tasks/mine/")) == [state["moh"].task_id]
    assert ids(api("drafter").get("/api/v1/tasks/mine/")) == []  # nothing waits for them now
    assert ids(api("head-mef").get("/api/v1/tasks/mine/")) == []


def test_a_comment_is_deleted_by_its_author_only_while_open(demo, state, api):
    comment = state["mef"].comments.get()
    assert api("drafter").delete(f"/api/v1/comments/{comment.pk}/").status_code == 403
    assert api("reviewer-mef").delete(f"/api/v1/comments/{comment.pk}/").status_code == 204
    assert not state["mef"].comments.exists()
