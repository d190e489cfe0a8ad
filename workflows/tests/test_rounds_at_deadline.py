"""Rounds that close at their deadline; the director's decision; extending a deadline."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from viewflow.workflow.status import STATUS

from notifications.models import Notification
from organisations.models import Delegation
from tasks.models import Reminder
from tasks.services import deadlines_sweep
from tasks.tests.conftest import at, quiet_events  # noqa: F401 - autouse, below
from workflows.deadlines import deadline_extend
from workflows.flows import ApprovalFlow
from workflows.models import AuditEntry, Consultation, Position, SilenceRule
from workflows.tests.conftest import act, open_task
from workflows.tests.test_journey import review_task_of, through_internal_review

# The process's announcements are tested in notifications/tests/test_events.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet_events")]


def _round(demo, instrument, silence_rule):
    from organisations.models import Organisation
    from workflows import services

    with at(2026, 12, 7):
        process = through_internal_review(demo, instrument)
        consultation_round = act(
            open_task(process, ApprovalFlow.plan_round),
            demo["drafter"],
            services.round_plan,
            organisations=list(Organisation.objects.filter(code__in=["mef", "moh"])),
            working_days=5,
            silence_rule=silence_rule,
        )
        act(
            review_task_of(process, "mef"),
            demo["reviewer-mef"],
            services.consultation_answer,
            position=Position.COMMENTS,
            remarks="សូមពិនិត្យមាត្រា ១",
        )
    assert consultation_round.deadline == date(2026, 12, 14)
    return process, consultation_round


def test_a_silent_round_closes_itself_the_day_after_its_deadline(demo, instrument, jobs):
    process, consultation_round = _round(demo, instrument, SilenceRule.NO_OBJECTION)
    with at(2026, 12, 14, 23, 59):  # the last day to answer
        deadlines_sweep()
        assert "workflows.round_close" not in jobs.names()
        jobs.run()
    with at(2026, 12, 15, 0, 1):
        deadlines_sweep()
        assert jobs.names().count("workflows.round_close") == 1
        jobs.run()
        deadlines_sweep()  # the next sweep finds it closed
        assert "workflows.round_close" not in jobs.names()
    consultation_round.refresh_from_db()
    assert consultation_round.closed_at is not None
    moh = Consultation.objects.get(round=consultation_round, organisation__code="moh")
    assert (moh.position, moh.by_silence, moh.answered_by) == (Position.NO_OBJECTION, True, None)
    assert AuditEntry.objects.filter(action="consultation_closed", detail__by="deadline").exists()
    assert open_task(process, ApprovalFlow.consolidate)


def test_the_round_close_job_twice_closes_once(demo, instrument, jobs):
    from workflows.tasks import round_close

    _process, consultation_round = _round(demo, instrument, SilenceRule.NO_OBJECTION)
    with at(2026, 12, 15, 8):
        assert round_close(consultation_round.pk) == 1
        assert round_close(consultation_round.pk) == 0
    assert AuditEntry.objects.filter(action="round_closed").count() == 1


def test_a_round_left_to_the_director_is_handed_to_them_once(
    demo, instrument, jobs, mailoutbox, client
):
    process, consultation_round = _round(demo, instrument, SilenceRule.DIRECTOR)
    with at(2026, 12, 15, 8):
        deadlines_sweep()
        assert "workflows.round_close" not in jobs.names()
        jobs.run()
        deadlines_sweep()
        jobs.run()
    # The silent ministry's reviewer is told the consultation is overdue; the director, once,
    # that the round awaits a decision.
    assert sorted(m.to[0] for m in mailoutbox) == [
        "director@lekhit.example",
        "reviewer-moh@lekhit.example",
    ]
    (to_director,) = [m for m in mailoutbox if m.to == ["director@lekhit.example"]]
    assert "ជុំពិគ្រោះយោបល់ទី១" in to_director.subject
    assert "ក្រសួងសុខាភិបាល" in to_director.body  # the ministry that has not answered
    notification = Notification.objects.get(recipient=demo["director"])
    consultation_round.refresh_from_db()
    assert consultation_round.closed_at is None

    client.force_login(demo["director"])
    page = client.get(notification.url)
    assert page.status_code == 200
    response = client.post(notification.url)
    assert response.status_code == 302
    consultation_round.refresh_from_db()
    assert consultation_round.closed_at is not None
    moh = Consultation.objects.get(round=consultation_round, organisation__code="moh")
    assert moh.position == "" and moh.answered_by == demo["director"]
    assert open_task(process, ApprovalFlow.consolidate)


def test_only_a_director_decides_on_a_round(demo, instrument, client):
    _process, consultation_round = _round(demo, instrument, SilenceRule.DIRECTOR)
    client.force_login(demo["drafter"])
    url = reverse("deadlines:round_decide", args=[consultation_round.pk])
    assert client.post(url).status_code == 403


# --- Extending a deadline ------------------------------------------------------------------


@pytest.fixture
def plan_round(demo, instrument):
    with at(2026, 12, 7):
        process = through_internal_review(demo, instrument)
    return process.task_set.get(flow_task=ApprovalFlow.plan_round, status=STATUS.ASSIGNED)


def test_the_supervisor_extends_with_a_reason_kept_in_the_audit(demo, plan_round):
    with at(2026, 12, 8):
        deadline = deadline_extend(
            task=plan_round, user=demo["chief"], due_on=date(2026, 12, 18), reason="យឺតយ៉ាវ"
        )
    assert deadline.due_on == date(2026, 12, 18) and deadline.extended_reason == "យឺតយ៉ាវ"
    entry = AuditEntry.objects.get(action="deadline_extended")
    assert entry.actor == demo["chief"] and entry.task_id == plan_round.pk
    assert entry.detail["previous"] == "2026-12-10" and entry.detail["due_on"] == "2026-12-18"


@pytest.mark.parametrize("username", ["director", "dg"])
def test_a_director_or_the_dg_may_extend_too(demo, plan_round, username):
    deadline_extend(task=plan_round, user=demo[username], due_on=date(2026, 12, 18), reason="x")


@pytest.mark.parametrize("username", ["drafter", "legal", "reviewer-mef"])
def test_nobody_else_may_extend(demo, plan_round, username):
    with pytest.raises(PermissionDenied):
        deadline_extend(task=plan_round, user=demo[username], due_on=date(2026, 12, 18), reason="x")


def test_an_extension_needs_a_reason_and_a_later_day(demo, plan_round):
    with pytest.raises(ValidationError) as error:
        deadline_extend(task=plan_round, user=demo["chief"], due_on=date(2026, 12, 18), reason=" ")
    assert "reason" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        deadline_extend(task=plan_round, user=demo["chief"], due_on=date(2026, 12, 9), reason="x")
    assert "due_on" in error.value.error_dict


def test_the_extension_page_warns_of_the_assignees_absence(demo, plan_round, client):
    Delegation.objects.create(
        delegator=demo["drafter"],
        delegate=demo["chief"],
        starts_on=date(2026, 12, 14),
        ends_on=date(2026, 12, 24),
    )
    url = reverse("deadlines:extend", args=[plan_round.pk])
    client.force_login(demo["drafter"])
    assert client.get(url).status_code == 403
    client.force_login(demo["chief"])
    with at(2026, 12, 8):
        page = client.get(url)
        assert page.status_code == 200
        assert "lekhit-warning" not in page.content.decode()  # due the 10th, before the absence
        response = client.post(url, {"due_on": "2026-12-18", "reason": "ចាំឯកសារ"}, follow=True)
    content = response.content.decode()
    assert "lekhit-warning" in content
    assert "ថ្ងៃទី១៨ ខែធ្នូ ឆ្នាំ២០២៦" in content
    assert AuditEntry.objects.filter(action="deadline_extended").count() == 1
    with at(2026, 12, 8):
        response = client.post(url, {"due_on": "2026-12-17", "reason": ""})
    assert (
        response.status_code == 200
        and AuditEntry.objects.filter(action="deadline_extended").count() == 1
    )


def test_reminders_of_the_new_date_are_new_rows(demo, plan_round, jobs):
    with at(2026, 12, 8, 8):
        deadlines_sweep()
        deadline_extend(task=plan_round, user=demo["chief"], due_on=date(2026, 12, 18), reason="x")
        assert jobs.run() == ["skipped"]  # written for the old date, no longer true
    with at(2026, 12, 16, 8):
        deadlines_sweep()
        assert jobs.run() == ["sent"]
    assert list(Reminder.objects.order_by("day").values_list("day", "status")) == [
        (date(2026, 12, 8), "skipped"),
        (date(2026, 12, 16), "sent"),
    ]
