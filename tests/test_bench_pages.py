"""What makes the page benchmark fail, and its percentiles (``bench/bench_pages.py``)."""

from bench.bench_pages import percentile, queries_grow


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
