"""Khmer word segmentation with ICU.

Khmer is written without spaces between words: a space marks the end of a phrase or
clause, not of a word. Splitting Khmer text on spaces therefore yields whole clauses
(a diff would flag an entire line as changed for a one-word edit), and splitting it
into characters yields meaningless fragments (a diff would interleave vowel signs and
subscript consonants of unrelated words). ICU's word break iterator segments Khmer
with a dictionary, which gives real words, and treats Latin text, digits, spaces and
punctuation as the Unicode word-boundary rules say.
"""

import threading
from itertools import pairwise

import icu

__all__ = ["ZWSP", "insert_zwsp", "word_boundaries", "words"]

ZWSP = "\u200b"
"""ZERO WIDTH SPACE: an invisible line-break opportunity that browsers and Pango honour."""

_LOCALE = icu.Locale("km")
_local = threading.local()


def _word_iterator() -> icu.BreakIterator:
    """This thread's ICU word iterator.

    Creating one costs about as much as segmenting a short sentence, and a comparison
    segments thousands of short fields, so one is kept and reused. A BreakIterator holds
    the text it is iterating and is not thread-safe, hence one per thread.
    """
    iterator = getattr(_local, "word_iterator", None)
    if iterator is None:
        iterator = icu.BreakIterator.createWordInstance(_LOCALE)
        _local.word_iterator = iterator
    return iterator


def _utf16_to_index(text: str) -> list[int]:
    """Map each UTF-16 offset of ``text`` to its Python string index.

    ICU reports offsets in UTF-16 code units, while Python indexes code points: the two
    differ after any character outside the Basic Multilingual Plane (emoji, rare CJK).
    """
    mapping = []
    for index, char in enumerate(text):
        mapping.append(index)
        if ord(char) > 0xFFFF:
            mapping.append(index)  # the low surrogate never starts a boundary
    mapping.append(len(text))
    return mapping


def word_boundaries(text: str) -> list[int]:
    """Indices of the ICU word boundaries of ``text``, including 0 and ``len(text)``.

    Consecutive boundaries delimit one token: a word, a run of spaces, or a punctuation
    mark. The empty string has the single boundary 0.
    """
    if not text:
        return [0]
    iterator = _word_iterator()
    iterator.setText(text)
    offsets = [0, *iterator]
    if max(text) <= "\uffff":
        return offsets
    mapping = _utf16_to_index(text)
    return [mapping[offset] for offset in offsets]


def words(text: str) -> list[str]:
    """Split ``text`` into ICU word tokens, keeping whitespace and punctuation tokens.

    Nothing is dropped, so ``"".join(words(text)) == text`` always holds; this is what
    lets a word-level diff be rendered back as the exact original text.
    """
    bounds = word_boundaries(text)
    return [text[start:end] for start, end in pairwise(bounds)]


def _is_khmer_letter(char: str) -> bool:
    """Whether ``char`` belongs to a Khmer word (consonant, vowel or sign).

    Khmer digits and punctuation (U+17D4 to U+17DC, U+17E0 onwards) are excluded: a line
    must not start with a khan (។), and digits are separated from words by ICU anyway.
    """
    return "\u1780" <= char <= "\u17d3" or char == "\u17dd"


def insert_zwsp(text: str) -> str:
    """Insert a ZERO WIDTH SPACE at each ICU word boundary between two Khmer letters.

    Browsers and Pango cannot break a line inside a run of Khmer letters unless they
    carry their own dictionary, so long unspaced Khmer clauses overflow their box or
    break at arbitrary points. An invisible U+200B at each word boundary gives them the
    break opportunities. Boundaries next to spaces, Latin text, digits or punctuation
    are left alone: they either already allow a break or must not get one. Removing
    every U+200B from the result gives back ``text``.
    """
    bounds = word_boundaries(text)
    pieces = []
    for start, end in pairwise(bounds):
        if start and _is_khmer_letter(text[start - 1]) and _is_khmer_letter(text[start]):
            pieces.append(ZWSP)
        pieces.append(text[start:end])
    return "".join(pieces)
