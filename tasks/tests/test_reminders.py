"""Reminders, escalation and the digest, on a frozen clock in Phnom Penh.

The plan-the-round task goes to the lead drafter on Monday 7 December 2026 with 3 working
days (due Thursday 10), reminders 2 working days before (Tuesday 8), escalation to the
supervisor after 3 working days overdue (Tuesday 15) and to the director-general after 5
(Thursday 17).
"""

from datetime import date, datetime

import pytest
from viewflow.workflow.status import STATUS

from notifications.models import Notification
from organisations.models import Delegation
from tasks.models import Reminder, StepDuration, TaskDeadline
from tasks.services import deadlines_sweep, digest_prepare, reminder_deliver
from workflows.flows import ApprovalFlow
from workflows.tests.test_journey import through_internal_review

from .conftest import at, make_deadlines, new_instrument

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_round(demo, instrument):
    StepDuration.objects.create(
        step="plan_round",
        working_days=3,
        remind_days_before=2,
        escalate_after_days=3,
        escalate_to_dg_after_days=5,
    )
    with at(2026, 12, 7):
        process = through_internal_review(demo, instrument)
    task = process.task_set.get(flow_task=ApprovalFlow.plan_round, status=STATUS.ASSIGNED)
    assert task.deadline.due_on == date(2026, 12, 10)
    assert task.deadline.assignee == demo["drafter"]
    return task


def sweep_and_send(jobs):
    deadlines_sweep()
    jobs.run()


def sent(kind=None):
    rows = Reminder.objects.filter(status=Reminder.Status.SENT)
    if kind:
        rows = rows.filter(kind=kind)
    return sorted(rows.values_list("kind", "recipient__username"))


def test_each_reminder_and_escalation_goes_once_on_its_day(demo, plan_round, jobs, mailoutbox):
    with at(2026, 12, 7, 10):
        sweep_and_send(jobs)
    assert sent() == [] and mailoutbox == []

    with at(2026, 12, 8, 8):  # two working days before
        sweep_and_send(jobs)
        sweep_and_send(jobs)
    assert sent() == [("before", "drafter")]
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["drafter@lekhit.example"]

    with at(2026, 12, 9, 8):
        sweep_and_send(jobs)
    assert len(mailoutbox) == 1  # nothing new the day after

    with at(2026, 12, 10, 8):  # the deadline
        sweep_and_send(jobs)
    assert sent("due") == [("due", "drafter")]

    with at(2026, 12, 11, 8):  # the next working day
        sweep_and_send(jobs)
    assert sent("overdue") == [("overdue", "drafter")]

    with at(2026, 12, 14, 8):  # two working days overdue: no escalation yet
        sweep_and_send(jobs)
    assert sent("escalate_supervisor") == []

    with at(2026, 12, 15, 8):  # three: to the drafter's supervisor, the office chief
        sweep_and_send(jobs)
    assert sent("escalate_supervisor") == [("escalate_supervisor", "chief")]

    with at(2026, 12, 17, 8):  # five: to the director-general
        sweep_and_send(jobs)
        sweep_and_send(jobs)
    assert sent("escalate_dg") == [("escalate_dg", "dg")]

    with at(2026, 12, 21, 8):
        sweep_and_send(jobs)
    assert [m.to[0].split("@")[0] for m in mailoutbox] == [
        "drafter",
        "drafter",
        "drafter",
        "chief",
        "dg",
    ]
    assert Notification.objects.count() == 5
    assert Reminder.objects.exclude(status=Reminder.Status.SENT).count() == 0


def test_the_reminder_is_in_the_recipients_language(demo, plan_round, jobs, mailoutbox):
    chief = demo["chief"]
    chief.language = "en"
    chief.save()
    with at(2026, 12, 8, 8):
        sweep_and_send(jobs)
    with at(2026, 12, 15, 8):
        sweep_and_send(jobs)
    khmer = mailoutbox[0]
    (english,) = [m for m in mailoutbox if m.to == ["chief@lekhit.example"]]
    assert "ត្រូវបញ្ចប់ត្រឹមថ្ងៃទី១០ ខែធ្នូ ឆ្នាំ២០២៦" in khmer.subject
    assert "ជម្រាបសួរ" in khmer.body and "ថ្ងៃទី១០ ខែធ្នូ ឆ្នាំ២០២៦" in khmer.body
    assert english.to == ["chief@lekhit.example"]
    assert english.subject.startswith("Overdue by 3 working days")
    assert "Deadline: 10 December 2026" in english.body
    assert "/deadlines/" in english.body  # the supervisor is sent to the extension page
    notification = Notification.objects.get(recipient=demo["drafter"], kind="before")
    assert notification.title == khmer.subject
    assert "ថ្ងៃទី១០ ខែធ្នូ ឆ្នាំ២០២៦" in notification.body


def test_the_reminder_warns_of_the_assignees_recorded_absence(demo, plan_round, jobs, mailoutbox):
    Delegation.objects.create(
        delegator=demo["drafter"],
        delegate=demo["chief"],
        starts_on=date(2026, 12, 9),
        ends_on=date(2026, 12, 18),
    )
    with at(2026, 12, 8, 8):
        sweep_and_send(jobs)
    assert "អវត្តមាន" in mailoutbox[0].body
    assert "ថ្ងៃទី៩ ខែធ្នូ ឆ្នាំ២០២៦" in mailoutbox[0].body


def test_an_absence_ended_before_the_due_day_is_not_mentioned(demo, plan_round, jobs, mailoutbox):
    from django.utils import timezone

    Delegation.objects.create(
        delegator=demo["drafter"],
        delegate=demo["chief"],
        starts_on=date(2026, 12, 7),
        ends_on=date(2026, 12, 18),
        ended_at=timezone.make_aware(datetime(2026, 12, 8, 7)),  # back early: ended on the 8th
    )
    with at(2026, 12, 8, 8):
        sweep_and_send(jobs)
    assert mailoutbox and "អវត្តមាន" not in mailoutbox[0].body


def test_a_task_not_yet_taken_reminds_whoever_may_take_it(demo, instrument, jobs, mailoutbox):
    from workflows import services

    with at(2026, 12, 7):
        services.process_start(instrument=instrument, user=demo["drafter"])
    with at(2026, 12, 10, 8):  # chief review: 3 working days, in the chiefs' queue
        sweep_and_send(jobs)
    assert sent() == [("due", "chief")]


def test_a_consultation_not_yet_taken_reminds_the_organisations_reviewers(
    demo, plan_round, jobs, mailoutbox
):
    from workflows.tests.test_journey import open_round

    with at(2026, 12, 7, 11):
        consultation_round = open_round(demo, plan_round.process.approvalprocess)
    due = consultation_round.deadline
    assert TaskDeadline.objects.filter(due_on=due, organisation__isnull=False).count() == 3
    with at(due.year, due.month, due.day, 8):
        sweep_and_send(jobs)
    assert sent("due") == [
        ("due", "reviewer-mef"),
        ("due", "reviewer-moh"),
        ("due", "reviewer-ncdd"),
    ]


def test_a_reminder_for_a_task_done_meanwhile_is_not_sent(demo, plan_round, jobs, mailoutbox):
    with at(2026, 12, 8, 8):
        deadlines_sweep()
        TaskDeadline.objects.filter(pk=plan_round.deadline.pk).update(closed_at="2026-12-08T02:00Z")
        assert jobs.run() == ["skipped"]
    assert mailoutbox == []
    assert Reminder.objects.get().status == Reminder.Status.SKIPPED


def test_the_same_delivery_job_twice_sends_once(demo, plan_round, jobs, mailoutbox):
    with at(2026, 12, 8, 8):
        deadlines_sweep()
        ((name, args),) = jobs.queue
        assert jobs.run() == ["sent"]
        assert reminder_deliver(reminder_id=args[0]) == "not pending"
    assert len(mailoutbox) == 1
    assert Notification.objects.count() == 1


def test_two_sweeps_write_each_reminder_once_and_hand_it_out_once(demo, plan_round, jobs):
    with at(2026, 12, 8, 8):
        first = deadlines_sweep()
        second = deadlines_sweep()
    assert (first.created, first.dispatched) == (1, 1)
    assert (second.created, second.dispatched) == (0, 0)  # still leased to the first job
    assert Reminder.objects.count() == 1


def test_a_sweep_writes_more_reminders_than_one_statement_holds_once_each(
    demo, plan_round, jobs, mailoutbox
):
    make_deadlines(plan_round, 250, due_on=date(2026, 12, 10), assignee=demo["drafter"])
    with at(2026, 12, 8, 8):
        first = deadlines_sweep()
        again = deadlines_sweep()
        outcomes = jobs.run()
    assert (first.created, first.dispatched) == (251, 251)
    assert (again.created, again.dispatched) == (0, 0)
    assert outcomes == ["sent"] * 251
    assert Reminder.objects.filter(status=Reminder.Status.SENT, kind="before").count() == 251
    assert len(mailoutbox) == 251


def test_a_send_that_fails_is_kept_and_retried_with_backoff(
    demo, plan_round, jobs, mailoutbox, monkeypatch
):
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages
    failures = {"left": 2}

    def flaky(self, messages):
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionRefusedError("SMTP server down")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    with at(2026, 12, 8, 8):
        sweep_and_send(jobs)
        reminder = Reminder.objects.get()
        assert reminder.status == Reminder.Status.PENDING
        assert reminder.attempts == 1 and "SMTP server down" in reminder.last_error
        assert Notification.objects.count() == 0  # rolled back with the failed send
        sweep_and_send(jobs)  # not yet: the first retry waits a minute
        assert Reminder.objects.get().attempts == 1
    with at(2026, 12, 8, 8, 1):
        sweep_and_send(jobs)
        assert Reminder.objects.get().attempts == 2
    with at(2026, 12, 8, 8, 3):  # then two minutes
        sweep_and_send(jobs)
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT and reminder.attempts == 3
    assert reminder.last_error == ""
    assert len(mailoutbox) == 1 and Notification.objects.count() == 1


def test_after_too_many_failures_the_administrator_sees_it_and_retries(
    demo, plan_round, jobs, mailoutbox, monkeypatch, admin_client
):
    from django.core.mail.backends.locmem import EmailBackend

    with at(2026, 12, 8, 8):
        deadlines_sweep()
        monkeypatch.setattr(Reminder, "MAX_ATTEMPTS", 1)
        monkeypatch.setattr(
            EmailBackend, "send_messages", lambda self, m: (_ for _ in ()).throw(OSError("down"))
        )
        assert jobs.run() == ["failed"]
        reminder = Reminder.objects.get()
        assert reminder.status == Reminder.Status.FAILED
        page = admin_client.get("/admin/tasks/reminder/?status__exact=failed")
        assert "OSError: down" in page.content.decode()
        monkeypatch.undo()
        monkeypatch.setattr("tasks.services.jobs_enqueue", jobs.enqueue)
        response = admin_client.post(
            "/admin/tasks/reminder/",
            {"action": "retry", "_selected_action": [reminder.pk]},
        )
        assert response.status_code == 302
        assert jobs.run() == ["sent"]
    assert len(mailoutbox) == 1


def test_an_extension_moves_the_reminders_to_the_new_date(demo, plan_round, jobs, mailoutbox):
    from workflows.deadlines import deadline_extend

    with at(2026, 12, 8, 8):
        sweep_and_send(jobs)
        deadline_extend(
            task=plan_round,
            user=demo["chief"],
            due_on=date(2026, 12, 18),
            reason="រង់ចាំយោបល់ពីក្រសួងសេដ្ឋកិច្ច",
        )
    with at(2026, 12, 10, 8):  # the old deadline: nothing
        sweep_and_send(jobs)
    assert sent() == [("before", "drafter")]
    with at(2026, 12, 16, 8):  # two working days before the new one
        sweep_and_send(jobs)
    assert sent() == [("before", "drafter"), ("before", "drafter")]
    assert "ថ្ងៃទី១៨ ខែធ្នូ ឆ្នាំ២០២៦" in mailoutbox[-1].subject


def test_the_daily_digest_lists_each_persons_due_and_overdue_tasks(
    demo, plan_round, jobs, mailoutbox, instrument
):
    from workflows import services

    with at(2026, 12, 8):  # a second instrument, its chief review due Friday 11
        services.process_start(instrument=new_instrument(demo), user=demo["drafter"])
    with at(2026, 12, 11, 7):
        assert digest_prepare() == 2  # the drafter (overdue), the chief (due today)
        assert digest_prepare() == 0
        jobs.run()
    by_person = {m.to[0].split("@")[0]: m for m in mailoutbox}
    assert set(by_person) == {"drafter", "chief"}
    assert "ហួសកាលកំណត់ ១" in by_person["drafter"].subject
    assert "ជិតដល់កាលកំណត់ ១" in by_person["chief"].subject
