"""The query budget ``make bench`` holds the process to (``bench/bench_process.py``)."""

from bench.bench_process import JOURNEY_BUDGET, budget_broken


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
