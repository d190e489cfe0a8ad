"""What makes the page benchmark fail, and its percentiles (``bench/bench_pages.py``)."""

from bench.bench_pages import lists_behind, percentile, queries_grow, server_errors


def test_queries_that_grow_between_the_sizes_are_named():
    small = {("inbox", "chief"): {"queries": 19}, ("archive", "dg"): {"queries": 43}}
    large = {("inbox", "chief"): {"queries": 19}, ("archive", "dg"): {"queries": 44}}
    assert queries_grow(small, large) == ["archive (dg): 43 -> 44"]


def test_the_same_or_fewer_queries_pass():
    small = {("inbox", "chief"): {"queries": 19}, ("trivial", None): {"queries": 4}}
    large = {("inbox", "chief"): {"queries": 18}, ("trivial", None): {"queries": 4}}
    assert queries_grow(small, large) == []


def test_percentiles_are_nearest_rank():
    timings = [float(n) for n in range(1, 21)]
    assert percentile(timings, 0.5) == 10.0
    assert percentile(timings, 0.95) == 19.0
    assert percentile([7.0], 0.95) == 7.0


def test_lists_behind_the_admin_beside_them_or_slow_at_p95_are_named():
    table = {
        ("inbox", "dg"): {"ratio": 1.08, "cells": [(43.0, 60.0), (150.0, 200.0)]},
        ("archive", "dg"): {"ratio": 0.80, "cells": [(30.0, 151.0), (90.0, 120.0)]},
        ("queue", "dg"): {"ratio": 1.00, "cells": [(40.0, 149.0), (90.0, 120.0)]},
        ("instrument list, filtered", "chief"): {"ratio": 0.9, "cells": [(40.0, 60.0)] * 2},
        # not a list: held to other goals
        ("search, one word", "dg"): {"ratio": 1.5, "cells": [(60.0, 200.0)] * 2},
        # a page the role may not open
        ("instrument list", "reviewer-moh"): {"status": 403},
    }
    assert lists_behind(table) == [
        "inbox (dg): p50 1.08 of the admin's, p95 60 ms",
        "archive (dg): p50 0.80 of the admin's, p95 151 ms",
    ]


def test_a_server_error_under_load_fails_the_run_as_one_to_the_test_client_does():
    tables = {
        "S": {
            ("inbox", "dg"): {"status": 200, "served": {200}},
            ("archive", "dg"): {"status": 200, "served": {200, 500}},  # under load only
            ("matrix", "chief"): {"status": 500},
            ("instrument list", "reviewer-moh"): {"status": 403},
            ("trivial view /health/", None): {"status": 503, "served": {503}},
        }
    }
    assert server_errors(tables) == ["archive (dg) at S", "matrix (chief) at S"]
