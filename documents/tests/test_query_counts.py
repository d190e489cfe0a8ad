"""Opening, saving and versioning cost the same number of queries for 10 articles or 300.

A count that grows with the text is an N+1: fine on a demo, unusable on a real instrument.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents import services
from documents.models import Instrument, InstrumentType, Provision, ScheduleRow
from documents.selectors import (
    instrument_snapshot,
    instrument_timeline,
    instrument_tree,
    schedule_rows,
    version_list,
)
from organisations.models import Organisation

ARTICLES_PER_CHAPTER = 20


def build(user, articles: int, rows: int) -> Instrument:
    """An instrument of ``articles`` articles in chapters of 20, each with one paragraph."""
    instrument = services.instrument_create(
        user=user,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យ",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    chapter_count = -(-articles // ARTICLES_PER_CHAPTER)
    chapters = Provision.objects.bulk_create(
        Provision(instrument=instrument, kind="chapter", position=i + 1, heading_km=f"ជំពូក {i}")
        for i in range(chapter_count)
    )
    made = Provision.objects.bulk_create(
        Provision(
            instrument=instrument,
            parent=chapters[n // ARTICLES_PER_CHAPTER],
            kind="article",
            position=n % ARTICLES_PER_CHAPTER + 1,
            text_km=f"មាត្រា​ទី {n} នៃ​អនុក្រឹត្យ",
        )
        for n in range(articles)
    )
    Provision.objects.bulk_create(
        Provision(instrument=instrument, parent=article, kind="paragraph", position=1, text_km="ក")
        for article in made
    )
    ministries = list(Organisation.objects.filter(kind=Organisation.Kind.MINISTRY))
    ScheduleRow.objects.bulk_create(
        ScheduleRow(
            instrument=instrument,
            position=i + 1,
            function_km=f"មុខងារ {i}",
            from_ministry=ministries[i % len(ministries)],
            level=ScheduleRow.Level.PROVINCE,
        )
        for i in range(rows)
    )
    return Instrument.objects.get(pk=instrument.pk)  # fresh: nothing cached on it


@pytest.fixture
def small_and_large(demo):
    small = build(demo["drafter"], articles=10, rows=2)
    large = build(demo["drafter"], articles=300, rows=60)
    assert Provision.objects.filter(instrument=large, kind="article").count() == 300
    return small, large


def count_queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


def counts(small, large, action) -> tuple[int, int]:
    return tuple(
        count_queries(lambda i=i: action(Instrument.objects.get(pk=i.pk))) for i in (small, large)
    )


def test_opening_the_editor(small_and_large):
    def open_editor(instrument):
        nodes = instrument_tree(instrument=instrument)
        for node in nodes:
            node.label("km")
        rows = schedule_rows(instrument=instrument)
        for row in rows:
            str(row.from_ministry)

    small, large = counts(*small_and_large, open_editor)
    assert small == large
    assert len(instrument_tree(instrument=small_and_large[1])) == 15 + 300 + 300


def test_snapshot(small_and_large):
    small, large = counts(*small_and_large, lambda i: instrument_snapshot(instrument=i))
    assert small == large


def test_saving_a_provision(small_and_large, demo):
    def save(instrument):
        article = Provision.objects.filter(instrument=instrument, kind="article").last()
        services.provision_update(
            provision=article,
            user=demo["drafter"],
            expected_lock_version=article.lock_version,
            text_km="អត្ថបទ​ថ្មី",
        )

    small, large = counts(*small_and_large, save)
    assert small == large


def test_saving_a_provision_as_co_drafter(small_and_large, demo):
    for instrument in small_and_large:
        instrument.co_drafters.add(demo["legal"])

    def save(instrument):
        article = Provision.objects.filter(instrument=instrument, kind="article").first()
        services.provision_update(
            provision=article,
            user=demo["legal"],
            expected_lock_version=article.lock_version,
            text_km="អត្ថបទ",
        )

    small, large = counts(*small_and_large, save)
    assert small == large


def test_saving_a_version(small_and_large, demo):
    def save(instrument):
        services.version_create(instrument=instrument, user=demo["drafter"], label="v")

    small, large = counts(*small_and_large, save)
    assert small == large


def test_listing_versions_and_the_timeline(small_and_large, demo):
    for instrument in small_and_large:
        for n in range(3):
            services.version_create(instrument=instrument, user=demo["drafter"], label=f"v{n}")

    def read(instrument):
        for version in version_list(instrument=instrument):
            str(version.created_by)
        for entry in instrument_timeline(instrument=instrument):
            str(entry.who)

    small, large = counts(*small_and_large, read)
    assert small == large
