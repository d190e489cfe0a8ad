"""Finding: what a person may see of the index, that matches their query, best first.

A query is cut into words like the text (``search.normalise``), and its words match as one
sequence, whole words only: ពិនិត្យ finds the word ពិនិត្យ, not the inside of ត្រួតពិនិត្យ.
``inside_words`` adds the entries whose keys hold the query inside a longer word, after
every whole-word match. What a person sees is what the policies give them: internal staff
every piece; anyone else the titles of the instruments whose process consulted them, the
versions sent to them and the comments they may read — never the working draft.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from django.contrib.postgres.search import SearchQueryField
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Length
from django.db.models.lookups import IsNull
from django.db.models.query import EmptyQuerySet
from django.db.models.sql.datastructures import BaseTable
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from documents.models import Instrument, Provision, Version
from documents.numbering import number_tree, provision_label
from documents.permissions import InstrumentPolicy, instrument_policy
from search.models import SearchEntry
from search.normalise import Token, keys, tokens
from workflows.permissions import comment_policy, version_policy

Kind = SearchEntry.Kind

QUERY_MAX = 200  # characters of a query read
QUERY_WORDS_MAX = 16
CANDIDATES = 1000  # matches ranked, of each kind (see ``search``)
SNIPPET_BEFORE = 60
SNIPPET_LENGTH = 240
YEARS = range(1900, 2201)  # the years an instrument's creation may be filtered on
# A person outside the department who may see at most this many instruments is searched
# among their entries alone (see ``sees_few``); seeing more, among every match.
FEW_INSTRUMENTS = 4000
PLAN_KEPT_FOR = 3600  # seconds a person's "sees few" (or not) is remembered


def query_keys(q: str) -> list[str]:
    """The keys the query ``q`` is made of, in order (at most ``QUERY_WORDS_MAX``)."""
    return keys((q or "")[:QUERY_MAX])[:QUERY_WORDS_MAX]


def _tsquery(words: list[str]) -> str:
    """A tsquery literal of the words in sequence: no parser, the keys are lexemes already."""
    quoted = ("'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in words)
    return " <-> ".join(quoted)


def _fts5_phrase(words: list[str]) -> str:
    return '"' + " ".join(word.replace('"', '""') for word in words) + '"'


def _whole_words(words: list[str]) -> tuple[Q | Func, Func]:
    """Whether an entry holds the words in sequence, and how well (bigger is better): as
    expressions of the entry's own columns, right in a subquery as in the outer query."""
    if connection.vendor == "postgresql":
        query = Cast(Value(_tsquery(words)), output_field=SearchQueryField())
        rank = Func(F("vector"), query, function="ts_rank", output_field=FloatField())
        matches = Func(
            F("vector"),
            query,
            template="%(expressions)s",
            arg_joiner=" @@ ",
            output_field=BooleanField(),
        )
        return matches, rank
    phrase = _fts5_phrase(words)
    matching = RawSQL("SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [phrase])  # noqa: S611 - constant SQL
    # bm25() would run the whole MATCH again for each entry ranked: on SQLite, with few
    # entries (``make run``), the shorter piece ranks first, as bm25 would have it for one
    # occurrence each.
    rank = ExpressionWrapper(-Length("keys"), output_field=FloatField())
    return Q(pk__in=matching), rank


def visible_entries(user, *, few: bool = False) -> QuerySet[SearchEntry]:
    """The entries ``user`` may see, as the policies say.

    Each matching entry is looked up in what the policy gives (a correlated subquery),
    rather than the policy's whole set built first: a ministry consulted on most of ten
    years' instruments is sent ~100,000 versions, of which a page's matches are a few.
    ``few`` (``sees_few``'s): the person sees few instruments, and their entries are read
    from those the policies give them (``_of_few``): titles and versions of the policies'
    sets, not probed one by one.
    """
    entries = SearchEntry.objects.all()
    if InstrumentPolicy.is_internal(user):
        return entries

    def probe(policy, action: str, column: str) -> IsNull | Q:
        # A scalar subquery, not EXISTS: PostgreSQL turns an EXISTS into a hashed set of
        # every object the policy gives when it expects many rows to probe; a scalar
        # subquery it runs for each row, through the indexes.
        # In no order: the policy's (by the instrument's last change) joined the instrument
        # and sorted for each entry probed.
        mine = policy.queryset(user, action)
        if isinstance(mine, EmptyQuerySet):
            return Q(pk__in=[])  # nothing: no subquery to build, nor to run
        mine = mine.filter(pk=OuterRef(column)).order_by().values("pk")[:1]
        return IsNull(Subquery(mine), False)

    if few:
        # read from the titles of the instruments and the entries of the versions the
        # policies give: what is left to decide is each comment
        entries, title_seen, version_seen = _of_few(entries, user), Q(), Q()
    else:
        title_seen = probe(instrument_policy, "view_header", "instrument_id")
        version_seen = probe(version_policy, "view", "version_id")
    return entries.filter(
        (Q(kind=Kind.TITLE) & title_seen)
        | (Q(version__isnull=True) & probe(instrument_policy, "view", "instrument_id"))
        | (~Q(kind=Kind.COMMENT) & version_seen)
        | (Q(kind=Kind.COMMENT) & probe(comment_policy, "view", "comment_id"))
    )


def _instruments_seen(user) -> QuerySet:
    return instrument_policy.queryset(user, "view_header").order_by().values("pk")


def _versions_seen(user) -> QuerySet:
    return version_policy.queryset(user, "view").order_by().values("pk")


def sees_few(user) -> bool:
    """Whether ``user`` (not internal staff) may see the headers of at most
    ``FEW_INSTRUMENTS`` instruments: how their search is made (``visible_entries``).

    Every entry such a person may see is the title of one of those instruments, an entry of
    a version sent to them, or a comment on one of those instruments (of their
    consultation, or of a round that consulted them), so their search may read only those
    entries; the policies still decide each comment. It is what a ministry consulted now
    and then waits for: otherwise each match of a common word is probed against the
    policies until a thousand visible ones are found, and at ten years of data, for a
    ministry consulted on one round in a hundred, that is 150,000 matches of មុខងារ and
    240 ms; reading its 926 instruments' titles and comments and the versions sent to it
    (7,400 entries of the 28,000 of those instruments: not the working drafts, nor the
    versions sent to others), 11 to 15, its instruments and versions found in the same query.

    A ministry consulted on most instruments gains nothing (its probes find a thousand
    visible matches soon) and would pay for the sets. The answer is remembered for
    ``PLAN_KEPT_FOR``: a choice of plan only, it never changes what is found.
    """
    key = f"search:sees-few:{user.pk}"
    few = cache.get(key)
    if few is None:
        few = _instruments_seen(user)[: FEW_INSTRUMENTS + 1].count() <= FEW_INSTRUMENTS
        cache.set(key, few, PLAN_KEPT_FOR)
    return few


class _Matching(BaseTable):
    """The FROM of a query of entries: only those of ``matching`` (those that match, or a
    ranked page's candidates), as a subquery PostgreSQL plans as written (``OFFSET 0``), so
    that the outer query's conditions are not pushed into it. See ``_among_matches`` and
    ``_ranked``."""

    def __init__(self, table_name: str, alias: str, matching: QuerySet[SearchEntry]):
        super().__init__(table_name, alias)
        self.matching = matching

    def as_sql(self, compiler, connection):
        sql, params = self.matching.query.get_compiler(connection=connection).as_sql()
        return f"({sql} OFFSET 0) {compiler.quote_name_unless_alias(self.table_alias)}", params

    def relabeled_clone(self, change_map):
        alias = change_map.get(self.table_alias, self.table_alias)
        return self.__class__(self.table_name, alias, self.matching)

    @property
    def identity(self):
        return (*super().identity, id(self.matching))


_COLUMNS = [field.attname for field in SearchEntry._meta.concrete_fields]


def _among_matches(entries: QuerySet[SearchEntry], matches) -> QuerySet[SearchEntry]:
    """``entries`` that match, read from the matches first.

    For a ministry's reviewer, ``entries`` are what the policies give them: a probe of
    three tables per entry. Given both conditions in one WHERE, PostgreSQL weighs each
    probe as made for every row it scans (it does not count on the match failing first)
    and reads a common word's every match from the GIN index before the first row — for
    មុខងារ, in a quarter of the entries at ten years of data, 150,000 of them, 8 ms — where
    reading the table until a thousand visible matches are found takes one. From a subquery
    of the matches, it chooses between the two for the matches alone: the index for a rare
    word, the table for a common one (its SQL 21 → 11 ms for the reviewer at L; the same as before
    for a reviewer who sees few of the matches, where the probes are the cost either way).
    Elsewhere (SQLite) the one WHERE.
    """
    if connection.vendor != "postgresql":
        return entries.filter(matches)
    return _reading_from(entries, SearchEntry.objects.filter(matches).order_by().values(*_COLUMNS))


def _of_few(entries: QuerySet[SearchEntry], user) -> QuerySet[SearchEntry]:
    """``entries`` among the titles and comments of the instruments ``user`` sees the header
    of and the entries of the versions sent to them, as the policies give both: on
    PostgreSQL read from those alone (by the indexes on the instrument and on the version,
    each set found once, before the rows), every other condition (the match among them)
    tested on each. Given the match in the same WHERE, PostgreSQL, which counts a phrase's
    matches far too few (5 for ស្តីពីការផ្ទេរមុខងារ's 19,405), reads every match from the
    words' index and then its row from the table to test its instrument: 18,700 pages for
    the 926 instruments kept, 75 ms, where their titles, comments and versions sent are
    7,400 rows in 1,850 pages, 11 to 15 ms whatever the words, both sets found in 5."""
    titles_and_comments = Q(kind__in=[Kind.TITLE, Kind.COMMENT])
    theirs = titles_and_comments & _in(F("instrument_id"), _instruments_seen(user))
    theirs |= _in(F("version_id"), _versions_seen(user))
    if connection.vendor != "postgresql":
        return entries.filter(theirs)
    return _reading_from(entries, SearchEntry.objects.filter(theirs).order_by().values(*_COLUMNS))


def _in(column: F, objects: QuerySet) -> Q | Func:
    """``column`` is the pk of one of ``objects``: on PostgreSQL ``_AnyOf``."""
    if connection.vendor != "postgresql":
        return Q(**{f"{column.name}__in": objects})
    return _AnyOf(column, objects)


class _AnyOf(Func):
    """``column = ANY(ARRAY(<objects' pks>))`` (PostgreSQL): the subquery is run once, before
    the rows are read (an InitPlan), and its array is a condition of the column's index —
    where ``IN (<subquery>)`` would be a semi-join, or a hashed set tested on each row."""

    output_field = BooleanField()

    def __init__(self, column, objects: QuerySet):
        super().__init__(column, Subquery(objects))

    def as_sql(self, compiler, connection, **extra_context):
        column, subquery = self.source_expressions
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        return f"{column_sql} = ANY(ARRAY{subquery_sql})", (*column_params, *subquery_params)


def _reading_from(
    entries: QuerySet[SearchEntry], subquery: QuerySet[SearchEntry]
) -> QuerySet[SearchEntry]:
    """``entries`` read from ``subquery`` (of every column: the outer query reads what it
    needs, and PostgreSQL passes up the row's own text, keys and vector, or drops those
    unread) rather than from the table."""
    entries = entries.all()
    query = entries.query
    alias = query.get_initial_alias()
    query.alias_map[alias] = _Matching(query.alias_map[alias].table_name, alias, subquery)
    return entries


def search(
    user,
    q: str,
    *,
    inside_words: bool = False,
    kind: str | None = None,
    instrument_type: int | None = None,
    status: str | None = None,
    year: int | None = None,
    organisation: int | None = None,
) -> QuerySet[SearchEntry]:
    """The entries ``user`` may see that match ``q``, best first (none for an empty query).

    One query for a page of them (with their instrument, type and version); ``hits`` makes
    them into results at one more query at most. Relevance orders the first ``CANDIDATES``
    whole-word matches (and as many inside longer words) the index gives, not all of them:
    ranking every piece that holds a common word would cost a scan of them all on each
    page. The pager says "of more than 1,000" beyond that, and the filters narrow it.
    """
    if year is not None and year not in YEARS:
        # the database's dates end before some four-digit years (0001, in Phnom Penh's time)
        raise ValueError(f"year {year} is not between {YEARS[0]} and {YEARS[-1]}")
    words = query_keys(q)
    if not words:
        return SearchEntry.objects.none()
    user_internal = InstrumentPolicy.is_internal(user)
    if status and not user_internal:
        # the status is the department's: filtering on it would tell it
        return SearchEntry.objects.none()
    whole, _score = _whole_words(words)
    few = not user_internal and sees_few(user)
    entries = visible_entries(user, few=few)
    if kind:
        entries = entries.filter(kind=kind)
    if instrument_type:
        entries = entries.filter(instrument__instrument_type_id=instrument_type)
    if status:
        entries = entries.filter(instrument__status=status)
    if year:
        entries = entries.filter(instrument__created_at__year=year)
    if organisation:
        entries = entries.filter(
            Q(organisation_id=organisation) | Q(instrument__owning_office_id=organisation)
        )
    entries = entries.order_by()
    # Internal staff's entries are the matches themselves, and those of the few instruments
    # a reviewer sees are read first already: nothing to read from the matches first.
    matching = entries.filter(whole) if user_internal or few else _among_matches(entries, whole)
    if connection.vendor == "postgresql" and not inside_words:
        return _ranked(matching.values(*_COLUMNS)[:CANDIDATES], words)
    candidates = Q(pk__in=matching.values("pk")[:CANDIDATES])
    if inside_words:
        inside = entries.filter(keys__contains=" ".join(words)).values("pk")[:CANDIDATES]
        candidates |= Q(pk__in=inside)
    return _shown(SearchEntry.objects.filter(candidates), words).order_by("-whole", "-score", "-id")


def _ranked(candidates: QuerySet[SearchEntry], words: list[str]) -> QuerySet[SearchEntry]:
    """The ``candidates`` (a sliced query of whole entries), best first, ranked as they are
    read (PostgreSQL): the FROM of the query, rather than looked up again by their ids —
    a thousand probes of the primary key for a common word (the three words' query at L,
    15.6 → 12.6 ms; one word 8.2 → 3.8 ms, for a ministry's reviewer 18.3 → 14.3)."""
    ranked = _reading_from(SearchEntry.objects.all(), candidates)
    return _shown(ranked, words).order_by("-whole", "-score", "-id")


def _shown(entries: QuerySet[SearchEntry], words: list[str]) -> QuerySet[SearchEntry]:
    """``entries`` with what a result shows: whether and how well they match, their
    instrument, type and version."""
    whole, score = _whole_words(words)
    return (
        entries.annotate(whole=ExpressionWrapper(whole, output_field=BooleanField()), score=score)
        .select_related("instrument__instrument_type", "version")
        .defer("version__snapshot")  # the whole text of each version: not shown
    )


def results(user, q: str, **filters) -> "Results":
    """``search``'s matches, for a pager (the page and the API): see ``Results``."""
    return Results(search(user, q, **filters), query_keys(q))


class Results(Sequence):
    """Matches ranked once — their ids, best first, in one query — and a page of them read
    by id in one more: a pager that counted the query, then fetched its page, would find
    and rank the matches twice (for a ministry's reviewer, checking each against what they
    may see twice)."""

    def __init__(self, entries: QuerySet[SearchEntry], words: list[str]):
        self._entries, self._words = entries, words

    @cached_property
    def ids(self) -> list[int]:
        return list(self._entries.values_list("pk", flat=True))

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self):
        return iter(self[:])  # every row in one query, not Sequence's one per index

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        ids = self.ids[index]
        if not ids:
            return []
        rows = _shown(SearchEntry.objects.filter(pk__in=ids), self._words).in_bulk()
        return [rows[pk] for pk in ids]


# --- Results ----------------------------------------------------------------------------


@dataclass
class Hit:
    entry: SearchEntry
    instrument: Instrument
    version: Version | None
    label: str  # the provision's number (មាត្រា ១២), or nothing
    snippet: SafeString
    whole: bool


def _matches(found: list[Token], words: list[str], inside_words: bool) -> list[tuple[int, int]]:
    """The spans of ``found`` (indices of its first and last token) that match ``words``."""
    size, spans = len(words), []
    phrase = " ".join(words)
    keys_found = [token.key for token in found]
    for index in range(len(found) - size + 1):
        window = keys_found[index : index + size]
        if window == words or (inside_words and phrase in " ".join(window)):
            spans.append((index, index + size - 1))
    return spans


def snippet(text: str, words: list[str], *, inside_words: bool = False) -> SafeString:
    """A piece of ``text`` around its first match, escaped, the matched words in <mark>.

    The piece is cut from the lines the match is on: an entry holds an instrument's title, or
    a provision's heading and text, in Khmer and in English one after the other (``search.
    indexing``), and a Khmer word found in the Khmer title shows the Khmer title, without the
    English one after it."""
    found = tokens(text)
    spans = _matches(found, words, inside_words)
    if not spans:
        start = line_start = 0
        line_end = _line_end(text, 0)
    else:
        first = found[spans[0][0]].start
        line_start = text.rfind("\n", 0, first) + 1
        line_end = _line_end(text, found[spans[0][1]].end)
        start = max(line_start, first - SNIPPET_BEFORE)
        # Begin at a word, not inside one.
        if start > line_start:
            start = next((t.start for t in found if t.start >= start), first)
    end = min(line_end, start + SNIPPET_LENGTH)
    pieces, at = [], start
    for first_token, last_token in spans:
        mark_start, mark_end = found[first_token].start, found[last_token].end
        if mark_start < at or mark_start >= end:
            continue
        pieces.append(escape(text[at:mark_start]))
        pieces.append(f"<mark>{escape(text[mark_start:mark_end])}</mark>")
        at = mark_end
    if at < end:
        pieces.append(escape(text[at:end]))
    return mark_safe(  # noqa: S308 - every piece of text is escaped above
        ("… " if start > line_start else "") + "".join(pieces) + (" …" if end < line_end else "")
    )


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


def _draft_numbers(entries: list[SearchEntry]) -> dict[object, tuple[str, str]]:
    """The working draft's provisions' kinds and numbers now, by uid: one query."""
    instruments = {
        entry.instrument_id
        for entry in entries
        if entry.kind == Kind.PROVISION and entry.version_id is None
    }
    if not instruments:
        return {}
    provisions = Provision.objects.filter(instrument_id__in=instruments).only(
        "pk", "uid", "parent_id", "kind", "position", "instrument_id"
    )
    by_instrument: dict[int, list[Provision]] = {}
    for provision in provisions:
        by_instrument.setdefault(provision.instrument_id, []).append(provision)
    numbers = {}
    for rows in by_instrument.values():
        for node in number_tree(rows):
            numbers[node.provision.uid] = (node.provision.kind, node.number)
    return numbers


def hits(entries, q: str, *, inside_words: bool = False) -> list[Hit]:
    """A page of ``search``'s entries as results: label, snippet (one query at most)."""
    entries = list(entries)
    words = query_keys(q)
    numbers = _draft_numbers(entries)
    results = []
    for entry in entries:
        kind, number = entry.provision_kind, entry.provision_number
        if entry.kind == Kind.PROVISION and entry.version_id is None:
            kind, number = numbers.get(entry.provision_uid, (kind, ""))
        label = provision_label(kind, number) if kind in _NUMBERED and number else ""
        results.append(
            Hit(
                entry=entry,
                instrument=entry.instrument,
                version=entry.version,
                label=label,
                snippet=snippet(entry.text, words, inside_words=inside_words),
                whole=bool(getattr(entry, "whole", True)),
            )
        )
    return results


_NUMBERED = {"part", "chapter", "section", "article", "paragraph", "annex"}
