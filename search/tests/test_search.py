"""Search finds words, not pieces of them, in real Khmer text, whatever spelling variant was
typed; each case asserts both recall (everything expected is found) and precision (nothing
else is). The suite's database comes from DATABASE_URL: the same cases run on PostgreSQL
(tsvector, pg_trgm) and on SQLite (FTS5), whichever the run uses."""

import pytest
from django.db import connection

from documents import services as documents
from documents.models import Provision
from search.models import SearchEntry
from search.normalise import keys
from search.selectors import hits, search, snippet

from .conftest import ZWSP

pytestmark = pytest.mark.django_db

# (query, inside longer words?, the provisions found)
CASES = [
    # a word, and the same letters inside a longer word (ត្រួតពិនិត្យ)
    ("ពិនិត្យ", False, {"incentives"}),
    ("ពិនិត្យ", True, {"incentives", "monitor"}),
    ("ត្រួតពិនិត្យ", False, {"monitor"}),
    # subscript ដ and ត are one letter
    ("ផ្តល់", False, {"monitor", "incentives"}),
    ("ផ្ដល់", False, {"monitor", "incentives"}),
    # the order of ្រ in its cluster
    ("មន្ត្រី", False, {"incentives", "training"}),
    ("មន្រ្តី", False, {"incentives", "training"}),
    # zero-width characters, in the text and in the query
    ("ធនធាន", False, {"transfer"}),
    (f"ធន{ZWSP}ធាន", False, {"transfer"}),
    ("គាំទ្រដល់ក្រសួង", False, {"transfer"}),
    # phrases, typed without and with spaces, match as sequences only
    ("ផ្ដល់សេវា", False, {"monitor", "incentives"}),
    ("ផ្តល់ សេវា", False, {"monitor", "incentives"}),
    ("រដ្ឋបាលថ្នាក់ក្រោមជាតិ", False, {"monitor", "incentives", "transfer"}),
    ("សេវា ផ្តល់", False, set()),
    ("ត្រួតពិនិត្យលើការផ្ដល់សេវា", False, {"monitor"}),
    # absent words
    ("អាកាសធាតុ", False, set()),
    ("អាកាសធាតុ", True, set()),
    # English: case-insensitive, stemmed
    ("reviews", False, {"english"}),
    ("REVIEWING", False, {"english"}),
    ("administrative service", False, {"english"}),
    ("delivery services", False, set()),
    ("view", False, set()),
]


def _found(user, query, inside_words):
    entries = search(user, query, inside_words=inside_words, kind=SearchEntry.Kind.PROVISION)
    return list(entries)


def _names(entries, provisions):
    by_uid = {provision.uid: name for name, provision in provisions.items()}
    return [by_uid.get(entry.provision_uid, entry.kind) for entry in entries]


@pytest.mark.parametrize(("query", "inside_words", "expected"), CASES)
def test_recall_and_precision(demo, corpus, query, inside_words, expected):
    instrument, provisions = corpus
    found = set(_names(_found(demo["drafter"], query, inside_words), provisions))
    recall = len(found & expected) / len(expected) if expected else 1.0
    precision = len(found & expected) / len(found) if found else 1.0
    assert (recall, precision) == (1.0, 1.0), (connection.vendor, query, found)


def test_words_inside_longer_words_come_after_the_words_themselves(demo, corpus):
    instrument, provisions = corpus
    found = _names(_found(demo["drafter"], "ពិនិត្យ", True), provisions)
    assert found == ["incentives", "monitor"]
    whole = [entry.whole for entry in _found(demo["drafter"], "ពិនិត្យ", True)]
    assert whole == [True, False]


def test_the_title_and_its_words(demo, corpus):
    instrument, _provisions = corpus
    found = search(demo["drafter"], "សាលាបឋមសិក្សា")
    assert [(entry.kind, entry.instrument_id) for entry in found] == [("title", instrument.pk)]
    assert not search(demo["drafter"], "ផ្ទេរ", kind="title").exists()
    assert search(demo["drafter"], "ផ្ទេរ", inside_words=True, kind="title").exists()


def test_the_pager_s_results_are_the_search_s_read_in_two_queries(demo, corpus):
    """``results`` (what the page and the API page through): the matches in the search's
    order, ranked once and read by id, however they are taken — a page, an index, all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from search.selectors import results

    ranked = list(search(demo["drafter"], "ពិនិត្យ", inside_words=True))
    found = results(demo["drafter"], "ពិនិត្យ", inside_words=True)
    with CaptureQueriesContext(connection) as queries:
        assert list(found) == ranked
    assert len(queries) == 2
    assert found[1:] == ranked[1:] and found[-1] == ranked[-1]
    assert [entry.whole for entry in found] == [True, False]


def test_the_piece_that_says_it_most_comes_first_and_only_the_first_thousand_are_ranked(
    demo, corpus, monkeypatch
):
    from search import selectors

    instrument, provisions = corpus
    # Shorter, and the word twice: first on PostgreSQL (ts_rank) and on SQLite (the shorter).
    most = documents.provision_add(
        instrument=instrument,
        user=demo["drafter"],
        kind=Provision.Kind.ARTICLE,
        parent=provisions["transfer"].parent,
        text_km="ធនធាន និងធនធាន។",
    )
    found = [entry.provision_id for entry in search(demo["drafter"], "ធនធាន", kind="provision")]
    assert found == [most.pk, provisions["transfer"].pk]
    ids = selectors.results(demo["drafter"], "ធនធាន", kind="provision").ids
    assert ids == [SearchEntry.objects.get(provision_id=pk).pk for pk in found]
    # Relevance orders the first CANDIDATES matches the index gives, not every match.
    monkeypatch.setattr(selectors, "CANDIDATES", 1)
    assert len(search(demo["drafter"], "ធនធាន", kind="provision")) == 1


def test_an_empty_query_finds_nothing(demo, corpus):
    assert list(search(demo["drafter"], "")) == []
    assert list(search(demo["drafter"], " ។ , ")) == []


def test_the_snippet_marks_the_words_and_escapes_the_text(demo, corpus):
    instrument, provisions = corpus
    documents.provision_update(
        provision=provisions["english"],
        user=demo["drafter"],
        expected_lock_version=provisions["english"].lock_version,
        text_en="<b>Reviewing</b> & monitoring",
    )
    [hit] = hits(search(demo["drafter"], "review"), "review")
    assert str(hit.snippet) == "&lt;b&gt;<mark>Reviewing</mark>&lt;/b&gt; &amp; monitoring"
    # a phrase is marked as one run, the text between its words with it; the typed spelling
    # (ដ, ្រ first) is what is shown
    [hit] = hits(search(demo["drafter"], "មន្ត្រីផ្តល់សេវា"), "មន្ត្រីផ្តល់សេវា")
    assert "<mark>មន្រ្តីផ្តល់សេវា</mark>" in hit.snippet
    [hit] = hits(search(demo["drafter"], "ត្រួតពិនិត្យ"), "ត្រួតពិនិត្យ")
    assert "<mark>ត្រួតពិនិត្យ</mark>លើការផ្ដល់" in hit.snippet


def test_the_snippet_is_the_line_the_words_are_on_not_the_other_language(demo, corpus):
    instrument, provisions = corpus
    # The title's entry holds the Khmer title and the English one: a Khmer word shows the
    # Khmer title alone, an English word the English one.
    [hit] = hits(search(demo["drafter"], "សាលាបឋមសិក្សា", kind="title"), "សាលាបឋមសិក្សា")
    assert str(hit.snippet) == "អនុក្រឹត្យស្តីពីការផ្ទេរមុខងារគ្រប់គ្រង<mark>សាលាបឋមសិក្សា</mark>"
    [hit] = hits(search(demo["drafter"], "school", kind="title"), "school")
    assert str(hit.snippet) == (
        "Sub-decree on the transfer of primary <mark>school</mark> management"
    )
    # A provision's Khmer text, then its English: the snippet keeps to the line found, cut
    # at a word with "…" where the line goes on.
    documents.provision_update(
        provision=provisions["monitor"],
        user=demo["drafter"],
        expected_lock_version=provisions["monitor"].lock_version,
        text_en="Follow up and monitor the provision of administrative services",
    )
    [hit] = hits(search(demo["drafter"], "តាមដាន", kind="provision"), "តាមដាន")
    assert str(hit.snippet).startswith("<mark>តាមដាន</mark> និងត្រួតពិនិត្យ")
    assert "Follow" not in hit.snippet and not hit.snippet.endswith("…")
    [hit] = hits(search(demo["drafter"], "follow", kind="provision"), "follow")
    assert str(hit.snippet) == (
        "<mark>Follow</mark> up and monitor the provision of administrative services"
    )
    long = "ក" * 10 + " " + "ការផ្ទេរ " * 40 + "មុខងារ " + "ការផ្ទេរ " * 40
    assert snippet(long, ["មុខងារ"]).startswith("… ការផ្ទេរ")
    assert snippet(long, ["មុខងារ"]).endswith(" …")
    assert snippet("ការផ្ទេរ\nmoving", ["zzz"]) == "ការផ្ទេរ"


def test_the_label_is_the_provisions_number_now(demo, corpus):
    instrument, provisions = corpus
    [hit] = hits(search(demo["drafter"], "ត្រួតពិនិត្យ"), "ត្រួតពិនិត្យ")
    assert hit.label == "មាត្រា ១"
    documents.provision_delete(provision=provisions["monitor"], user=demo["drafter"])
    [hit] = hits(search(demo["drafter"], "ធនធាន"), "ធនធាន")
    assert hit.label == "មាត្រា ៣"


def test_the_index_follows_edits_moves_and_deletions(demo, corpus):
    instrument, provisions = corpus
    drafter = demo["drafter"]
    training = provisions["training"]
    documents.provision_update(
        provision=training,
        user=drafter,
        expected_lock_version=training.lock_version,
        text_km="គ្រប់គ្រងបុគ្គលិកនៃការិយាល័យ",
    )
    assert _names(_found(drafter, "មន្ត្រី", False), provisions) == ["incentives"]
    assert _names(_found(drafter, "គ្រប់គ្រង", False), provisions) == ["training"]
    documents.provision_delete(provision=provisions["incentives"], user=drafter)
    assert _names(_found(drafter, "មន្ត្រី", False), provisions) == []
    documents.instrument_update(
        instrument=instrument,
        user=drafter,
        expected_lock_version=instrument.lock_version,
        title_km="អនុក្រឹត្យស្តីពីធនធានមនុស្ស",
    )
    assert [e.kind for e in search(drafter, "ធនធានមនុស្ស")] == ["title"]
    assert not search(drafter, "សាលាបឋមសិក្សា").exists()


def test_restoring_a_version_indexes_the_text_it_brings_back(demo, corpus):
    instrument, provisions = corpus
    drafter = demo["drafter"]
    version = documents.version_create(instrument=instrument, user=drafter, label="v1")
    documents.provision_delete(provision=provisions["monitor"], user=drafter)
    assert _names(_found(drafter, "ត្រួតពិនិត្យ", False), provisions) == []
    documents.version_restore(version=version, user=drafter)
    assert _names(_found(drafter, "ត្រួតពិនិត្យ", False), provisions) == ["monitor"]


def test_an_imported_word_draft_is_found(demo, corpus):
    """The import writes its provisions in bulk, without a save per row: it says so, and the
    draft is indexed all the same."""
    from documents import export_docx, imports, official

    instrument, provisions = corpus
    drafter = demo["drafter"]
    data = export_docx.instrument_docx(official.export_of(instrument=instrument, version=None))
    imported = imports.instrument_import(
        user=drafter,
        instrument_type=instrument.instrument_type,
        owning_office=instrument.owning_office,
        structure=imports.draft_structure(data),
    )
    found = {entry.instrument_id for entry in _found(drafter, "ត្រួតពិនិត្យ", False)}
    assert found == {instrument.pk, imported.pk}


def test_schedule_rows_are_found(demo, corpus):
    from organisations.models import Organisation

    instrument, _provisions = corpus
    row = documents.schedule_row_add(
        instrument=instrument,
        user=demo["drafter"],
        function_km="គ្រប់គ្រងសាលាបឋមសិក្សា",
        from_ministry=Organisation.objects.get(code="mef"),
        level="district",
    )
    [entry] = search(demo["drafter"], "សាលាបឋមសិក្សា", kind="schedule_row")
    assert entry.provision_uid == row.uid
    documents.schedule_row_delete(row=row, user=demo["drafter"])
    assert not search(demo["drafter"], "សាលាបឋមសិក្សា", kind="schedule_row").exists()


def test_keys_are_the_same_for_the_variants():
    assert keys("ផ្ដល់") == keys("ផ្តល់") == ["ផ្តល់"]
    assert keys("មន្រ្តី") == keys("មន្ត្រី") == ["មន្ត្រី"]
    assert keys(f"ផ្ដ{ZWSP}ល់") == ["ផ្តល់"]
    assert keys("Reviewing, REVIEWS. ២០២៦") == ["review", "review", "2026"]
