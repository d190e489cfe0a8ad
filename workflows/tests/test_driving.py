"""``workflows.driving``: the one way tests, the demo and the benchmarks take a step."""

import pytest
from django.core.exceptions import MultipleObjectsReturned, PermissionDenied
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from organisations.models import Organisation
from workflows import services
from workflows.driving import STEP_SERVICES, drive, open_task, open_tasks
from workflows.flows import ApprovalFlow
from workflows.models import AuditEntry, Position

from .conftest import open_round

pytestmark = pytest.mark.django_db


def test_drive_takes_and_completes_the_step_as_its_page_does(demo, instrument):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    task = open_task(process, "chief_review")

    drive(process, "chief_review", demo["chief"], decision="approve", reason="")

    task.refresh_from_db()
    assert (task.status, task.owner) == (STATUS.DONE, demo["chief"])
    assert AuditEntry.objects.filter(process=process, action="chief_review.approve").exists()
    # The next step is meant for one person, the department's director: theirs at once.
    director_review = open_task(process, ApprovalFlow.director_review)
    assert (director_review.status, director_review.owner) == (STATUS.ASSIGNED, demo["director"])


def test_drive_refuses_whom_the_page_refuses(demo, instrument):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    with pytest.raises(PermissionDenied):
        drive(process, "chief_review", demo["reviewer-mef"], decision="approve", reason="")
    assert open_task(process, "chief_review").status == STATUS.ASSIGNED


def test_a_step_of_several_tasks_is_told_which_by_the_tasks_data(demo, instrument):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    for step, username in [("chief_review", "chief"), ("director_review", "director")]:
        drive(process, step, demo[username], decision="approve", reason="")
    open_round(demo, process, ("mef", "moh"))
    assert len(open_tasks(process, "organisation_review")) == 2
    with pytest.raises(MultipleObjectsReturned):
        drive(process, "organisation_review", demo["reviewer-mef"], position=Position.COMMENTS)

    mef = Organisation.objects.get(code="mef")
    drive(
        process,
        "organisation_review",
        demo["reviewer-mef"],
        where={"organisation_id": mef.pk},
        position=Position.NO_OBJECTION,
    )

    (left,) = open_tasks(process, "organisation_review")
    assert left.data["organisation_id"] == Organisation.objects.get(code="moh").pk
    with pytest.raises(Task.DoesNotExist):
        open_task(process, "organisation_review", organisation_id=mef.pk)


def test_every_human_step_of_the_flow_has_its_service():
    human = {node.name for node in ApprovalFlow.instance.nodes() if node.task_type == "HUMAN"}
    assert human == set(STEP_SERVICES)
