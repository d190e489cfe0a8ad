"""Reads: is each part of Lekhit up (the health page), and what is due (the sweep)."""

from collections.abc import Iterator
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from organisations.models import Delegation, User
from organisations.roles import Role
from organisations.selectors import delegation_in_force, delegations_in_force
from project.celery import app
from tasks.models import Heartbeat, Reminder, StepDuration, TaskDeadline


def database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "down", reported as such
        return {"ok": False, "error": str(error)}
    return {"ok": True, "vendor": connection.vendor}


def broker_status() -> dict:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "error": str(error)}
    return {"ok": True, "transport": app.conf.broker_url.split(":", 1)[0]}


def heartbeat_status(*, name: str = "celery") -> dict:
    """Beat's last send and a worker's last run of the heartbeat, and whether each is fresh."""
    max_age = timedelta(seconds=settings.HEARTBEAT_MAX_AGE_SECONDS)
    now = timezone.now()
    beat = Heartbeat.objects.filter(name=name).first()
    if beat is None:
        missing = {"ok": False, "last_seen": None}
        return {"beat": dict(missing), "worker": dict(missing)}
    return {
        "beat": {"ok": now - beat.sent_at <= max_age, "last_seen": beat.sent_at.isoformat()},
        "worker": {
            "ok": now - beat.received_at <= max_age,
            "last_seen": beat.received_at.isoformat(),
        },
    }


def roundtrip_status(*, timeout: float = 5.0) -> dict:
    """Send a ping through the broker and wait for a worker's answer."""
    from tasks.tasks import ping

    try:
        result = ping.delay("pong").get(timeout=timeout)
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "error": str(error) or error.__class__.__name__}
    return {"ok": result == "pong"}


# --- Deadlines, reminders and the sweep ---------------------------------------------------

# What the sweep needs of each due deadline, joined in the same query (small tables only: a
# join to the task table would make PostgreSQL hash all million tasks for every batch).
DUE_DEADLINE_FIELDS = (
    "id",
    "task_id",
    "step",
    "due_on",
    "assignee_id",
    "assignee__supervisor_id",
    "organisation_id",
    "instrument_id",
    "instrument__instrument_type_id",
)


def due_deadlines_query(*, horizon: date, after: tuple[date, int] | None = None, limit: int):
    """One batch of open deadlines due on or before ``horizon``, in (due_on, id) order.

    ``closed_at IS NULL AND due_on <= horizon`` matches the partial index
    ``open_deadline_due_on``: the sweep reads the due rows and never the million open ones.
    ``after`` is the last (due_on, id) of the previous batch (keyset pagination, so that each
    batch costs the same however deep into the due rows it is).
    """
    rows = TaskDeadline.objects.filter(closed_at__isnull=True, due_on__lte=horizon)
    if after is not None:
        due_on, pk = after
        rows = rows.filter(Q(due_on__gt=due_on) | Q(due_on=due_on, pk__gt=pk))
    return rows.order_by("due_on", "pk").values(*DUE_DEADLINE_FIELDS)[:limit]


def due_deadlines(*, horizon: date, batch_size: int = 1000) -> Iterator[list[dict]]:
    after = None
    while True:
        batch = list(due_deadlines_query(horizon=horizon, after=after, limit=batch_size))
        if not batch:
            return
        yield batch
        if len(batch) < batch_size:
            return
        after = (batch[-1]["due_on"], batch[-1]["id"])


def owner_permissions(task_ids: list[int]) -> dict[int, str]:
    """The viewflow owner permission of queued tasks (read only for rows nobody has taken)."""
    from viewflow.workflow.models import Task

    if not task_ids:
        return {}
    return dict(Task.objects.filter(pk__in=task_ids).values_list("pk", "owner_permission"))


def step_durations() -> dict[tuple[int | None, str], StepDuration]:
    """Every administrator setting (a few dozen at most), as ``tasks.calendar`` keeps them."""
    from tasks.calendar import settings_cache

    return settings_cache.durations()


def step_duration_for(
    durations: dict[tuple[int | None, str], StepDuration], *, instrument_type_id, step: str
) -> StepDuration:
    """As ``tasks.deadlines.step_duration``, from the preloaded settings."""
    from tasks.deadlines import DEFAULT_WORKING_DAYS

    return (
        durations.get((instrument_type_id, step))
        or durations.get((None, step))
        or StepDuration(step=step, working_days=DEFAULT_WORKING_DAYS.get(step, 5))
    )


def users_with_role(role: str) -> list[int]:
    return list(
        User.objects.filter(groups__name=role, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def organisation_reviewers(organisation_id: int) -> list[int]:
    """Who may take a consultation task addressed to an organisation: its reviewers."""
    return list(
        User.objects.filter(
            organisation_id=organisation_id,
            groups__name=Role.MINISTRY_REVIEWER,
            is_active=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def permission_holders(permission: str) -> list[int]:
    """Who may take a queued task: the holders of its viewflow owner permission."""
    if not permission or "." not in permission:
        return []
    return list(
        User.objects.with_perm(
            permission,
            backend="django.contrib.auth.backends.ModelBackend",
            include_superusers=False,
        )
        .filter(is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def supervisors_of(user_ids: list[int]) -> dict[int, int | None]:
    return dict(User.objects.filter(pk__in=user_ids).values_list("pk", "supervisor_id"))


def deadline_absence(deadline: TaskDeadline, *, due_on: date | None = None) -> Delegation | None:
    """The assignee's recorded absence that the deadline falls in, if any."""
    due_on = due_on or deadline.due_on
    if deadline.assignee_id is None:
        return None
    return (
        Delegation.objects.filter(delegations_in_force(due_on), delegator_id=deadline.assignee_id)
        .select_related("delegate")
        .order_by("starts_on")
        .first()
    )


def absences_on_due_days(rows: list[dict]) -> dict[int, int]:
    """For a sweep's batch of deadline rows (``id``, ``assignee_id``, ``due_on``): the
    recorded absence each assignee's due day falls in, as {deadline id: delegation id}, in one
    query. The sweep writes it on the reminder, so that the delivery needs no query for it."""
    assigned = [row for row in rows if row["assignee_id"]]
    if not assigned:
        return {}
    by_person: dict[int, list[tuple]] = {}
    for pk, delegator, starts, ends, ended in (
        Delegation.objects.filter(
            delegator_id__in={row["assignee_id"] for row in assigned},
            starts_on__lte=max(row["due_on"] for row in assigned),
            ends_on__gte=min(row["due_on"] for row in assigned),
        )
        .order_by("starts_on", "pk")
        .values_list("pk", "delegator_id", "starts_on", "ends_on", "ended_at")
    ):
        by_person.setdefault(delegator, []).append((pk, starts, ends, ended))
    found = {}
    for row in assigned:
        for pk, starts, ends, ended in by_person.get(row["assignee_id"], ()):
            if delegation_in_force(
                starts_on=starts, ends_on=ends, ended_at=ended, on=row["due_on"]
            ):
                found[row["id"]] = pk
                break
    return found


def delegation(pk: int | None) -> Delegation | None:
    if pk is None:
        return None
    return Delegation.objects.select_related("delegator", "delegate").filter(pk=pk).first()


def reminder_queue_status() -> dict:
    """How much the outbox holds, and (with Redis) how many jobs wait in the broker queue."""
    counts = dict(
        Reminder.objects.filter(status__in=[Reminder.Status.PENDING, Reminder.Status.FAILED])
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    status = {
        "ok": True,
        "outbox_pending": counts.get(Reminder.Status.PENDING, 0),
        "outbox_failed": counts.get(Reminder.Status.FAILED, 0),
    }
    if settings.REDIS_URL:
        import redis

        try:
            client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
            status["broker_queue"] = client.llen(app.conf.task_default_queue)
        except redis.RedisError as error:
            status["broker_queue"] = None
            status["broker_error"] = str(error)
    return status


def sweep_status() -> dict:
    """When the sweep last ran (informative: beat's own health is the heartbeat's)."""
    row = Heartbeat.objects.filter(name="sweep").first()
    return {"ok": True, "last_run": row.received_at.isoformat() if row else None}
