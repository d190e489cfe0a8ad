"""Working days in Cambodia: no weekends, no public holidays, with the administrator's changes.

Deadlines are counted in working days ("10 working days from submission"), in the time zone of
the settings (Asia/Phnom_Penh). Public holidays come from the ``holidays`` package, with their
Khmer names; ``CalendarDay`` rows add or remove days.

The administrator's days and step durations (``StepDuration``) are read once and shared by
every request and job of a process for ``SETTINGS_MAX_AGE``: every task the process opens
needs both, and they change a few times a year. A change saved in this process is seen at
once; other processes see it within ``SETTINGS_MAX_AGE``.
"""

import threading
import time
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tasks.models import CalendarDay, StepDuration

WEEKEND = {5, 6}  # Saturday, Sunday
SETTINGS_MAX_AGE = 60.0  # seconds


class _Settings:
    """The administrator's calendar days and step durations, read together and kept for
    ``SETTINGS_MAX_AGE``; ``clear()`` makes the next reader load them again."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loaded = None  # (monotonic time, overrides, durations)

    def _current(self):
        loaded = self._loaded
        if loaded is None or time.monotonic() - loaded[0] > SETTINGS_MAX_AGE:
            with self._lock:
                loaded = self._loaded
                if loaded is not None and time.monotonic() - loaded[0] <= SETTINGS_MAX_AGE:
                    return loaded  # another thread has just read them
                overrides = dict(CalendarDay.objects.values_list("day", "is_working_day"))
                durations = {
                    (row.instrument_type_id, row.step): row for row in StepDuration.objects.all()
                }
                loaded = self._loaded = (time.monotonic(), overrides, durations)
        return loaded

    def overrides(self) -> dict[date, bool]:
        return self._current()[1]

    def durations(self) -> dict[tuple[int | None, str], StepDuration]:
        return self._current()[2]

    def clear(self) -> None:
        self._loaded = None


settings_cache = _Settings()


@receiver([post_save, post_delete], sender=CalendarDay)
@receiver([post_save, post_delete], sender=StepDuration)
def _settings_changed(**kwargs):
    """Now, and again once the change is committed (a reader in between would have kept the
    rows of before)."""
    settings_cache.clear()
    transaction.on_commit(settings_cache.clear)


@lru_cache(maxsize=32)
def _public_holidays(year: int, language: str) -> dict[date, str]:
    return dict(holidays.country_holidays("KH", years=year, language=language).items())


def public_holiday_name(day: date, language: str = "km") -> str | None:
    return _public_holidays(day.year, "km" if language == "km" else "en_US").get(day)


def is_working_day(day: date, overrides: dict[date, bool] | None = None) -> bool:
    overrides = settings_cache.overrides() if overrides is None else overrides
    if day in overrides:
        return overrides[day]
    return day.weekday() not in WEEKEND and public_holiday_name(day) is None


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    overrides = settings_cache.overrides()
    current, remaining = start, days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current, overrides):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
    if end < start:
        return -working_days_between(end, start)
    overrides = settings_cache.overrides()
    return sum(
        is_working_day(start + timedelta(days=offset), overrides)
        for offset in range(1, (end - start).days + 1)
    )


class CachedCalendar:
    """Working-day arithmetic for a job that asks many questions (the sweep, the digest):
    the administrator's days as they were when the job began, and each answer memoised."""

    def __init__(self):
        self._overrides = settings_cache.overrides()
        self._added: dict[tuple[date, int], date] = {}

    def is_working_day(self, day: date) -> bool:
        return is_working_day(day, self._overrides)

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
