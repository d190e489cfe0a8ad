"""The query budget ``make bench`` holds the process to (``bench/bench_process.py``)."""

from datetime import timedelta

import pytest

from bench.bench_process import JOURNEY_BUDGET, budget_broken, copy_journey

DAY = 86_400


def test_the_same_counts_within_the_budget_pass():
    steps = [("start", 19), ("review", JOURNEY_BUDGET - 19)]
    assert budget_broken(steps, list(steps)) == []


def test_a_step_that_grows_with_the_database_breaks_it():
    assert budget_broken([("start", 19), ("review", 15)], [("start", 19), ("review", 16)]) == [
        "queries grow with the database at: review"
    ]


def test_a_journey_over_the_budget_breaks_it():
    steps = [("start", JOURNEY_BUDGET + 1)]
    assert budget_broken(steps, list(steps)) == [
        f"the journey costs {JOURNEY_BUDGET + 1} queries, over {JOURNEY_BUDGET}"
    ]


@pytest.mark.django_db
def test_copies_spread_back_in_time_each_earlier_by_the_step(demo):
    """The page benchmark's ten years: copy k of a journey, every date and time of it, k
    steps earlier (a time, a date) — the same journey done on another day."""
    from documents.models import Instrument
    from workflows.models import ConsultationRound, SignOff
    from workflows.tests.test_list_queries import journeys

    registered = journeys(demo)[0]
    copy_journey(registered, 3, first=1, earlier_each=2 * DAY)
    copies = Instrument.objects.filter(title_km=registered.title_km).order_by("pk")
    created = [instrument.created_at for instrument in copies]
    days = [2 * k * DAY for k in range(4)]
    # SQLite keeps the copies' times to the millisecond
    assert [round((created[0] - at).total_seconds()) for at in created] == days
    signed = list(
        SignOff.objects.filter(process__instrument__in=copies)
        .order_by("process__instrument")
        .values_list("signed_at", flat=True)
    )
    assert [round((signed[0] - at).total_seconds()) for at in signed] == days
    deadlines = list(
        ConsultationRound.objects.filter(process__instrument__in=copies)
        .order_by("process__instrument", "pk")
        .values_list("deadline", flat=True)
    )
    rounds = len(deadlines) // 4
    assert [deadlines[0] - deadlines[k * rounds] for k in range(4)] == [
        timedelta(days=d) for d in (0, 2, 4, 6)
    ]
