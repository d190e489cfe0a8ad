"""The key of a word: what the text and the query are both reduced to, so that spellings
that look the same are the same word.

Khmer is written without spaces between words, so both are cut into words by ICU
(``khmer.segment``). Before cutting, the text is put in one spelling: Unicode's composed form;
no zero-width characters (people and word processors put them between words, or anywhere);
subscript ដ written as subscript ត (ផ្ដល់ and ផ្តល់ are one word, and most texts use ត); the
subscript ro (្រ) after any other subscript of its cluster (មន្រ្តី is typed for មន្ត្រី). Each
change keeps the text's length, bar the zero-width characters dropped, so a word found in the
canonical text is mapped back to where it stands in the text as typed (for the snippet).

Latin words are lower-cased and stemmed (English, Snowball), Khmer digits read as digits;
spaces and punctuation are no words.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import snowballstemmer

from khmer.segment import word_boundaries

__all__ = ["Token", "canonical", "keys", "tokens"]

ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
COENG = "\u17d2"
SUBSCRIPT_DA = COENG + "\u178a"  # ្ដ
SUBSCRIPT_TA = COENG + "\u178f"  # ្ត
COENG_RO = COENG + "\u179a"  # ្រ
# ្រ followed by another subscript consonant: the two are swapped, ្រ last.
_RO_FIRST = re.compile(f"({COENG_RO})({COENG}[\u1780-\u17a2])")
_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
_local = threading.local()


@dataclass(frozen=True, slots=True)
class Token:
    """A word: its key, and where it stands in the text as typed (``text[start:end]``)."""

    key: str
    start: int
    end: int


def canonical(text: str) -> tuple[str, list[int]]:
    """``text`` in the one spelling, and for each of its characters the index in ``text``."""
    text = unicodedata.normalize("NFC", text)
    kept = [index for index, char in enumerate(text) if char not in ZERO_WIDTH]
    value = "".join(text[index] for index in kept)
    if COENG not in value:
        return value, kept
    value = value.replace(SUBSCRIPT_DA, SUBSCRIPT_TA)
    if COENG_RO not in value:
        return value, kept
    # Swapping two equally long pairs keeps the length; the map swaps with them.
    chars, origin = list(value), list(kept)
    for match in _RO_FIRST.finditer(value):
        start, middle, end = match.start(), match.start(2), match.end()
        chars[start:end] = chars[middle:end] + chars[start:middle]
        origin[start:end] = origin[middle:end] + origin[start:middle]
    return "".join(chars), origin


def _stemmer():
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


def _is_word(piece: str) -> bool:
    return any(char.isalnum() or unicodedata.category(char)[0] == "M" for char in piece)


@lru_cache(maxsize=65536)
def _key(piece: str) -> str:
    if piece.isascii():
        piece = piece.lower()
        return _stemmer().stemWord(piece) if piece.isalpha() else piece
    piece = piece.translate(_KHMER_DIGITS)
    if any("a" <= char.lower() <= "z" for char in piece):
        return piece.casefold()
    return piece


def tokens(text: str) -> list[Token]:
    """The words of ``text`` in order, each with its key and its place in ``text``."""
    if not text:
        return []
    value, origin = canonical(text)
    found = []
    for start, end in pairwise(word_boundaries(value)):
        piece = value[start:end]
        if not _is_word(piece):
            continue
        found.append(Token(_key(piece), origin[start], origin[end - 1] + 1))
    return found


def keys(text: str) -> list[str]:
    """The keys of the words of ``text``, in order."""
    return [token.key for token in tokens(text)]
