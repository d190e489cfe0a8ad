"""The comparison page shows what changed: unchanged provisions fold into a link that opens
them, so a 300-article instrument with 28 changed articles stays a page one can load."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents import services
from documents.models import Provision, ScheduleRow
from documents.tests.test_query_counts import build, count_queries

MANDATE = Path(__file__).resolve().parents[2] / "tests/data/department-mandate.km.txt"
CHANGED = 28


def url(instrument, **query):
    address = reverse("documents:compare", args=[instrument.pk])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def long_texts():
    lines = MANDATE.read_text(encoding="utf-8").splitlines()
    bullets = [line.strip(" •") for line in lines if line.strip().startswith("•")]
    return [" ".join(bullets[(n + k) % len(bullets)] for k in range(3)) for n in range(300)]


def versions_with_changes(demo, articles: int, long_texts, changed: int = CHANGED):
    """An instrument of ``articles`` articles of real Khmer text saved as a version, then
    ``changed`` of them edited in the working draft and saved again."""
    instrument = build(demo["drafter"], articles=articles, rows=50)
    mine = Provision.objects.filter(instrument=instrument, kind="article").order_by("pk")
    for article, text in zip(mine, long_texts, strict=False):
        article.text_km = text
    Provision.objects.bulk_update(mine, ["text_km"])
    first = services.version_create(instrument=instrument, user=demo["drafter"], label="ក")
    step = max(1, articles // changed)
    for article in list(mine)[::step][:changed]:
        services.provision_update(
            provision=article,
            user=demo["drafter"],
            expected_lock_version=article.lock_version,
            text_km=article.text_km.replace("មុខងារ", "ភារកិច្ច", 1) + " និងរដ្ឋបាលខេត្ត",
        )
    second = services.version_create(instrument=instrument, user=demo["drafter"], label="ខ")
    return instrument, first, second


@pytest.fixture
def drafter_client(client, demo):
    client.force_login(demo["drafter"])
    return client


def test_300_articles_with_28_changed_fold_under_150_kb(drafter_client, demo, long_texts):
    instrument, first, second = versions_with_changes(demo, 300, long_texts)
    response = drafter_client.get(url(instrument, a=first.pk, b=second.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["summary"].changed == CHANGED
    assert len(response.content) < 150 * 1024, len(response.content)
    assert body.count("lekhit-compare-row--changed") == CHANGED
    # Each run of unchanged articles is one link, and the folds account for all of them.
    folds = [b["folded"] for b in response.context["blocks"] if "folded" in b]
    assert sum(folds) == 300 + 300 - CHANGED  # each article has one paragraph
    assert "unfold=" in body and "all=1" in body

    # Every provision, when asked for, is far larger: the fold is what keeps the page small.
    whole = drafter_client.get(url(instrument, a=first.pk, b=second.pk, all=1))
    assert whole.content.decode().count('class="lekhit-compare-row ') == 300 + 300 + 15
    assert len(whole.content) > 4 * len(response.content)


def test_a_fold_opens_to_its_unchanged_provisions(drafter_client, demo, long_texts):
    instrument, first, second = versions_with_changes(demo, 40, long_texts, changed=2)
    page = drafter_client.get(url(instrument, a=first.pk, b=second.pk))
    fold = next(b for b in page.context["blocks"] if "folded" in b)
    link = re.search(r'hx-get="([^"]*unfold=[^"]*)"', page.content.decode()).group(1)
    part = drafter_client.get(link.replace("&amp;", "&"), HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    body = part.content.decode()
    assert "<html" not in body  # a fragment, swapped in place of the link
    assert body.count('class="lekhit-compare-row lekhit-compare-row--unchanged') == fold["folded"]
    assert f'data-uid="{fold["first"]}"' in body
    assert (
        drafter_client.get(url(instrument, a=first.pk, b=second.pk, unfold="x")).status_code == 404
    )


def test_unchanged_schedule_rows_fold_too(drafter_client, demo, long_texts):
    instrument, first, second = versions_with_changes(demo, 20, long_texts, changed=1)
    row = ScheduleRow.objects.filter(instrument=instrument).order_by("position").first()
    services.schedule_row_update(
        row=row, user=demo["drafter"], expected_lock_version=row.lock_version, staff_count=9
    )
    third = services.version_create(instrument=instrument, user=demo["drafter"], label="គ")
    response = drafter_client.get(url(instrument, a=first.pk, b=third.pk))
    assert [r.uid for r in response.context["schedule_rows"]] == [str(row.uid)]
    assert response.context["schedule_folded"] == 49
    assert "៤៩" in response.content.decode()


def test_the_comparison_costs_the_same_queries_for_10_articles_or_300(
    drafter_client, demo, long_texts
):
    small, small_a, small_b = versions_with_changes(demo, 10, long_texts, changed=2)
    large, large_a, large_b = versions_with_changes(demo, 300, long_texts)
    for query in ({}, {"all": 1}):
        counts = [
            count_queries(
                lambda i=i, a=a, b=b, query=query: drafter_client.get(
                    url(i, a=a.pk, b=b.pk, **query)
                )
            )
            for i, a, b in ((small, small_a, small_b), (large, large_a, large_b))
        ]
        assert counts[0] == counts[1], counts


def test_a_fold_asks_again_for_no_snapshot_the_page_has_read(drafter_client, demo, long_texts):
    """Two saved versions never change: the fold links' requests (and a second look at the
    page) reuse what the page decoded and compared, and show the same comparison."""
    instrument, a, b = versions_with_changes(demo, 300, long_texts)
    with CaptureQueriesContext(connection) as first:
        page = drafter_client.get(url(instrument, a=a.pk, b=b.pk))
    with CaptureQueriesContext(connection) as again:
        repeated = drafter_client.get(url(instrument, a=a.pk, b=b.pk))
    reads_snapshots = [q for q in first.captured_queries if '"snapshot"' in q["sql"]]
    assert len(reads_snapshots) == 1  # both versions' snapshots in one query
    assert not [q for q in again.captured_queries if '"snapshot"' in q["sql"]]
    assert repeated.context["summary"] == page.context["summary"]
    assert repeated.context["summary"].changed == CHANGED


def test_the_first_article_deleted_folds_the_299_it_renumbers(drafter_client, demo, long_texts):
    """The first article deleted renumbers every one after it: their text is the same, so
    they fold too, and the fold says how many it renumbered; opening it shows each with its
    "Renumbered" badge."""
    instrument, first, _second = versions_with_changes(demo, 300, long_texts, changed=1)
    top = Provision.objects.filter(instrument=instrument, kind="article").order_by("pk").first()
    services.provision_delete(provision=top, user=demo["drafter"])
    third = services.version_create(instrument=instrument, user=demo["drafter"], label="គ")
    page = drafter_client.get(url(instrument, a=first.pk, b=third.pk))
    assert page.context["summary"].renumbered >= 299
    assert len(page.content) < 150 * 1024, len(page.content)
    folds = [b for b in page.context["blocks"] if "folded" in b]
    assert sum(b["renumbered"] for b in folds) == page.context["summary"].renumbered
    assert "ប្ដូរលេខរៀង" in page.content.decode()
    link = re.search(r'hx-get="([^"]*unfold=[^"]*)"', page.content.decode()).group(1)
    part = drafter_client.get(link.replace("&amp;", "&"), HTTP_HX_REQUEST="true")
    assert "lekhit-badge--renumbered" in part.content.decode()
