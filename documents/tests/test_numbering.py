"""Numbers of provisions: computed from the order, never stored, following Khmer practice."""

from itertools import count
from types import SimpleNamespace

import pytest
from django.utils import translation

from documents import services
from documents.models import InstrumentType, Provision
from documents.numbering import number_tree, provision_label
from documents.selectors import instrument_tree

_ids = count(1)


def node(kind, parent=None, position=1):
    """A stand-in for a Provision: number_tree needs only pk, parent_id, kind and position."""
    return SimpleNamespace(
        pk=next(_ids), parent_id=parent.pk if parent else None, kind=kind, position=position
    )


def numbers(provisions):
    return {id(n.provision): n.number for n in number_tree(provisions)}


# --- Pure numbering -------------------------------------------------------------------------


def test_articles_count_through_the_whole_instrument_across_chapters():
    ch1, ch2 = node("chapter", position=1), node("chapter", position=2)
    a1, a2 = node("article", ch1, 1), node("article", ch1, 2)
    a3, a4 = node("article", ch2, 1), node("article", ch2, 2)
    got = numbers([a4, ch2, a1, a3, ch1, a2])  # any input order: the positions decide
    assert [got[id(p)] for p in (ch1, ch2)] == ["1", "2"]
    assert [got[id(p)] for p in (a1, a2, a3, a4)] == ["1", "2", "3", "4"]


def test_document_order_is_depth_first_by_position():
    ch1, ch2 = node("chapter", position=2), node("chapter", position=1)
    a = node("article", ch1, 1)
    b = node("article", ch2, 1)
    ordered = [n.provision for n in number_tree([ch1, a, ch2, b])]
    assert ordered == [ch2, b, ch1, a]
    assert [n.depth for n in number_tree([ch1, a, ch2, b])] == [0, 1, 0, 1]


def test_sections_count_within_their_chapter_and_articles_run_on_through_them():
    ch1, ch2 = node("chapter", position=1), node("chapter", position=2)
    s11, s12 = node("section", ch1, 1), node("section", ch1, 2)
    s21 = node("section", ch2, 1)
    a1, a2, a3 = node("article", s11, 1), node("article", s12, 1), node("article", s21, 1)
    got = numbers([ch1, ch2, s11, s12, s21, a1, a2, a3])
    assert [got[id(p)] for p in (s11, s12, s21)] == ["1", "2", "1"]
    assert [got[id(p)] for p in (a1, a2, a3)] == ["1", "2", "3"]


def test_paragraphs_count_within_their_article():
    a1, a2 = node("article", position=1), node("article", position=2)
    p11, p12 = node("paragraph", a1, 1), node("paragraph", a1, 2)
    p21 = node("paragraph", a2, 1)
    got = numbers([a1, a2, p11, p12, p21])
    assert [got[id(p)] for p in (p11, p12, p21)] == ["1", "2", "1"]


def test_annex_articles_count_within_their_annex_and_leave_the_main_count_alone():
    ch = node("chapter", position=1)
    main1, main2 = node("article", ch, 1), node("article", ch, 2)
    annex1, annex2 = node("annex", position=2), node("annex", position=3)
    x1, x2 = node("article", annex1, 1), node("article", annex1, 2)
    y1 = node("article", annex2, 1)
    after = node("article", position=4)  # a closing article after the annexes
    got = numbers([ch, main1, main2, annex1, annex2, x1, x2, y1, after])
    assert [got[id(p)] for p in (annex1, annex2)] == ["1", "2"]
    assert [got[id(p)] for p in (x1, x2, y1)] == ["1", "2", "1"]
    assert [got[id(p)] for p in (main1, main2, after)] == ["1", "2", "3"]


def test_preamble_references_carry_no_number_and_no_label():
    pre1, pre2 = node("preamble_item", position=1), node("preamble_item", position=2)
    art = node("article", position=3)
    nodes = number_tree([pre1, pre2, art])
    assert [n.number for n in nodes] == ["", "", "1"]
    assert nodes[0].label("km") == "" and nodes[0].label("en") == ""


def test_children_are_attached_to_their_parent_node():
    ch = node("chapter", position=1)
    a1, a2 = node("article", ch, 1), node("article", ch, 2)
    nodes = number_tree([ch, a1, a2])
    assert [child.provision for child in nodes[0].children] == [a1, a2]


# --- Labels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "number", "km", "en"),
    [
        ("article", "12", "មាត្រា ១២", "Article 12"),
        ("chapter", "3", "ជំពូកទី៣", "Chapter 3"),
        ("section", "1", "ផ្នែកទី១", "Section 1"),
        ("paragraph", "2", "កថាខណ្ឌទី២", "Paragraph 2"),
        ("part", "10", "ភាគទី១០", "Part 10"),
        ("annex", "1", "ឧបសម្ព័ន្ធទី១", "Annex 1"),
    ],
)
def test_labels_in_khmer_use_khmer_digits_and_in_english_arabic(kind, number, km, en):
    assert provision_label(kind, number, "km") == km
    assert provision_label(kind, number, "en") == en
    assert provision_label(kind, number, "en-gb") == en


def test_label_follows_the_active_language_when_none_is_given():
    with translation.override("km"):
        assert provision_label("article", "90") == "មាត្រា ៩០"
    with translation.override("en"):
        assert provision_label("article", "90") == "Article 90"


def test_node_label_uses_the_computed_number():
    ch = node("chapter", position=1)
    articles = [node("article", ch, i) for i in range(1, 13)]
    last = number_tree([ch, *articles])[-1]
    assert last.label("km") == "មាត្រា ១២"
    assert last.label("en") == "Article 12"


# --- Stored provisions: identity survives, number follows -------------------------------


@pytest.fixture
def instrument(demo):
    from organisations.models import Organisation

    return services.instrument_create(
        user=demo["drafter"],
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km="អនុក្រឹត្យស្ដីពីការផ្ទេរមុខងារ",
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )


def _numbered(instrument):
    return {
        str(n.provision.uid): (n.number, n.label("km"))
        for n in instrument_tree(instrument=instrument)
    }


def test_moving_an_article_to_another_chapter_keeps_its_uid_and_renumbers(instrument, demo):
    user = demo["drafter"]
    ch1 = services.provision_add(instrument=instrument, user=user, kind="chapter", heading_km="ក")
    ch2 = services.provision_add(instrument=instrument, user=user, kind="chapter", heading_km="ខ")
    first = [
        services.provision_add(
            instrument=instrument, user=user, kind="article", parent=ch1, text_km=f"ទី{i}"
        )
        for i in range(3)
    ]
    second = [
        services.provision_add(
            instrument=instrument, user=user, kind="article", parent=ch2, text_km=f"ពីរ{i}"
        )
        for i in range(2)
    ]
    moving = first[0]
    before = _numbered(instrument)
    assert before[str(moving.uid)] == ("1", "មាត្រា ១")
    assert before[str(second[1].uid)] == ("5", "មាត្រា ៥")

    moved = services.provision_move(provision=moving, user=user, parent=ch2, after=second[0])

    assert moved.uid == moving.uid and moved.pk == moving.pk
    stored = Provision.objects.get(uid=moving.uid)
    assert stored.parent_id == ch2.pk and stored.text_km == "ទី0"
    after = _numbered(instrument)
    assert set(after) == set(before)  # nothing lost, nothing made
    # ch1: ទី1, ទី2 → 1, 2; ch2: ពីរ0, (moved), ពីរ1 → 3, 4, 5
    assert after[str(first[1].uid)][0] == "1"
    assert after[str(first[2].uid)][0] == "2"
    assert after[str(second[0].uid)][0] == "3"
    assert after[str(moving.uid)] == ("4", "មាត្រា ៤")
    assert after[str(second[1].uid)][0] == "5"
