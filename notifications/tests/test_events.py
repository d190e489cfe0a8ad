"""The process announces itself: each event reaches the people concerned exactly once, in
the bell, by e-mail and on Telegram (a local fake of the Bot API), in each recipient's
language, with a link straight to the step; by each person's preferences (immediately or in
the morning digest); and a rolled-back step announces nothing."""

import pytest
from django.db import transaction
from django.urls import reverse
from viewflow.workflow.status import STATUS

from notifications import services as notification_services
from notifications.models import Notification, Preference, TelegramAccount, Timing, Topic
from tasks.models import Reminder
from tasks.services import digest_prepare, reminder_deliver, reminders_dispatch
from tasks.tests.conftest import at
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import Decision, SignOff, SignOffDecision
from workflows.tests.conftest import drive, internal_approvals, open_round, open_task
from workflows.tests.test_journey import (
    answer_every_comment,
    answer_round,
    consolidate,
    legal_then_dg,
)

from .fake_telegram import FakeBot

pytestmark = pytest.mark.django_db

TOKEN = "123456:TEST-TOKEN"


def deliver_all(jobs) -> None:
    """Run every job the services enqueued, then every outbox row once more (a duplicated
    job, a second worker): nothing may go twice."""
    jobs.run()
    for pk in Reminder.objects.values_list("pk", flat=True):
        reminder_deliver(reminder_id=pk)


def bell(username, kind=None):
    rows = Notification.objects.filter(recipient__username=username)
    return list(rows.filter(kind=kind) if kind else rows)


def mails_to(mailoutbox, user):
    return [m for m in mailoutbox if m.to == [user.email]]


def submitted(demo, instrument):
    return services.process_start(instrument=instrument, user=demo["drafter"])


def test_a_task_given_to_its_one_holder_tells_them_once_with_its_link(
    demo, instrument, jobs, mailoutbox, client
):
    with at(2026, 12, 7):
        process = submitted(demo, instrument)
        deliver_all(jobs)
        deliver_all(jobs)
    task = open_task(process, ApprovalFlow.chief_review)
    (notification,) = bell("chief", "task_assigned")
    assert notification.url == task.reverse("index")
    assert notification.task_id == task.pk
    # The one office chief holds it at once (section 4): "a new task for you".
    assert notification.title.startswith("ភារកិច្ចថ្មីសម្រាប់លោកអ្នក")
    (mail,) = mails_to(mailoutbox, demo["chief"])
    assert f"http://127.0.0.1:8000{task.reverse('index')}" in mail.body
    assert instrument.title_km in mail.body
    # Nobody else holds the office chief's right; the drafter is told of nothing to do.
    assert [n.recipient.username for n in Notification.objects.filter(kind="task_assigned")] == [
        "chief"
    ]
    client.force_login(demo["chief"])
    assert client.get(notification.url).status_code in (200, 302)


def test_each_recipient_reads_it_in_their_own_language(demo, instrument, jobs, mailoutbox):
    demo["director"].language = "en"
    demo["director"].save(update_fields=["language"])
    with at(2026, 12, 7):
        process = submitted(demo, instrument)
        deliver_all(jobs)
        drive(process, "chief_review", demo["chief"], decision="approve", reason="")
        deliver_all(jobs)
    (for_director,) = bell("director", "task_assigned")
    assert for_director.title.startswith("A new task for you")
    assert "Department director review" in for_director.title
    (mail,) = mails_to(mailoutbox, demo["director"])
    assert mail.subject == for_director.title and "Open in Lekhit:" in mail.body
    (for_chief,) = bell("chief", "task_assigned")
    assert for_chief.title.startswith("ភារកិច្ចថ្មី")


def test_a_return_tells_the_drafters_why_not_of_a_new_task(demo, instrument, jobs, mailoutbox):
    instrument.co_drafters.add(demo["legal"])  # any second person on the draft
    with at(2026, 12, 7):
        process = submitted(demo, instrument)
        drive(process, "chief_review", demo["chief"], decision="return", reason="ពាក្យ x<y ខុស")
        deliver_all(jobs)
    revise = open_task(process, ApprovalFlow.revise)
    (returned,) = bell("drafter", "draft_returned")
    assert "ពាក្យ x<y ខុស" in returned.body and "ហេង សុធា" in returned.body
    assert returned.url == revise.reverse("index")
    assert bell("drafter", "task_assigned") == []
    (co_drafter,) = bell("legal", "draft_returned")
    assert co_drafter.url == reverse("workflows:instrument_process", args=[instrument.pk])
    assert "ពាក្យ x<y ខុស" in mails_to(mailoutbox, demo["drafter"])[0].body


def test_a_round_tells_each_consulted_ministry_s_reviewers(demo, instrument, jobs, mailoutbox):
    demo["reviewer-moh"].language = "en"
    demo["reviewer-moh"].save(update_fields=["language"])
    with at(2026, 12, 7):
        process = submitted(demo, instrument)
        internal_approvals(demo, process)
        open_round(demo, process, codes=("mef", "moh"))
        deliver_all(jobs)
    tasks = {
        t.data["organisation_id"]: t
        for t in process.task_set.filter(flow_task=ApprovalFlow.organisation_review)
    }
    (mef,) = bell("reviewer-mef", "round_opened")
    assert mef.url == tasks[demo["reviewer-mef"].organisation_id].reverse("index")
    assert "ជុំទី១" in mef.title
    (moh,) = bell("reviewer-moh", "round_opened")
    assert moh.title.startswith("Consultation of") and "round 1" in moh.title
    assert bell("reviewer-ncdd") == [] and bell("head-mef") == []
    assert len(mails_to(mailoutbox, demo["reviewer-mef"])) == 1


def test_matrix_and_signature_reach_who_they_concern_once(demo, instrument, jobs, mailoutbox):
    with at(2026, 12, 7):
        process = submitted(demo, instrument)
        internal_approvals(demo, process)
        consultation_round = open_round(demo, process)
        answer_round(demo, process, consultation_round)
        answer_every_comment(demo, process)
        services.matrix_publish(consultation_round=consultation_round, user=demo["director"])
        deliver_all(jobs)
        matrix_url = reverse("workflows:matrix", args=[process.pk, 1])
        for reviewer in ("reviewer-mef", "reviewer-moh", "reviewer-ncdd"):
            (published,) = bell(reviewer, "matrix_published")
            assert published.url == matrix_url
        assert bell("drafter", "matrix_published") == []

        consolidate(demo, process, "legal")
        legal_then_dg(demo, process, SignOffDecision.APPROVE, "")
        deliver_all(jobs)
        deliver_all(jobs)
    told = sorted(
        Notification.objects.filter(kind="instrument_signed").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == ["chief", "director", "drafter", "registry"]
    (signed,) = bell("registry", "instrument_signed")
    assert signed.url == reverse("workflows:instrument_process", args=[instrument.pk])
    assert SignOff.objects.get(process=process).sha256 in signed.body
    assert len([m for m in mailoutbox if "ចុះហត្ថលេខា" in m.subject]) == 4
    # The registry's own step is announced too, once.
    assert len(bell("registry", "task_assigned")) == 1


def test_a_step_rolled_back_announces_nothing(demo, instrument, django_capture_on_commit_callbacks):
    with at(2026, 12, 7):
        process = submitted(demo, instrument)
        Reminder.objects.all().delete()
        with (
            django_capture_on_commit_callbacks() as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            drive(process, "chief_review", demo["chief"], decision="approve", reason="")
            assert Reminder.objects.filter(kind="task_assigned").exists()
            raise RuntimeError("the step fails after announcing")
    assert Reminder.objects.count() == 0 and callbacks == []
    assert open_task(process, ApprovalFlow.chief_review).status in (STATUS.NEW, STATUS.ASSIGNED)


def test_an_announcement_that_fails_to_send_is_retried_and_sent_once(
    demo, instrument, jobs, mailoutbox, monkeypatch
):
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages
    down = {"yes": True}

    def flaky(self, messages):
        if down["yes"]:
            raise ConnectionRefusedError("SMTP server down")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    with at(2026, 12, 7, 9):
        submitted(demo, instrument)
        jobs.run()
        row = Reminder.objects.get(kind="task_assigned")
        assert row.status == Reminder.Status.PENDING and row.attempts == 1
        assert Notification.objects.count() == 0  # rolled back with the failed e-mail
    down["yes"] = False
    with at(2026, 12, 7, 9, 2):
        reminders_dispatch()
        deliver_all(jobs)
    row.refresh_from_db()
    assert row.status == Reminder.Status.SENT and row.attempts == 2
    assert len(bell("chief")) == 1 and len(mailoutbox) == 1


# --- Preferences -----------------------------------------------------------------------


def test_the_morning_digest_gathers_what_was_deferred_once_on_working_days(
    demo, instrument, jobs, mailoutbox
):
    notification_services.preference_set(
        user=demo["drafter"],
        topic=Topic.DRAFT_RETURNED,
        timing=Timing.DIGEST,
        email=True,
        telegram=True,
    )
    with at(2026, 12, 11, 15):  # a Friday
        process = submitted(demo, instrument)
        drive(process, "chief_review", demo["chief"], decision="return", reason="សូមកែមាត្រា ១")
        deliver_all(jobs)
    (returned,) = bell("drafter", "draft_returned")
    assert returned.deferred and returned.digested_at is None  # in the bell at once
    assert mails_to(mailoutbox, demo["drafter"]) == []  # the e-mail waits for the digest
    with at(2026, 12, 12, 7):  # Saturday: no digest
        assert digest_prepare() == 0
    with at(2026, 12, 14, 7):  # Monday
        digest_prepare()
        digest_prepare()
        deliver_all(jobs)
    (digest,) = mails_to(mailoutbox, demo["drafter"])
    assert returned.title in digest.body
    assert f"http://127.0.0.1:8000{returned.url}" in digest.body
    returned.refresh_from_db()
    assert returned.digested_at is not None
    with at(2026, 12, 15, 7):  # already sent: not in Tuesday's digest
        digest_prepare()
        deliver_all(jobs)
    assert all(returned.title not in m.body for m in mails_to(mailoutbox, demo["drafter"])[1:])


def test_no_e_mail_for_a_kind_the_person_turned_it_off_for(demo, instrument, jobs, mailoutbox):
    notification_services.preference_set(
        user=demo["chief"],
        topic=Topic.TASK_ASSIGNED,
        timing=Timing.NOW,
        email=False,
        telegram=False,
    )
    with at(2026, 12, 7):
        submitted(demo, instrument)
        deliver_all(jobs)
    assert len(bell("chief", "task_assigned")) == 1 and mailoutbox == []


def test_the_preferences_page_saves_each_choice(demo, client, django_assert_max_num_queries):
    chief = demo["chief"]
    client.force_login(chief)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    assert "ពេលព្រឹក" in page.content.decode()  # in Khmer
    assert (
        reverse("notifications:preferences")
        in client.get(reverse("notifications:list")).content.decode()
    )
    form = {"action": "save"}
    for topic in Topic.values:
        form[f"{topic}-timing"] = Timing.NOW
        form[f"{topic}-email"] = "on"
    form["matrix_published-timing"] = Timing.DIGEST
    del form["reminders-email"]
    assert client.post(reverse("notifications:preferences"), form).status_code == 302
    chosen = {p.topic: p for p in Preference.objects.filter(user=chief)}
    assert chosen["matrix_published"].timing == Timing.DIGEST
    assert not chosen["reminders"].email and chosen["task_assigned"].email
    assert not chosen["task_assigned"].telegram
    form["reminders-timing"] = "whenever"
    client.post(reverse("notifications:preferences"), form)
    assert Preference.objects.get(user=chief, topic="reminders").timing == Timing.NOW
    with django_assert_max_num_queries(13):
        client.get(reverse("notifications:preferences"))


# --- Telegram, against a local fake of the Bot API -------------------------------------


@pytest.fixture
def bot(settings):
    fake = FakeBot(TOKEN)
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_API_BASE = fake.base
    settings.TELEGRAM_BOT_USERNAME = "lekhit_test_bot"
    yield fake
    fake.close()


def link(bot, user, chat_id):
    account = notification_services.telegram_code_issue(user=user)
    bot.message_from(chat_id, f"/start {account.code}")
    return notification_services.telegram_updates_read()


def test_a_person_links_telegram_with_a_one_time_code(demo, bot, client):
    client.force_login(demo["chief"])
    client.post(reverse("notifications:preferences"), {"action": "telegram_code"})
    code = TelegramAccount.objects.get(user=demo["chief"]).code
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert code in page and "https://t.me/lekhit_test_bot?start=" + code in page
    bot.message_from(555, "WRONGCODE")
    bot.message_from(777, f"/start {code}")
    assert notification_services.telegram_updates_read() == 1
    account = TelegramAccount.objects.get(user=demo["chief"])
    assert account.chat_id == 777 and account.code is None
    assert [m["chat_id"] for m in bot.sent] == [777]  # the confirmation, in Khmer
    assert bot.sent[0]["text"].startswith("លិខិត៖ គណនីតេឡេក្រាមនេះត្រូវបានភ្ជាប់")
    # The code worked once, and updates already read are not read again.
    bot.message_from(888, f"/start {code}")
    assert notification_services.telegram_updates_read() == 0
    assert TelegramAccount.objects.get(user=demo["chief"]).chat_id == 777


def test_an_expired_code_links_nothing(demo, bot):
    with at(2026, 12, 7, 9):
        account = notification_services.telegram_code_issue(user=demo["chief"])
    bot.message_from(777, account.code)
    with at(2026, 12, 7, 9, 16):
        assert notification_services.telegram_updates_read() == 0
    assert TelegramAccount.objects.get(user=demo["chief"]).chat_id is None


def test_telegram_carries_the_message_and_link_once_without_buttons(
    demo, instrument, jobs, bot, mailoutbox
):
    link(bot, demo["chief"], 777)
    bot.sent.clear()
    with at(2026, 12, 7):
        process = submitted(demo, instrument)
        deliver_all(jobs)
        deliver_all(jobs)
    (message,) = bot.sent
    task = open_task(process, ApprovalFlow.chief_review)
    assert message["chat_id"] == 777
    assert f"http://127.0.0.1:8000{task.reverse('index')}" in message["text"]
    assert bell("chief")[0].title in message["text"]  # in Khmer, as the bell says it
    assert set(message) == {"chat_id", "text"}  # no keyboard, no markup: nothing decides
    assert len(mails_to(mailoutbox, demo["chief"])) == 1
    row = Reminder.objects.get(kind=Reminder.Kind.TELEGRAM)
    assert row.status == Reminder.Status.SENT


def test_every_kind_of_event_reaches_telegram_once_with_its_link(
    demo, instrument, jobs, bot, mailoutbox
):
    """Beside the task above: a draft returned, a round opened, a matrix published, an
    instrument signed, each on the linked recipients' Telegram once, as their bell says it."""
    chats = {"drafter": 701, "reviewer-mef": 702, "registry": 703}
    for username, chat in chats.items():
        link(bot, demo[username], chat)
    bot.sent.clear()
    with at(2026, 12, 7):
        process = submitted(demo, instrument)
        drive(process, "chief_review", demo["chief"], decision="return", reason="សូមកែ")
        deliver_all(jobs)  # each as it happens: a notice of a step already gone is dropped
        drive(process, "revise", demo["drafter"], note="បានកែ")
        internal_approvals(demo, process)
        consultation_round = open_round(demo, process)
        deliver_all(jobs)
        answer_round(demo, process, consultation_round)
        answer_every_comment(demo, process)
        services.matrix_publish(consultation_round=consultation_round, user=demo["director"])
        deliver_all(jobs)
        consolidate(demo, process, "legal")
        legal_then_dg(demo, process, SignOffDecision.APPROVE, "")
        deliver_all(jobs)
        deliver_all(jobs)
    expected = {
        "drafter": ["draft_returned", "instrument_signed"],
        "reviewer-mef": ["round_opened", "matrix_published"],
        "registry": ["instrument_signed"],
    }
    for username, kinds in expected.items():
        mine = [m for m in bot.sent if m["chat_id"] == chats[username]]
        for kind in kinds:
            found = bell(username, kind)
            assert len(found) == 1, (username, kind, [n.kind for n in bell(username)])
            (notification,) = found
            copies = [m for m in mine if notification.title in m["text"]]
            assert len(copies) == 1, (username, kind, len(copies))
            assert f"http://127.0.0.1:8000{notification.url}" in copies[0]["text"]
    # One Telegram message per notification of a linked person, nothing twice.
    linked = Notification.objects.filter(recipient__username__in=chats)
    assert len(bot.sent) == linked.count()


def test_a_failing_telegram_never_blocks_e_mail_and_is_retried_once(
    demo, instrument, jobs, bot, mailoutbox
):
    link(bot, demo["chief"], 777)
    bot.sent.clear()
    bot.failing = True
    with at(2026, 12, 7, 9):
        submitted(demo, instrument)
        jobs.run()
    assert len(mails_to(mailoutbox, demo["chief"])) == 1 and len(bell("chief")) == 1
    row = Reminder.objects.get(kind=Reminder.Kind.TELEGRAM)
    assert row.status == Reminder.Status.PENDING and "HTTP 500" in row.last_error
    bot.failing = False
    with at(2026, 12, 7, 9, 2):
        reminders_dispatch()
        deliver_all(jobs)
        deliver_all(jobs)
    row.refresh_from_db()
    assert row.status == Reminder.Status.SENT and row.attempts == 2
    assert len(bot.sent) == 1 and len(mails_to(mailoutbox, demo["chief"])) == 1


def test_the_digest_goes_to_telegram_too(demo, instrument, jobs, bot, mailoutbox):
    link(bot, demo["drafter"], 999)
    bot.sent.clear()
    notification_services.preference_set(
        user=demo["drafter"],
        topic=Topic.DRAFT_RETURNED,
        timing=Timing.DIGEST,
        email=True,
        telegram=True,
    )
    with at(2026, 12, 7, 15):
        process = submitted(demo, instrument)
        drive(process, "chief_review", demo["chief"], decision=Decision.RETURN, reason="មូលហេតុ")
        deliver_all(jobs)
    assert [m for m in bot.sent if m["chat_id"] == 999] == []
    with at(2026, 12, 8, 7):
        digest_prepare()
        deliver_all(jobs)
    (digest,) = [m for m in bot.sent if m["chat_id"] == 999]
    assert bell("drafter", "draft_returned")[0].title in digest["text"]


def test_the_demo_seed_fills_the_bells_once(db, mailoutbox):
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")
    kinds = sorted(Notification.objects.values_list("recipient__username", "kind"))
    assert kinds == [
        ("chief", "task_assigned"),
        ("drafter", "draft_returned"),
        ("reviewer-mef", "round_opened"),
        ("reviewer-moh", "round_opened"),
        ("reviewer-ncdd", "round_opened"),
    ]
    assert len(mailoutbox) == 5
