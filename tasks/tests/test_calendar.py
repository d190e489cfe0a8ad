"""Working days in Phnom Penh: weekends, Cambodian public holidays, the administrator's days."""

from datetime import date, timedelta

import pytest

from tasks.calendar import (
    CachedCalendar,
    add_working_days,
    public_holiday_name,
    working_days_between,
)
from tasks.models import CalendarDay

from .conftest import at

FRIDAY = date(2026, 12, 4)


def test_weekends_are_not_working_days(db):
    assert add_working_days(FRIDAY, 1) == date(2026, 12, 7)  # Monday
    assert add_working_days(FRIDAY, 5) == date(2026, 12, 11)
    assert working_days_between(FRIDAY, date(2026, 12, 7)) == 1


def test_a_cambodian_public_holiday_is_skipped_and_named_in_khmer(db):
    # Monday 9 November 2026 is Independence Day.
    assert add_working_days(date(2026, 11, 6), 1) == date(2026, 11, 10)
    assert public_holiday_name(date(2026, 11, 9)) == "ពិធីបុណ្យឯករាជ្យជាតិ"
    assert public_holiday_name(date(2026, 11, 9), "en") == "National Independence Day"
    # The three days of the Water Festival.
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 26)


def test_a_holiday_the_administrator_adds(db):
    CalendarDay.objects.create(day=date(2026, 12, 7), is_working_day=False, name_en="Extra")
    assert add_working_days(FRIDAY, 1) == date(2026, 12, 8)


def test_a_day_the_administrator_opens(db):
    CalendarDay.objects.create(day=date(2026, 12, 5), is_working_day=True)  # a Saturday
    assert add_working_days(FRIDAY, 1) == date(2026, 12, 5)
    CalendarDay.objects.create(day=date(2026, 11, 9), is_working_day=True)  # a holiday
    assert add_working_days(date(2026, 11, 6), 1) == date(2026, 11, 9)


def test_the_administrator_s_days_are_read_once_and_a_change_is_seen(
    db, django_assert_num_queries, monkeypatch
):
    from tasks import calendar

    add_working_days(FRIDAY, 1)  # loads the days and durations
    with django_assert_num_queries(0):
        assert add_working_days(FRIDAY, 3) == date(2026, 12, 9)
    CalendarDay.objects.create(day=date(2026, 12, 7), is_working_day=False)  # this process
    assert add_working_days(FRIDAY, 1) == date(2026, 12, 8)
    # Another process's change (no signal here) is seen once the copy is old enough.
    CalendarDay.objects.filter(day=date(2026, 12, 7)).update(is_working_day=True)
    assert add_working_days(FRIDAY, 1) == date(2026, 12, 8)
    later = calendar.time.monotonic() + calendar.SETTINGS_MAX_AGE + 1
    monkeypatch.setattr(calendar.time, "monotonic", lambda: later)
    assert add_working_days(FRIDAY, 1) == date(2026, 12, 7)


def test_the_cached_calendar_agrees_with_the_plain_one_both_ways(db):
    CalendarDay.objects.create(day=date(2026, 12, 30), is_working_day=False)
    calendar = CachedCalendar()
    start = date(2026, 12, 20)
    for offset in range(20):
        day = start + timedelta(days=offset)
        for days in range(0, 8):
            forward = calendar.add(day, days)
            assert forward == add_working_days(day, days)
            if calendar.is_working_day(day) and days:
                assert calendar.add(forward, -days) == day


@pytest.mark.django_db
def test_a_deadline_counts_from_the_day_in_phnom_penh_not_utc(demo, instrument):
    from workflows import services

    # 06:30 on Friday in Phnom Penh is still Thursday in UTC.
    with at(2026, 12, 4, 6, 30):
        process = services.process_start(instrument=instrument, user=demo["drafter"])
    deadline = process.task_set.get(flow_task__endswith="chief_review").deadline
    assert deadline.due_on == add_working_days(FRIDAY, 3) == date(2026, 12, 9)
