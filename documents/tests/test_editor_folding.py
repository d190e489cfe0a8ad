"""The editor shows the whole structure of the text but the text of one chapter only: a
300-article instrument stays a page one can load, and every other chapter loads as it is
opened, for drafters and readers alike."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from documents import services
from documents.models import Instrument, InstrumentType, Provision
from documents.selectors import OUTLINE_RUN
from documents.tests.test_query_counts import build
from organisations.models import Organisation

MANDATE = Path(__file__).resolve().parents[2] / "tests/data/department-mandate.km.txt"
HTMX = {"HTTP_HX_REQUEST": "true"}
ZWSP = "\u200b"


def url(name, *args):
    return reverse(f"documents:{name}", args=args)


def page(client, *args, **query) -> str:
    response = client.get(url(*args), query)
    assert response.status_code == 200
    return response.content.decode().replace(ZWSP, "")


@pytest.fixture
def drafter_client(client, demo):
    client.force_login(demo["drafter"])
    return client


def new_instrument(demo) -> Instrument:
    return services.instrument_create(
        user=demo["drafter"],
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារ",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )


def chapters_of(demo, instrument, sizes) -> list[tuple[Provision, list[Provision]]]:
    """Chapters of ``sizes`` articles, each article's text naming its chapter and place."""
    made = []
    for number, size in enumerate(sizes, start=1):
        chapter = services.provision_add(
            instrument=instrument, user=demo["drafter"], kind="chapter", heading_km=f"ជំពូក{number}"
        )
        articles = Provision.objects.bulk_create(
            Provision(
                instrument=instrument,
                parent=chapter,
                kind="article",
                position=n,
                text_km=f"អត្ថបទ ជំពូក{number} មាត្រា{n} ។",
            )
            for n in range(1, size + 1)
        )
        made.append((chapter, articles))
    return made


def test_300_long_articles_fold_under_300_kb(drafter_client, demo):
    """15 chapters of 20 articles of three lines of the department's mandate each, as the
    page benchmark builds it: the text alone is larger than the page."""
    lines = MANDATE.read_text(encoding="utf-8").splitlines()
    bullets = [line.strip(" •") for line in lines if line.strip().startswith("•")]
    instrument = build(demo["drafter"], articles=300, rows=50)
    articles = list(Provision.objects.filter(instrument=instrument, kind="article").order_by("pk"))
    for n, article in enumerate(articles):
        article.text_km = " ".join(bullets[(n + k) % len(bullets)] for k in range(3))
    Provision.objects.bulk_update(articles, ["text_km"])
    assert sum(len(a.text_km.encode()) for a in articles) > 300 * 1024

    response = drafter_client.get(url("instrument", instrument.pk))
    assert response.status_code == 200
    assert len(response.content) < 300 * 1024, len(response.content)
    body = response.content.decode()
    assert body.count("lekhit-kind-chapter") == 15  # the whole structure
    assert body.count('class="lekhit-fold"') == 14  # all but the first chapter folded
    assert body.count("២០ មាត្រា") == 15  # each chapter's count, in Khmer digits


def test_only_the_opened_chapter_has_its_text_and_a_fold_loads_another(drafter_client, demo):
    instrument = new_instrument(demo)
    (first, _), (second, in_second), (third, in_third) = chapters_of(demo, instrument, [2, 3, 4])
    body = page(drafter_client, "instrument", instrument.pk)
    assert "ជំពូក1 មាត្រា2" in body
    assert "ជំពូក2" in body and "ជំពូក2 មាត្រា1" not in body  # the heading, not the text
    assert "ជំពូក3 មាត្រា1" not in body
    assert "៣ មាត្រា" in body and "៤ មាត្រា" in body
    fragment = url("outline_fold", instrument.pk, second.pk)
    assert f'hx-get="{fragment}"' in body
    assert (
        f'href="{url("instrument", instrument.pk)}?open={second.pk}#provision-{second.pk}"' in body
    )

    loaded = page(drafter_client, "outline_fold", instrument.pk, second.pk, **HTMX)
    assert [f"ជំពូក2 មាត្រា{n}" in loaded for n in (1, 2, 3)] == [True] * 3
    assert "ជំពូក1" not in loaded and "ជំពូក3" not in loaded
    assert 'lekhit-fold"' not in loaded  # the text itself, no fold inside
    assert f'data-pk="{in_second[0].pk}"' in loaded  # the editor's script gives it its buttons

    # Without scripts: the page with that chapter open, the others (the first too) folded.
    body = page(drafter_client, "instrument", instrument.pk, open=in_third[2].pk)
    assert "ជំពូក3 មាត្រា4" in body
    assert "ជំពូក1 មាត្រា1" not in body and "ជំពូក2 មាត្រា1" not in body
    assert f'id="lekhit-fold-{first.pk}"' in body
    assert f'id="lekhit-fold-{third.pk}"' not in body


def test_a_folded_chapter_keeps_its_sections_headings(drafter_client, demo):
    instrument = new_instrument(demo)
    chapters_of(demo, instrument, [1])
    (chapter, _), *_ = chapters_of(demo, instrument, [0])
    section = services.provision_add(
        instrument=instrument, user=demo["drafter"], kind="section", parent=chapter,
        heading_km="ផ្នែកនៃការផ្ទេរ",
    )  # fmt: skip
    services.provision_add(
        instrument=instrument, user=demo["drafter"], kind="article", parent=section,
        text_km="មាត្រាក្នុងផ្នែក។",
    )  # fmt: skip
    body = page(drafter_client, "instrument", instrument.pk)
    assert "ផ្នែកនៃការផ្ទេរ" in body and "ផ្នែកទី១" in body
    assert "មាត្រាក្នុងផ្នែក" not in body
    loaded = page(drafter_client, "outline_fold", instrument.pk, chapter.pk)
    assert "ផ្នែកនៃការផ្ទេរ" in loaded and "មាត្រាក្នុងផ្នែក" in loaded


def test_a_text_without_chapters_folds_in_runs_of_articles(drafter_client, demo):
    instrument = new_instrument(demo)
    articles = Provision.objects.bulk_create(
        Provision(instrument=instrument, kind="article", position=n, text_km=f"មាត្រាលេខ{n}។")
        for n in range(1, 76)
    )
    body = page(drafter_client, "instrument", instrument.pk)
    assert "មាត្រាលេខ30។" in body and "មាត្រាលេខ31។" not in body
    assert "បង្ហាញអត្ថបទពី មាត្រា ៣១ ដល់ មាត្រា ៦០" in body
    assert "បង្ហាញអត្ថបទពី មាត្រា ៦១ ដល់ មាត្រា ៧៥" in body
    run = articles[OUTLINE_RUN]
    loaded = page(drafter_client, "outline_fold", instrument.pk, run.pk)
    shown = [n for n in range(1, 76) if f"មាត្រាលេខ{n}។" in loaded]
    assert shown == list(range(31, 61))

    body = page(drafter_client, "instrument", instrument.pk, open=articles[70].pk)
    shown = [n for n in range(1, 76) if f"មាត្រាលេខ{n}។" in body]
    assert shown == list(range(61, 76))


def test_counts_are_in_the_reader_s_digits(drafter_client, demo):
    instrument = new_instrument(demo)
    chapters_of(demo, instrument, [12])
    assert "១២ មាត្រា" in page(drafter_client, "instrument", instrument.pk)
    demo["drafter"].language = "en"
    demo["drafter"].save(update_fields=["language"])
    with translation.override("en"):
        body = page(drafter_client, "instrument", instrument.pk)
    assert "12 articles" in body


def test_a_reader_gets_the_same_folds(client, demo):
    instrument = new_instrument(demo)
    (_, _), (second, _) = chapters_of(demo, instrument, [2, 2])
    client.force_login(demo["chief"])
    body = page(client, "instrument", instrument.pk)
    assert "ជំពូក2 មាត្រា1" not in body and f'id="lekhit-fold-{second.pk}"' in body
    assert "lekhit-provision-actions" not in body
    loaded = page(client, "outline_fold", instrument.pk, second.pk, **HTMX)
    assert "ជំពូក2 មាត្រា1" in loaded and "data-pk" not in loaded


def test_a_fold_is_refused_to_outsiders_and_for_another_instrument_s_provision(
    client, demo, monkeypatch
):
    instrument = new_instrument(demo)
    (chapter, articles), *_ = chapters_of(demo, instrument, [2])
    other = new_instrument(demo)
    chapters_of(demo, other, [2])
    client.force_login(demo["drafter"])
    assert client.get(url("outline_fold", instrument.pk, chapter.pk)).status_code == 200
    # The ids do not match: the chapter is not the other instrument's.
    assert client.get(url("outline_fold", other.pk, chapter.pk)).status_code == 404
    assert client.get(url("outline_fold", other.pk, articles[0].pk)).status_code == 404
    assert client.get(url("outline_fold", instrument.pk, 999999)).status_code == 404

    client.force_login(demo["reviewer-mef"])
    response = client.get(url("outline_fold", instrument.pk, chapter.pk), **HTMX)
    assert response.status_code in (403, 404)
    assert "ជំពូក1 មាត្រា1" not in response.content.decode()

    from documents import permissions

    client.force_login(demo["drafter"])
    monkeypatch.setattr(
        permissions.InstrumentPolicy, "view_objects", lambda self, user: Instrument.objects.none()
    )
    assert client.get(url("outline_fold", instrument.pk, chapter.pk)).status_code == 404


def count_queries(client, *args, **query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url(*args), query).status_code == 200
    return len(captured)


def test_a_chapter_costs_the_same_queries_for_10_and_100_articles(
    drafter_client, demo, django_assert_num_queries
):
    instrument = new_instrument(demo)
    (_, _), (small, _), (large, _) = chapters_of(demo, instrument, [1, 10, 100])
    drafter_client.get(url("instrument", instrument.pk))  # the first page writes the session

    queries = count_queries(drafter_client, "outline_fold", instrument.pk, small.pk)
    with django_assert_num_queries(queries):
        body = page(drafter_client, "outline_fold", instrument.pk, large.pk)
    assert body.count("lekhit-kind-article") == 100

    queries = count_queries(drafter_client, "instrument", instrument.pk, open=small.pk)
    with django_assert_num_queries(queries):
        body = page(drafter_client, "instrument", instrument.pk, open=large.pk)
    assert body.count("lekhit-kind-article") == 100


def test_a_change_in_chapter_3_gives_back_the_outline_with_chapter_3_open(drafter_client, demo):
    instrument = new_instrument(demo)
    made = chapters_of(demo, instrument, [2, 2, 3])
    (first, _), _, (third, in_third) = made

    def opened(response) -> set[int]:
        assert response.status_code == 200
        assert response["HX-Retarget"] == "#lekhit-outline"
        body = response.content.decode()
        return {n for n in (1, 2, 3) if f"ជំពូក{n} មាត្រា1" in body}

    added = drafter_client.post(
        url("provision_add", instrument.pk),
        {"parent": third.pk, "after": in_third[0].pk, "kind": "article", "text_km": "ថ្មី។"},
        **HTMX,
    )
    assert opened(added) == {3}
    assert "lekhit-highlight" in added.content.decode()
    assert f'id="lekhit-fold-{first.pk}"' in added.content.decode()

    moved = drafter_client.post(
        url("provision_move", instrument.pk, in_third[2].pk), {"direction": "up"}, **HTMX
    )
    assert opened(moved) == {3}

    deleted = drafter_client.post(url("provision_delete", instrument.pk, in_third[1].pk), **HTMX)
    assert opened(deleted) == {3}
    assert not Provision.objects.filter(pk=in_third[1].pk).exists()

    # An edit gives back the provision alone, in its place in the open chapter.
    article = Provision.objects.get(pk=in_third[0].pk)
    edited = drafter_client.post(
        url("provision_edit", instrument.pk, article.pk),
        {"text_km": "ជំពូក3 មាត្រា1 កែ។", "lock_version": article.lock_version},
        **HTMX,
    )
    assert edited.status_code == 200
    assert "ជំពូក3 មាត្រា1 កែ។" in edited.content.decode().replace(ZWSP, "")
    assert "lekhit-outline" not in edited.content.decode()

    # A chapter's heading edited keeps its count.
    chapter = Provision.objects.get(pk=third.pk)
    edited = drafter_client.post(
        url("provision_edit", instrument.pk, chapter.pk),
        {"heading_km": "ជំពូកទីបី", "lock_version": chapter.lock_version},
        **HTMX,
    )
    assert "៣ មាត្រា" in edited.content.decode()  # 3, plus one added, less one deleted

    # Without scripts, the redirect opens the chapter too.
    response = drafter_client.post(
        url("provision_move", instrument.pk, in_third[2].pk), {"direction": "down"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?open={in_third[2].pk}#provision-{in_third[2].pk}")


def test_the_folds_of_parts_chapters_and_annexes():
    """No database: chapters fold whole; articles outside chapters (in a part, at the top, in
    an annex) fold in runs of their own siblings; parts, annexes and the preamble never fold,
    and every heading counts the articles under it."""
    from types import SimpleNamespace

    from documents.numbering import number_tree
    from documents.selectors import outline_of

    rows = [
        (1, None, "preamble_item"),
        (2, None, "part"),
        (3, 2, "article"),
        (4, 3, "paragraph"),
        (5, 2, "chapter"),
        (6, 5, "section"),
        (7, 6, "article"),
        (8, 5, "article"),
        (9, 2, "article"),  # after the chapter: a run of its own
        (10, None, "article"),
        (11, None, "annex"),
        (12, 11, "article"),
    ]
    provisions = [
        SimpleNamespace(pk=pk, parent_id=parent, kind=kind, position=pk)
        for pk, parent, kind in rows
    ]
    outline = outline_of(nodes=number_tree(provisions))
    assert [(fold.key, fold.chapter is not None) for fold in outline.folds] == [
        (3, False),
        (5, True),
        (9, False),
        (10, False),
        (12, False),
    ]
    assert [node.provision.pk for node in outline.fold_holding(5).nodes] == [6, 7, 8]
    assert outline.fold_holding(4).key == 3  # a paragraph folds with its article
    assert outline.fold_holding(1) is outline.fold_holding(2) is outline.fold_holding(11) is None
    assert outline.articles == {2: 4, 5: 2, 6: 1, 11: 1}
    shown = outline.blocks(opened=outline.fold_holding(7))
    nodes = [block["node"].provision.pk for block in shown if "node" in block]
    folds = [block["fold"].key for block in shown if "fold" in block]
    assert nodes == [1, 2, 5, 6, 7, 8, 11]
    assert folds == [3, 9, 10, 12]
