"""Working days in Cambodia: no weekends, no public holidays, with the administrator's changes.

Deadlines are counted in working days ("10 working days from submission"), in the time zone of
the settings (Asia/Phnom_Penh). Public holidays come from the ``holidays`` package, with their
Khmer names; ``CalendarDay`` rows add or remove days.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays

from tasks.models import CalendarDay

WEEKEND = {5, 6}  # Saturday, Sunday


@lru_cache(maxsize=32)
def _public_holidays(year: int, language: str) -> dict[date, str]:
    return dict(holidays.country_holidays("KH", years=year, language=language).items())


def public_holiday_name(day: date, language: str = "km") -> str | None:
    return _public_holidays(day.year, "km" if language == "km" else "en_US").get(day)


class WorkingCalendar:
    """Answers "is this a working day" for a span of dates with one query for the overrides."""

    def __init__(self, start: date, end: date):
        self.overrides = dict(
            CalendarDay.objects.filter(day__range=(start, end)).values_list("day", "is_working_day")
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() not in WEEKEND and public_holiday_name(day) is None


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    # Even a long holiday season cannot make a working day rarer than one in three.
    calendar = WorkingCalendar(start, start + timedelta(days=days * 3 + 30))
    current, remaining = start, days
    while remaining:
        current += timedelta(days=1)
        if calendar.is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
    if end < start:
        return -working_days_between(end, start)
    calendar = WorkingCalendar(start, end)
    return sum(
        calendar.is_working_day(start + timedelta(days=offset))
        for offset in range(1, (end - start).days + 1)
    )


class CachedCalendar:
    """Working-day arithmetic for a job that asks many questions (the sweep, the digest).

    ``add_working_days`` reads the administrator's days once per call; the sweep asks for
    thousands of dates, so this reads them once per calendar year touched and memoises each
    answer. Build one per job run: a correction the administrator makes is seen by the next.
    """

    def __init__(self):
        self._overrides: dict[date, bool] = {}
        self._years: set[int] = set()
        self._added: dict[tuple[date, int], date] = {}

    def _load(self, year: int) -> None:
        if year not in self._years:
            self._years.add(year)
            self._overrides.update(
                CalendarDay.objects.filter(day__year=year).values_list("day", "is_working_day")
            )

    def is_working_day(self, day: date) -> bool:
        self._load(day.year)
        if day in self._overrides:
            return self._overrides[day]
        return day.weekday() not in WEEKEND and public_holiday_name(day) is None

    def add(self, start: date, days: int) -> date:
        """``days`` working days after ``start``, as ``add_working_days``; negative goes back."""
        key = (start, days)
        if key not in self._added:
            step = timedelta(days=1 if days >= 0 else -1)
            current, remaining = start, abs(days)
            while remaining:
                current += step
                if self.is_working_day(current):
                    remaining -= 1
            self._added[key] = current
        return self._added[key]
