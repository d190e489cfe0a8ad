"""What the portfolio dashboard and the transfer tracker show, read in a constant number of
queries however many years of work the database holds.

Every figure is counted by the database (``GROUP BY``), never by reading rows into Python,
except the medians and 90th percentiles on SQLite, which has no percentile function: there
(``make run``) the durations of the period are read and ranked here.
"""

import statistics
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Min,
    Q,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from documents.models import Instrument, ScheduleRow
from khmer.db import khmer_order
from organisations.models import Organisation, User
from tasks.models import TaskDeadline
from workflows.deadlines import step_title
from workflows.models import Consultation, SignOff

DAY_SECONDS = 86_400


@dataclass(frozen=True)
class Period:
    """From the first day of ``start``'s month to the last of ``end``'s, in the department's
    time zone."""

    start: date
    end: date  # inclusive: the last day of the last month

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        """The first moment after the period."""
        return timezone.make_aware(datetime.combine(self.end, time.max))

    def months(self) -> list[date]:
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
        return months


@dataclass
class Figure:
    """One line of a table: what it counts (``key``, ``label``) and its numbers."""

    key: object
    label: str
    values: dict = field(default_factory=dict)


# --- Where the instruments stand -----------------------------------------------------------


def instruments_by_stage() -> list[Figure]:
    """How many instruments are at each status now, in the order of the process."""
    counts = dict(Instrument.objects.order_by().values_list("status").annotate(count=Count("pk")))
    return [
        Figure(status, label, {"count": counts.get(status, 0)})
        for status, label in Instrument.Status.choices
    ]


def overdue_by_organisation(*, today: date) -> list[Figure]:
    """The open steps past their deadline held by each consulted organisation, the most
    first, with the oldest deadline."""
    return _overdue_by("organisation", Organisation, today=today)


def overdue_by_person(*, today: date) -> list[Figure]:
    """The open steps past their deadline held by each person, the most first."""
    return _overdue_by("assignee", User, today=today)


def _overdue_by(holder: str, model, *, today: date) -> list[Figure]:
    rows = (
        _overdue(today)
        .exclude(**{holder: None})
        .values(holder)
        .annotate(count=Count("pk"), oldest=Min("due_on"))
        .order_by("-count", "oldest", holder)
    )
    return _figures(rows, holder, model)


def _figures(rows, key: str, model) -> list[Figure]:
    """A figure a row, of the object (of ``model``) its ``key`` names, read in one query."""
    objects = model.objects.in_bulk([row[key] for row in rows])
    return [Figure(objects[row[key]], str(objects[row[key]]), row) for row in rows]


def _overdue(today: date):
    # The open deadlines' partial index (tasks.TaskDeadline: open_deadline_due_on).
    return TaskDeadline.objects.filter(closed_at=None, due_on__lt=today).order_by()


# --- How long the steps take --------------------------------------------------------------


class Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont(p) WITHIN GROUP (ORDER BY …)``."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


class Took(Func):
    """The seconds a step took, from its opening to its end (PostgreSQL): the expression
    the indexes of ``tasks`` 0009 hold, so that the steps come out of the index ranked."""

    template = "date_part('epoch', (%(expressions)s))"
    output_field = FloatField()


PERIOD_WORK_MEM = "64MB"


@contextmanager
def _planned_for_the_period():
    """PostgreSQL plans the queries inside for the period they carry, each time.

    The connection prepares a query it has run five times (``project.env``'s
    ``prepare_threshold``), and PostgreSQL then keeps one generic plan of it, made without
    the period's bounds: for ten years of steps that plan ranks them from the index of when
    each closed (625 ms the dashboard) where the plan for the bounds reads the indexes of
    how long each took, presorted (230 ms).

    And sorts in memory: a median of ten years of steps sorts the durations of each step,
    550,000 of them, which at the server's default ``work_mem`` (4 MB) spilled to disk
    (the per-step table 101 → 68 ms at ``PERIOD_WORK_MEM``). Only these queries, which only
    the dashboard's few readers run, have the more memory.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        # Both for this transaction only (``is_local``), in one statement.
        cursor.execute(
            "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
            " set_config('work_mem', %s, true)",
            [PERIOD_WORK_MEM],
        )
        yield


def _durations(closed, by: str) -> list[dict]:
    """Per ``by``: how many steps closed, and the median and 90th percentile of the days each
    took."""
    if connection.vendor == "postgresql":
        # ``COUNT(*)``, not of the id, which the indexes do not hold: the table is not read.
        took = Took(
            ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField())
        )
        with _planned_for_the_period():
            return list(
                closed.values(by)
                .annotate(
                    count=Count("*"),
                    median=Percentile(took, 0.5) / DAY_SECONDS,
                    p90=Percentile(took, 0.9) / DAY_SECONDS,
                )
                .order_by(by)
            )
    grouped: dict = {}
    for key, opened, finished in closed.values_list(by, "opened_at", "closed_at"):
        grouped.setdefault(key, []).append((finished - opened).total_seconds() / DAY_SECONDS)
    return [
        {by: key, "count": len(days), "median": statistics.median(days), "p90": _p90(days)}
        for key, days in sorted(grouped.items(), key=lambda item: str(item[0]))
    ]


def _p90(days: list[float]) -> float:
    """The 90th percentile as PostgreSQL's percentile_cont computes it (linear)."""
    ordered = sorted(days)
    if len(ordered) == 1:
        return ordered[0]
    position = 0.9 * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _closed_in(period: Period):
    return TaskDeadline.objects.filter(
        closed_at__gte=period.since, closed_at__lte=period.until
    ).order_by()


def cycle_time_by_step(*, period: Period, steps: list[tuple[str, str]]) -> list[Figure]:
    """Days from a step's opening to its end, per step, over the steps closed in the
    period, in the process's order (``steps``: the process's steps, by name and title)."""
    rows = {row["step"]: row for row in _durations(_closed_in(period), "step")}
    return [Figure(step, title, rows[step]) for step, title in steps if step in rows]


def cycle_time_by_organisation(*, period: Period) -> list[Figure]:
    """Days each consulted organisation took to answer, over the period's answers."""
    closed = _closed_in(period).exclude(organisation=None)
    figures = _figures(_durations(closed, "organisation"), "organisation", Organisation)
    return sorted(figures, key=lambda figure: (-figure.values["median"], figure.label))


# --- Each ministry's consultation record --------------------------------------------------


def consultation_record(*, period: Period) -> list[Figure]:
    """Per consulted organisation, of the rounds opened in the period: answered by the
    round's deadline, answered after it, taken as answered by silence, still open."""
    answered = Q(answered_at__isnull=False, by_silence=False)
    consultations = (
        Consultation.objects.filter(
            round__opened_at__gte=period.since, round__opened_at__lte=period.until
        )
        .order_by()
        .values("organisation")
        .annotate(
            count=Count("*"),
            answered=Count("pk", filter=answered),
            on_time=Count("pk", filter=answered & Q(answered_on__lte=F("round__deadline"))),
            silence=Count("pk", filter=Q(by_silence=True)),
            waiting=Count("pk", filter=Q(answered_at__isnull=True, by_silence=False)),
        )
    )
    with _planned_for_the_period():
        rows = list(consultations)
    for row in rows:
        # Late is every answer that was not on time: one comparison of days a consultation,
        # not two (ten years of them: 278,000).
        row["late"] = row.pop("answered") - row["on_time"]
    return sorted(_figures(rows, "organisation", Organisation), key=lambda figure: figure.label)


# --- Signatures -----------------------------------------------------------------------------


def signed_per_month(*, period: Period) -> list[Figure]:
    """How many instruments were signed each month of the period, every month listed."""
    counts = {
        timezone.localtime(month).date() if isinstance(month, datetime) else month: count
        for month, count in SignOff.objects.filter(
            signed_at__gte=period.since, signed_at__lte=period.until
        )
        .order_by()
        .annotate(month=TruncMonth("signed_at"))
        .values_list("month")
        .annotate(count=Count("pk"))
    }
    return [Figure(month, "", {"count": counts.get(month, 0)}) for month in period.months()]


# --- The transfer of functions --------------------------------------------------------------


class Stage:
    """Where a transfer stands, from its instrument's status and its effective date."""

    DRAFTING = "drafting"
    CONSULTATION = "consultation"
    SIGNED = "signed"
    IN_FORCE = "in_force"

    OF_STATUS = {
        Instrument.Status.DRAFT: DRAFTING,
        Instrument.Status.INTERNAL_REVIEW: DRAFTING,
        Instrument.Status.CONSULTATION: CONSULTATION,
        Instrument.Status.CONSOLIDATION: CONSULTATION,
        Instrument.Status.LEGAL_REVIEW: CONSULTATION,
        Instrument.Status.SIGN_OFF: CONSULTATION,
        Instrument.Status.SIGNED: SIGNED,
        Instrument.Status.REGISTERED: SIGNED,
    }

    @classmethod
    def statuses(cls, stage: str) -> list[str]:
        return [status for status, of in cls.OF_STATUS.items() if of == stage]

    @classmethod
    def of(cls, row: ScheduleRow, *, today: date) -> str:
        stage = cls.OF_STATUS[row.instrument.status]
        if stage == cls.SIGNED and row.effective_date and row.effective_date <= today:
            return cls.IN_FORCE
        return stage


def transfers(*, stage: str = "", today: date):
    """The rows of every transfer schedule but a rejected instrument's, by ministry and
    function, each with its instrument (one query a page)."""
    rows = ScheduleRow.objects.filter(instrument__status__in=list(Stage.OF_STATUS)).select_related(
        "instrument__instrument_type", "from_ministry"
    )
    if stage == Stage.IN_FORCE:
        rows = rows.filter(
            instrument__status__in=Stage.statuses(Stage.SIGNED), effective_date__lte=today
        )
    elif stage == Stage.SIGNED:
        rows = rows.filter(instrument__status__in=Stage.statuses(Stage.SIGNED)).exclude(
            effective_date__lte=today
        )
    elif stage:
        rows = rows.filter(instrument__status__in=Stage.statuses(stage))
    return rows.order_by(khmer_order("from_ministry__name_km"), "instrument_id", "position", "pk")


def transfer_totals(rows) -> dict:
    """How many functions, staff, riel of budget the rows transfer."""
    return rows.order_by().aggregate(
        functions=Count("pk"),
        staff=Sum("staff_count", default=0),
        budget=Sum("budget_riel", default=0),
    )


def signed_versions(instrument_ids: list[int]) -> dict[int, int]:
    """Each signed instrument's signed version (its key, as the downloads take it)."""
    return dict(
        SignOff.objects.filter(instrument_id__in=instrument_ids).values_list(
            "instrument_id", "version_id"
        )
    )


def step_titles(steps: list[str]) -> dict[str, str]:
    return {step: step_title(step) or step for step in steps}
