"""Writes of the time machinery: the heartbeat, the deadline sweep, and the reminder outbox.

The sweep (every minute, from beat) decides which reminders are due and writes them to the
outbox (``Reminder``), whose UNIQUE constraints make writing the same reminder twice a
no-op. It hands each row it wrote to a worker as one job (``tasks.deliver_reminder``),
published only once the rows are committed, and hands out again the rows whose job was lost
or whose send failed, once their lease or back-off is over. Delivery marks the row sent
as it locks it, re-checks that it is still wanted, writes the notification and sends the
e-mail, all in one transaction: a duplicated or redelivered job finds the row sent (or locked by its
twin) and does nothing; a failed send leaves the row pending with a later ``next_attempt_at``,
for a later sweep to hand out again. Nothing waits in the broker with a long countdown
(Redis would redeliver it after its visibility timeout): the database says what is due.
"""

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from notifications.services import (
    message_render,
    notification_announce,
    site_url,
    telegram_send,
)
from project.celery import app
from tasks import hooks, selectors
from tasks.calendar import CachedCalendar, is_working_day
from tasks.models import Heartbeat, Reminder, StepDuration, TaskDeadline

logger = logging.getLogger(__name__)

# How long a row handed to a worker is left alone before the sweep hands it out again (its
# job was lost: broker restarted, worker killed before acknowledging, publish failed).
DISPATCH_LEASE = timedelta(minutes=5)
BATCH_SIZE = 1000
TASK_KINDS = {
    Reminder.Kind.BEFORE,
    Reminder.Kind.DUE,
    Reminder.Kind.OVERDUE,
    Reminder.Kind.ESCALATE_SUPERVISOR,
    Reminder.Kind.ESCALATE_DG,
}


def heartbeat_record(*, name: str, sent_at: datetime) -> Heartbeat:
    beat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"sent_at": sent_at, "received_at": timezone.now()}
    )
    return beat


# --- Jobs -------------------------------------------------------------------------------


def _publish(name: str, args_list: list[tuple]) -> None:
    """Send one job per item through a single broker connection (thousands per sweep)."""
    with app.producer_or_acquire() as producer:
        for args in args_list:
            app.send_task(name, args=args, producer=producer)


def _publish_or_log(name: str, args_list: list[tuple]) -> None:
    try:
        _publish(name, args_list)
    except Exception:  # broker down: the rows stay pending and the next sweeps retry
        logger.exception("could not publish %s job(s) %s", len(args_list), name)


def jobs_enqueue(name: str, args_list: list[tuple]) -> None:
    """Publish after commit, so that no worker looks for a row not yet visible to it."""
    if args_list:
        transaction.on_commit(lambda: _publish_or_log(name, list(args_list)))


# --- Who receives what ------------------------------------------------------------------


class _People:
    """Recipients, memoised for one sweep: the same organisation or role recurs on many rows."""

    def __init__(self):
        self._reviewers: dict[int, list[int]] = {}
        self._holders: dict[str, list[int]] = {}
        self._supervisors: dict[int, int | None] = {}
        self._dgs: list[int] | None = None

    def responsible(self, row: dict) -> list[int]:
        """The assignee; for a task not yet taken, whoever may take it."""
        if row["assignee_id"]:
            return [row["assignee_id"]]
        if row["organisation_id"]:
            key = row["organisation_id"]
            if key not in self._reviewers:
                self._reviewers[key] = selectors.organisation_reviewers(key)
            return self._reviewers[key]
        permission = row.get("owner_permission") or ""
        if permission not in self._holders:
            self._holders[permission] = selectors.permission_holders(permission)
        return self._holders[permission]

    def supervisors(self, row: dict, responsible: list[int]) -> list[int]:
        if row["assignee_id"]:
            found = [row["assignee__supervisor_id"]]
        else:
            missing = [pk for pk in responsible if pk not in self._supervisors]
            if missing:
                self._supervisors.update(selectors.supervisors_of(missing))
            found = [self._supervisors.get(pk) for pk in responsible]
        return sorted({pk for pk in found if pk and pk not in responsible})

    def directors_general(self, responsible: list[int]) -> list[int]:
        if self._dgs is None:
            self._dgs = selectors.users_with_role("director_general")
        return [pk for pk in self._dgs if pk not in responsible]


@dataclass
class SweepResult:
    created: int = 0
    dispatched: int = 0
    # Counted by the process's sweeper (``workflows.deadlines``).
    rounds_closing: int = 0
    rounds_to_director: int = 0


def _plan(row: dict, duration: StepDuration, *, today: date, calendar: CachedCalendar):
    """The (kind, day, days) reminders this deadline calls for today.

    ``day`` is the day each reminder is *for* (not the day it happens to be sent), so a
    sweep that runs late, or runs twice, finds the same key; a deadline moved by an extension
    gets new days, hence new reminders. Zero for N, M or K turns that reminder off.
    """
    due = row["due_on"]
    overdue_day = calendar.add(due, 1)
    planned = []
    if duration.remind_days_before:
        before_day = calendar.add(due, -duration.remind_days_before)
        if before_day <= today < due:
            planned.append((Reminder.Kind.BEFORE, before_day, duration.remind_days_before))
    if due <= today < overdue_day:
        planned.append((Reminder.Kind.DUE, due, 0))
    if today >= overdue_day:
        planned.append((Reminder.Kind.OVERDUE, overdue_day, 1))
    for kind, days in (
        (Reminder.Kind.ESCALATE_SUPERVISOR, duration.escalate_after_days),
        (Reminder.Kind.ESCALATE_DG, duration.escalate_to_dg_after_days),
    ):
        if days and today >= (day := calendar.add(due, days)):
            planned.append((kind, day, days))
    return planned


@dataclass(frozen=True)
class Planned:
    """A reminder the deadlines call for, before it is written to the outbox."""

    kind: str
    recipient_id: int
    day: date
    payload: dict
    deadline_id: int | None = None
    consultation_round_id: int | None = None
    event: str | None = None

    @property
    def key(self) -> tuple:
        """What the outbox's UNIQUE constraints hold once per row."""
        return (
            self.deadline_id,
            self.consultation_round_id,
            self.kind,
            self.day,
            self.recipient_id,
        )


_OUTBOX_COLUMNS = (
    "kind",
    "deadline_id",
    "consultation_round_id",
    "recipient_id",
    "day",
    "payload",
    "event",
)


def _outbox_insert(rows: list[Planned], *, now: datetime) -> list[int]:
    """Write ``rows`` to the outbox, already leased for dispatch, and return the ids of those
    written. A row already there (a concurrent sweep's, a second beat's) is skipped by the
    UNIQUE constraints (``ON CONFLICT DO NOTHING``), so its id is not returned and only its
    writer hands it out. One statement per thousand rows (on SQLite, as many as its limit on
    parameters allows): the ORM's ``bulk_create`` returns no ids with ``ignore_conflicts``,
    and spent longer preparing the values than the database spent writing them.
    """
    if not rows:
        return []
    ops = connection.ops
    table = ops.quote_name(Reminder._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in _OUTBOX_COLUMNS)
    constants = [
        Reminder.Status.PENDING,
        0,
        "",
        ops.adapt_datetimefield_value(now + DISPATCH_LEASE),
        ops.adapt_datetimefield_value(now),
    ]
    # Quoted names from the model's metadata; every value is a parameter.
    insert = (
        f"INSERT INTO {table} ({columns}, status, attempts, last_error, next_attempt_at, "  # noqa: S608
        "created_at) "
    )
    postgresql = connection.vendor == "postgresql"
    per_row = len(_OUTBOX_COLUMNS) + len(constants)
    size = BATCH_SIZE if postgresql else connection.features.max_query_params // per_row
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            values = [
                (
                    row.kind,
                    row.deadline_id,
                    row.consultation_round_id,
                    row.recipient_id,
                    ops.adapt_datefield_value(row.day),
                    json.dumps(row.payload),
                    row.event,
                )
                for row in batch
            ]
            if postgresql:  # the rows as arrays: one parameter a column
                sql = insert + (  # noqa: S608
                    "SELECT k, d, r, u, dy, p::jsonb, e, %s, %s, %s, %s, %s FROM unnest("
                    "%s::varchar[], %s::bigint[], %s::bigint[], %s::bigint[], %s::date[], "
                    "%s::text[], %s::varchar[]) AS t(k, d, r, u, dy, p, e) "
                    "ON CONFLICT DO NOTHING RETURNING id"
                )
                params = [*constants, *(list(column) for column in zip(*values, strict=True))]
            else:
                one = "(" + ", ".join(["%s"] * per_row) + ")"
                sql = insert + "VALUES " + ", ".join([one] * len(batch))
                sql += " ON CONFLICT DO NOTHING RETURNING id"
                params = [value for row in values for value in (*row, *constants)]
            cursor.execute(sql, params)
            ids += [pk for (pk,) in cursor.fetchall()]
    return ids


def reminders_write(candidates: list[Planned], existing: set[tuple], *, now: datetime) -> int:
    """Write the reminders not yet in the outbox and hand each out to a worker once the
    transaction commits. Returns how many were written."""
    ids = _outbox_insert([c for c in candidates if c.key not in existing], now=now)
    jobs_enqueue("tasks.deliver_reminder", [(pk,) for pk in ids])
    return len(ids)


def event_announce(
    *, kind: str, event: str, recipient_ids, payload: dict, now: datetime | None = None
) -> int:
    """Write to the outbox one message per recipient about something that just happened in
    the process (a task for them, a round opened, a draft returned, a matrix published, an
    instrument signed). Call inside the transaction of the step that made it happen: the
    rows commit with the step, or vanish with it, and the jobs that send them are published
    only after the commit. ``event`` names the occurrence ("task:42"): the same event
    written twice for a person is one row, sent once. The process words the message
    (``hooks.notices``) when it is sent, in the recipient's language."""
    if kind not in Reminder.Kind.values or kind in (Reminder.Kind.DIGEST, Reminder.Kind.TELEGRAM):
        raise ValueError(f"not an event kind: {kind!r}")
    if not isinstance(event, str) or not event or len(event) > 100:
        raise ValueError(f"an event needs a key of at most 100 characters: {event!r}")
    now = now or timezone.now()
    today = timezone.localdate(now)
    recipients = sorted({pk for pk in recipient_ids if pk})
    ids = _outbox_insert(
        [
            Planned(kind=kind, recipient_id=pk, day=today, payload=payload, event=event)
            for pk in recipients
        ],
        now=now,
    )
    jobs_enqueue("tasks.deliver_reminder", [(pk,) for pk in ids])
    return len(ids)


def _add_owner_permissions(batch: list[dict]) -> None:
    """Who may take the queued tasks of a batch: one query for those nobody has taken."""
    queued = [r["task_id"] for r in batch if not r["assignee_id"] and not r["organisation_id"]]
    permissions = selectors.owner_permissions(queued)
    for row in batch:
        row["owner_permission"] = permissions.get(row["task_id"], "")


def reminders_create(
    *, batch: list[dict], today: date, now: datetime, calendar, durations, people
) -> int:
    candidates: list[Planned] = []
    _add_owner_permissions(batch)
    absences = selectors.absences_on_due_days(batch)
    for row in batch:
        duration = selectors.step_duration_for(
            durations, instrument_type_id=row["instrument__instrument_type_id"], step=row["step"]
        )
        planned = _plan(row, duration, today=today, calendar=calendar)
        if not planned:
            continue
        responsible = people.responsible(row)
        for kind, day, days in planned:
            if kind == Reminder.Kind.ESCALATE_SUPERVISOR:
                recipients = people.supervisors(row, responsible)
            elif kind == Reminder.Kind.ESCALATE_DG:
                recipients = people.directors_general(responsible)
            else:
                recipients = responsible
            candidates.extend(
                Planned(
                    kind=kind,
                    deadline_id=row["id"],
                    recipient_id=recipient,
                    day=day,
                    payload={
                        "due_on": row["due_on"].isoformat(),
                        "days": days,
                        "absence_id": absences.get(row["id"]),
                    },
                )
                for recipient in recipients
            )
    if not candidates:
        return 0
    existing = {
        (deadline_id, None, kind, day, recipient_id)
        for deadline_id, kind, day, recipient_id in Reminder.objects.filter(
            deadline_id__in={c.deadline_id for c in candidates}
        ).values_list("deadline_id", "kind", "day", "recipient_id")
    }
    return reminders_write(candidates, existing, now=now)


def reminders_dispatch(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Hand each pending, due outbox row to a worker: one job per row.

    Rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and leased for
    ``DISPATCH_LEASE``, so two sweeps running at once hand out disjoint rows; on SQLite the
    clause is dropped and the IMMEDIATE transactions run one after the other instead.
    """
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                Reminder.objects.select_for_update(skip_locked=True)
                .filter(status=Reminder.Status.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at")
                .values_list("pk", flat=True)[:batch_size]
            )
            if ids:
                Reminder.objects.filter(pk__in=ids).update(next_attempt_at=now + DISPATCH_LEASE)
                jobs_enqueue("tasks.deliver_reminder", [(pk,) for pk in ids])
        total += len(ids)
        if len(ids) < batch_size:
            return total


def _reminder_horizon(*, today: date, calendar: CachedCalendar, durations) -> date:
    """The last due day a reminder can be for today: as many working days ahead as the
    earliest "days before" reminder of any step."""
    lookahead = max(
        [d.remind_days_before for d in durations.values()]
        + [StepDuration._meta.get_field("remind_days_before").default]
    )
    return calendar.add(today, lookahead)


def deadlines_sweep(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Write the reminders and escalations due now, let the process deal with what is past
    its deadline (its rounds: ``tasks.hooks.on_sweep``), and hand out every pending reminder
    (new ones and retries). Safe to run concurrently."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = CachedCalendar()
    durations = selectors.step_durations()
    people = _People()
    horizon = _reminder_horizon(today=today, calendar=calendar, durations=durations)
    result = SweepResult()
    closing: set[int] = set()
    for sweeper in hooks.sweepers():  # the process's rounds past their deadline
        with transaction.atomic():
            closing |= sweeper(today=today, now=now, result=result)
    for batch in selectors.due_deadlines(horizon=horizon, batch_size=batch_size):
        with transaction.atomic():
            result.created += reminders_create(
                batch=[row for row in batch if row["task_id"] not in closing],
                today=today,
                now=now,
                calendar=calendar,
                durations=durations,
                people=people,
            )
    # The rows just written went out with their commit; this hands out again those whose job
    # was lost or whose send failed, once their lease or back-off is over.
    result.dispatched = result.created + reminders_dispatch(now=now, batch_size=batch_size)
    heartbeat_record(name="sweep", sent_at=now)
    return result


def digest_prepare(*, now: datetime | None = None) -> int:
    """One digest per person of their due and overdue tasks, and of the notifications they
    chose to receive in it (``Notification.deferred``), written to the outbox; on working
    days only (what waits on a day off goes in the next working day's)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not is_working_day(today):
        return 0
    calendar = CachedCalendar()
    durations = selectors.step_durations()
    horizon = _reminder_horizon(today=today, calendar=calendar, durations=durations)
    people = _People()
    per_person: dict[int, list[int]] = defaultdict(list)
    for batch in selectors.due_deadlines(horizon=horizon):
        _add_owner_permissions(batch)
        for row in batch:
            for person in people.responsible(row):
                per_person[person].append(row["id"])
    deferred: dict[int, list[int]] = defaultdict(list)
    for person, notification_id in Notification.objects.filter(
        deferred=True, digested_at__isnull=True, created_at__lte=now
    ).values_list("recipient_id", "pk"):
        deferred[person].append(notification_id)
    candidates = [
        Planned(
            kind=Reminder.Kind.DIGEST,
            recipient_id=person,
            day=today,
            payload={"deadlines": per_person.get(person, []), "notifications": deferred[person]},
        )
        for person in sorted(set(per_person) | set(deferred))
    ]
    with transaction.atomic():
        existing = {
            (None, None, Reminder.Kind.DIGEST, today, recipient_id)
            for recipient_id in Reminder.objects.filter(
                kind=Reminder.Kind.DIGEST,
                day=today,
                recipient_id__in=[c.recipient_id for c in candidates],
            ).values_list("recipient_id", flat=True)
        }
        created = reminders_write(candidates, existing, now=now)
    return created


# --- Delivery ---------------------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failure, at most six hours."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 6 * 3600))


@dataclass
class Notice:
    """What a reminder says (its template and context), where it leads, and what about."""

    template: str
    context: dict
    url: str
    instrument: object = None
    task_id: int | None = None


def _notice(reminder: Reminder, *, today: date) -> Notice | None:
    """What to say, or None when the reminder no longer applies (task done, deadline moved,
    round closed): the row is then marked skipped rather than sent."""
    if reminder.kind in TASK_KINDS:
        deadline = reminder.deadline
        if deadline is None or deadline.closed_at is not None:
            return None
        if reminder.payload.get("due_on") != deadline.due_on.isoformat():
            return None
        escalation = reminder.kind in (
            Reminder.Kind.ESCALATE_SUPERVISOR,
            Reminder.Kind.ESCALATE_DG,
        )
        if escalation and not (
            reminder.kind == Reminder.Kind.ESCALATE_SUPERVISOR and deadline.organisation_id
        ):
            url = reverse("deadlines:extend", args=[deadline.task_id])
        elif escalation:
            # A consulted organisation's head: the round's deadline is the department's to
            # extend, and the head sees no process page; the notice itself says what to do.
            url = reverse("notifications:list")
        else:
            url = reverse("workflows:instrument_process", args=[deadline.instrument_id])
        return Notice(
            template=reminder.kind,
            context={
                "instrument": deadline.instrument,
                "step": hooks.step_title(deadline.step),
                "due_on": deadline.due_on,
                "days": reminder.payload.get("days", 0),
                "assignee": deadline.assignee,
                "organisation": deadline.organisation,
                "absence": selectors.delegation(reminder.payload.get("absence_id")),
            },
            url=url,
            instrument=deadline.instrument,
            task_id=deadline.task_id,
        )
    if reminder.kind == Reminder.Kind.DIGEST:
        deadlines = list(
            TaskDeadline.objects.filter(
                pk__in=reminder.payload.get("deadlines", []), closed_at__isnull=True
            )
            .select_related("instrument")
            .order_by("due_on", "pk")
        )
        notifications = list(
            Notification.objects.filter(
                pk__in=reminder.payload.get("notifications", []),
                recipient_id=reminder.recipient_id,
                digested_at__isnull=True,
            ).order_by("created_at", "pk")
        )
        if not deadlines and not notifications:
            return None
        # Sent in this digest: marked in its transaction, so a failed send marks nothing.
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
            digested_at=timezone.now()
        )
        items = [
            {
                "instrument": d.instrument,
                "step": hooks.step_title(d.step),
                "due_on": d.due_on,
                "overdue": d.due_on < today,
            }
            for d in deadlines
        ]
        return Notice(
            template=reminder.kind,
            context={
                "items": items,
                "overdue": sum(item["overdue"] for item in items),
                "due": sum(not item["overdue"] for item in items),
                "today": today,
                "notifications": [
                    {
                        "title": n.title,
                        "link": f"{site_url()}{n.url}" if n.url.startswith("/") else n.url,
                    }
                    for n in notifications
                ],
            },
            url=reverse("workflow:inbox"),
        )
    notice = hooks.notice_for(reminder.kind)
    return notice(reminder, today=today) if notice else None


def _reminder_claim(reminder_id: int, *, now: datetime) -> Reminder | None:
    """Lock a pending reminder, read it with its recipient, its deadline and the deadline's
    instrument, assignee and organisation, and mark it sent; None when it is not pending
    (sent, skipped, failed) or a twin job holds it. Call inside the transaction that sends
    it: the row stays locked until then, and a failed send rolls the mark back.

    The lock and the read are one statement (``FOR UPDATE SKIP LOCKED`` on the reminder's
    row only): it never waits, so what it reads is the row as it is once locked; a twin
    job's row is skipped, and a row its twin already sent is no longer pending. On SQLite
    the IMMEDIATE transaction serialises the jobs instead.
    """
    reminder = (
        Reminder.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related(
            "recipient", "deadline__instrument", "deadline__assignee", "deadline__organisation"
        )
        .filter(pk=reminder_id, status=Reminder.Status.PENDING)
        .first()
    )
    if reminder is None:
        return None
    Reminder.objects.filter(pk=reminder.pk).update(
        status=Reminder.Status.SENT, sent_at=now, attempts=F("attempts") + 1, last_error=""
    )
    reminder.status, reminder.sent_at, reminder.last_error = Reminder.Status.SENT, now, ""
    reminder.attempts += 1
    return reminder


def reminder_deliver(*, reminder_id: int) -> str:
    """Send one outbox row, exactly once. Returns what happened (for logs and tests).

    The claim (``_reminder_claim``) locks the row as it reads it, marks it sent, and holds
    it locked for the whole send: a twin job running at the same moment skips
    it (``FOR UPDATE SKIP LOCKED``), and a duplicated or redelivered job finds it no longer
    pending and does nothing. The notification is written next and the e-mail goes last,
    all in one transaction: if anything fails (the mail server above all) the transaction is
    rolled back, the row is pending again, nothing is sent, and the failure is recorded on
    the row with a later ``next_attempt_at`` (failed after ``MAX_ATTEMPTS``). Only a crash
    between the mail server's "accepted" and the commit can repeat an e-mail; its Message-ID
    is then the same (see ``notifications.services``).
    """
    now = timezone.now()
    with transaction.atomic():
        reminder = _reminder_claim(reminder_id, now=now)
        if reminder is None:
            return "not pending"
        try:
            if reminder.kind == Reminder.Kind.TELEGRAM:
                return _telegram_deliver(reminder)
            notice = _notice(reminder, today=timezone.localdate(now))
            if notice is None:
                Reminder.objects.filter(pk=reminder.pk).update(
                    status=Reminder.Status.SKIPPED, sent_at=None
                )
                return "skipped"
            message = message_render(
                template=notice.template,
                context=notice.context,
                language=reminder.recipient.language,
            )
            # The row was pending, and is ours: no notification of its key exists yet.
            notification, plan = notification_announce(
                recipient=reminder.recipient,
                kind=reminder.kind,
                message=message,
                url=notice.url,
                instrument=notice.instrument,
                task_id=notice.task_id,
                key=f"reminder:{reminder.pk}",
            )
            if plan.telegram and not plan.deferred:
                _telegram_copy(reminder, notification, now=now)
            return "sent"
        except Exception as error:  # noqa: BLE001 - any failure is retried, never lost
            failure = error
            transaction.set_rollback(True)
    _failure_record(reminder_id=reminder_id, attempts=reminder.attempts, error=failure, now=now)
    return "failed"


def _telegram_copy(reminder: Reminder, notification: Notification, *, now: datetime) -> None:
    """The Telegram copy of a notification just sent: a row of its own in the outbox,
    written in the same transaction (so exactly once with it), sent by a job of its own, and
    retried on its own: a Telegram failure never holds up the bell or the e-mail."""
    reminders_write(
        [
            Planned(
                kind=Reminder.Kind.TELEGRAM,
                recipient_id=reminder.recipient_id,
                day=timezone.localdate(now),
                payload={"notification_id": notification.pk},
                event=f"telegram:{notification.pk}",
            )
        ],
        set(),
        now=now,
    )


def _telegram_deliver(reminder: Reminder) -> str:
    """Send a Telegram copy; skipped when the person unlinked meanwhile, or the bot is no
    longer configured. A failure raises, for ``reminder_deliver`` to retry later."""
    notification = Notification.objects.filter(
        pk=reminder.payload.get("notification_id"), recipient_id=reminder.recipient_id
    ).first()
    if notification is None or not telegram_send(
        recipient=reminder.recipient, notification=notification
    ):
        Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.SKIPPED, sent_at=None)
        return "skipped"
    return "sent"


def _failure_record(*, reminder_id: int, attempts: int, error: Exception, now: datetime) -> None:
    """After the rollback: count the attempt and set the next one, unless a twin job has
    meanwhile sent the row (the update then matches nothing)."""
    status = (
        Reminder.Status.FAILED if attempts >= Reminder.MAX_ATTEMPTS else Reminder.Status.PENDING
    )
    Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.PENDING).update(
        attempts=attempts,
        status=status,
        last_error=f"{error.__class__.__name__}: {error}"[:2000],
        next_attempt_at=now + _backoff(attempts),
    )
    logger.warning("reminder %s not sent (attempt %s): %s", reminder_id, attempts, error)


def reminders_retry(*, reminder_ids: list[int]) -> int:
    """The administrator's retry: failed (or waiting) rows become due now, for the next sweep
    or for the dispatch this starts right away."""
    count = Reminder.objects.filter(
        pk__in=reminder_ids, status__in=[Reminder.Status.FAILED, Reminder.Status.PENDING]
    ).update(status=Reminder.Status.PENDING, next_attempt_at=timezone.now())
    if count:
        reminders_dispatch()
    return count
