"""``manage.py demo_deadlines``: what the issue's "under make run" asks to see without waiting
days — a round that closes itself, overdue reminders and the escalation to the reviewers'
supervisors (each organisation's head), each sent once."""

import pytest
from django.core.management import call_command
from viewflow.workflow.status import STATUS

from notifications.models import Notification
from tasks.models import Reminder
from tasks.services import deadlines_sweep
from tasks.tests.conftest import at, quiet_events  # noqa: F401 - autouse, below
from workflows.flows import ApprovalFlow
from workflows.models import ConsultationRound, SilenceRule

# The process's announcements are tested in notifications/tests/test_events.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet_events")]


def sent():
    return sorted(
        Reminder.objects.filter(status=Reminder.Status.SENT).values_list(
            "kind", "recipient__username"
        )
    )


def test_the_demo_rounds_close_remind_and_escalate_once(demo, jobs, mailoutbox):
    with at(2026, 3, 11):  # a Wednesday
        call_command("demo_deadlines")
        by_silence, waiting = ConsultationRound.objects.order_by("pk")
        assert by_silence.silence_rule == SilenceRule.NO_OBJECTION
        assert waiting.silence_rule == SilenceRule.DIRECTOR
        assert by_silence.deadline.isoformat() == "2026-03-10"
        assert waiting.deadline.isoformat() == "2026-03-05"  # four working days ago

        deadlines_sweep()
        jobs.run()

    # The first round closed itself; its drafter now consolidates.
    by_silence.refresh_from_db()
    assert by_silence.closed_at is not None
    assert all(
        c.position == "no_objection" and c.by_silence for c in by_silence.consultations.all()
    )
    assert by_silence.process.task_set.filter(
        flow_task=ApprovalFlow.consolidate, status=STATUS.ASSIGNED
    ).exists()

    # The second waits for the director: reviewers reminded, heads escalated to, director asked.
    waiting.refresh_from_db()
    assert waiting.closed_at is None
    reviewers = ["reviewer-mef", "reviewer-moh", "reviewer-ncdd"]
    heads = ["head-mef", "head-moh", "head-ncdd"]
    assert sent() == sorted(
        [("overdue", name) for name in reviewers]
        + [("escalate_supervisor", name) for name in heads]
        + [("round_director", "director")]
    )
    escalation = next(m for m in mailoutbox if m.to == ["head-mef@lekhit.example"])
    assert "ស្នើឱ្យអ្នកពិនិត្យរបស់លោកអ្នកផ្តល់ជំហររបស់ស្ថាប័ន" in escalation.body
    assert "/notifications/" in escalation.body
    assert Notification.objects.filter(recipient__username="head-mef").count() == 1

    # The next sweeps, the same day, send nothing again.
    count = len(mailoutbox)
    with at(2026, 3, 11, 15):
        deadlines_sweep()
        jobs.run()
    assert len(mailoutbox) == count
