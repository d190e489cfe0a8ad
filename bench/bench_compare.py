"""Benchmark of the comparison page on a 300-article Khmer instrument with 28 changed articles.

Run from the project root: ``.venv/bin/python bench/bench_compare.py [runs]``.

Prints the size of the page's HTML and the median time the server takes to
answer it (the whole request through Django's test client, middleware and template included),
over ``runs`` runs (20 by default): at the first look of a process at the pair (the two
snapshots decoded and compared), and again (the fold links; what ``documents.selectors`` keeps
of saved versions reused). Unchanged provisions are collapsed; the figure for the page
with every provision shown (``?all=1``) is printed beside it.

Goals (issue 11): under 150 KB and under 50 ms. Database: as in ``bench_documents.py``.
"""

import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_documents import build, mandate_bullets, measure, on_demo_database  # noqa: E402

CHANGED = 28
GOAL_BYTES, GOAL_MS = 150 * 1024, 50.0


def run(runs: int) -> int:
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from documents import services
    from khmer.segment import words

    rng = random.Random(2028)  # noqa: S311 - seeded: every run benchmarks the same text
    bullets = mandate_bullets()
    drafter, instrument, articles, _rows = build(rng, bullets)
    first = services.version_create(instrument=instrument, user=drafter, label="ពង្រាងដំបូង")
    vocabulary = sorted({token for bullet in bullets for token in words(bullet) if token.strip()})
    for article in rng.sample(articles, CHANGED):
        tokens = words(article.text_km)
        for _ in range(3):
            tokens[rng.randrange(len(tokens))] = rng.choice(vocabulary)
        services.provision_update(
            provision=article,
            user=drafter,
            expected_lock_version=article.lock_version,
            text_km="".join(tokens),
        )
    second = services.version_create(instrument=instrument, user=drafter, label="ពង្រាងទីពីរ")

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    setup_test_environment()  # the test client's host is allowed, e-mail kept in memory
    # As in Django's TestCase: the connection stays open between requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client = Client()
    client.force_login(drafter)
    address = reverse("documents:compare", args=[instrument.pk])
    failed = 0
    from documents.selectors import comparison_memo, snapshot_memo

    def first_look(query):
        # As the first request of a process for this pair: the snapshots decoded, compared.
        snapshot_memo.clear()
        comparison_memo.clear()
        return client.get(address, query)

    print(f"{'page':<40} {'KB':>8} {'first ms':>9} {'again ms':>9}   (medians of {runs} runs)")
    for name, query, goals in [
        ("compare, unchanged collapsed", {"a": first.pk, "b": second.pk}, True),
        ("compare, every provision (?all=1)", {"a": first.pk, "b": second.pk, "all": 1}, False),
    ]:
        response = client.get(address, query)
        assert response.status_code == 200, response.status_code
        size = len(response.content)
        _, cold = measure(lambda query=query: first_look(query), runs)
        _, warm = measure(lambda query=query: client.get(address, query), runs)
        print(f"{name:<40} {size / 1024:>8.1f} {cold:>9.1f} {warm:>9.1f}")
        if goals and (size >= GOAL_BYTES or cold >= GOAL_MS):
            print(f"  over the goal: {GOAL_BYTES // 1024} KB and {GOAL_MS:.0f} ms at first look")
            failed = 1
    return failed


def main(runs: int = 20) -> int:
    return on_demo_database(run, runs)


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
