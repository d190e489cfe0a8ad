"""Khmer word segmentation, tested on the department's real mandate text."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from khmer.segment import ZWSP, insert_zwsp, word_boundaries, words

MANDATE_PATH = Path(__file__).resolve().parents[2] / "tests/data/department-mandate.km.txt"


@pytest.fixture(scope="module")
def mandate() -> str:
    return MANDATE_PATH.read_text(encoding="utf-8")


def _starts_with_combining_mark(token: str) -> bool:
    """Dependent vowels, signs and the coeng (U+17B6 to U+17D3) never start a word."""
    return "\u17b6" <= token[0] <= "\u17d3"


def test_round_trip_on_the_whole_mandate(mandate: str) -> None:
    assert "".join(words(mandate)) == mandate


def test_round_trip_line_by_line(mandate: str) -> None:
    for line in mandate.splitlines(keepends=True):
        assert "".join(words(line)) == line


def test_unspaced_khmer_splits_into_dictionary_words() -> None:
    assert words("នាយកដ្ឋានមុខងារ") == ["នាយកដ្ឋាន", "មុខងារ"]


def test_mandate_words_are_words_not_characters(mandate: str) -> None:
    tokens = words(mandate)
    khmer_tokens = [token for token in tokens if "\u1780" <= token[0] <= "\u17ff"]
    assert "ការិយាល័យ" in tokens
    assert "រដ្ឋបាល" in tokens
    assert not [token for token in khmer_tokens if _starts_with_combining_mark(token)]
    average_length = sum(map(len, khmer_tokens)) / len(khmer_tokens)
    assert average_length > 3
    # Far fewer tokens than characters, far more than space-separated chunks.
    assert len(mandate.split()) * 2 < len(tokens) < len(mandate) / 3


def test_whitespace_and_punctuation_are_tokens() -> None:
    assert words("មុខងារ  និងធនធាន។\n") == ["មុខងារ", "  ", "និង", "ធនធាន", "។", "\n"]


def test_mixed_khmer_english_and_digits() -> None:
    text = "ឆ្នាំ ២០២៧ Lekhit v2 (sub-decree) 1,000,000 រៀល"
    tokens = words(text)
    assert "".join(tokens) == text
    expected = ["ឆ្នាំ", "២០២៧", "Lekhit", "v2", "(", "sub", "-", "decree", ")", "1,000,000", "រៀល"]
    assert [token for token in tokens if token != " "] == expected


def test_boundaries_are_python_indices_even_after_astral_characters() -> None:
    text = "a😀នាយកដ្ឋាន😀មុខងារ 𝐀𝐁"
    bounds = word_boundaries(text)
    assert bounds[0] == 0
    assert bounds[-1] == len(text)
    assert bounds == sorted(set(bounds))
    assert words(text) == ["a", "😀", "នាយកដ្ឋាន", "😀", "មុខងារ", " ", "𝐀𝐁"]


def test_empty_text() -> None:
    assert words("") == []
    assert word_boundaries("") == [0]
    assert insert_zwsp("") == ""


def test_results_are_the_same_from_many_threads(mandate: str) -> None:
    lines = mandate.splitlines() * 4
    expected = [words(line) for line in lines]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(words, lines)) == expected


def test_insert_zwsp_between_khmer_words_only() -> None:
    assert insert_zwsp("នាយកដ្ឋានមុខងារ") == f"នាយកដ្ឋាន{ZWSP}មុខងារ"
    assert insert_zwsp("នាយកដ្ឋានមុខងារ និងធនធាន។") == f"នាយកដ្ឋាន{ZWSP}មុខងារ និង{ZWSP}ធនធាន។"
    assert insert_zwsp("Lekhit drafts sub-decrees 2027") == "Lekhit drafts sub-decrees 2027"


def test_insert_zwsp_on_the_mandate(mandate: str) -> None:
    spaced = insert_zwsp(mandate)
    assert spaced.replace(ZWSP, "") == mandate
    assert spaced.count(ZWSP) > 500
    for index, char in enumerate(spaced):
        if char == ZWSP:
            assert "\u1780" <= spaced[index - 1] <= "\u17d3"
            assert "\u1780" <= spaced[index + 1] <= "\u17d3"
    assert insert_zwsp(spaced) == spaced
