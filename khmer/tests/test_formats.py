"""Khmer and English formatting of digits, numbers, dates, sort order and template filters."""

import threading
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone
from django.utils.translation import override

from khmer.formats import (
    collation_key,
    format_date,
    format_datetime,
    format_number,
    is_khmer,
    khmer_digits,
    reader_digits,
    sorted_khmer,
)

PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")

# 25 November 2026, 07:05 UTC, is 14:05 in Phnom Penh (UTC+7, no daylight saving).
AWARE = datetime(2026, 11, 25, 7, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def phnom_penh():
    """Make Phnom Penh the current time zone, whatever the settings say."""
    with timezone.override(PHNOM_PENH):
        yield


class TestDigits:
    def test_every_digit_becomes_khmer(self):
        assert khmer_digits("0123456789") == "០១២៣៤៥៦៧៨៩"

    def test_numbers_are_accepted(self):
        assert khmer_digits(2026) == "២០២៦"
        assert khmer_digits(Decimal("12.50")) == "១២.៥០"

    def test_everything_else_is_left_alone(self):
        assert khmer_digits("មាត្រា 12, ab-3/៤") == "មាត្រា ១២, ab-៣/៤"

    def test_the_readers_digits_are_khmer_in_khmer_and_the_value_itself_otherwise(self):
        with override("km"):
            assert reader_digits(12) == "១២"
        with override("en"):
            assert reader_digits(12) == 12  # the number itself, for the sentence's %s
        assert reader_digits("3", "km-KH") == "៣"


class TestLanguage:
    def test_region_subtags_are_ignored(self):
        assert is_khmer("km-KH")
        assert not is_khmer("en-gb")

    def test_active_language_is_used_when_none_is_given(self):
        with override("km"):
            assert is_khmer()
        with override("en"):
            assert not is_khmer()


class TestNumbers:
    def test_khmer_groups_with_full_stops_and_khmer_digits(self):
        assert format_number(1234567, "km") == "១.២៣៤.៥៦៧"

    def test_khmer_decimals_follow_a_comma(self):
        assert format_number(Decimal("1234.5"), "km") == "១.២៣៤,៥"

    def test_english_groups_with_commas(self):
        assert format_number(1234567, "en") == "1,234,567"
        assert format_number(Decimal("1234.5"), "en") == "1,234.5"

    def test_whole_numbers_are_written_as_babel_writes_them(self):
        """Whole numbers are grouped without Babel: the same text as Babel's patterns."""
        from babel.numbers import format_decimal

        numbers = [0, 7, -7, 999, 1000, -1000, 12345, 999_999, 1_000_000, -2_147_483_648]
        numbers += [10**n + n for n in range(1, 19)]
        for value in numbers:
            km = format_decimal(value, locale="km", numbering_system="khmr")
            assert format_number(value, "km") == khmer_digits(km), value
            assert format_number(value, "en") == format_decimal(value, locale="en"), value

    def test_small_and_negative_numbers(self):
        assert format_number(999, "km") == "៩៩៩"
        assert format_number(-1500, "km") == "-១.៥០០"

    def test_active_language_is_used_when_none_is_given(self):
        with override("km"):
            assert format_number(1000) == "១.០០០"
        with override("en"):
            assert format_number(1000) == "1,000"


class TestDates:
    def test_khmer_long_date_is_the_official_form(self):
        assert format_date(date(2026, 11, 25), "km") == "ថ្ងៃទី២៥ ខែវិច្ឆិកា ឆ្នាំ២០២៦"

    def test_every_khmer_month_name(self):
        months = [format_date(date(2026, m, 1), "km").split()[1] for m in range(1, 13)]
        assert months == [
            "ខែមករា",
            "ខែកុម្ភៈ",
            "ខែមីនា",
            "ខែមេសា",
            "ខែឧសភា",
            "ខែមិថុនា",
            "ខែកក្កដា",
            "ខែសីហា",
            "ខែកញ្ញា",
            "ខែតុលា",
            "ខែវិច្ឆិកា",
            "ខែធ្នូ",
        ]

    def test_english_long_date(self):
        assert format_date(date(2026, 11, 25), "en") == "25 November 2026"
        assert format_date(date(2026, 1, 5), "en") == "5 January 2026"

    def test_short_dates_put_the_day_first(self):
        assert format_date(date(2026, 1, 5), "km", long=False) == "០៥/០១/២០២៦"
        assert format_date(date(2026, 1, 5), "en", long=False) == "05/01/2026"

    def test_active_language_is_used_when_none_is_given(self):
        with override("km"):
            assert format_date(date(2026, 1, 5)) == "ថ្ងៃទី៥ ខែមករា ឆ្នាំ២០២៦"
        with override("en"):
            assert format_date(date(2026, 1, 5)) == "5 January 2026"

    def test_aware_datetime_gives_the_local_day(self):
        # 20:00 UTC on the 24th is already 03:00 on the 25th in Phnom Penh.
        late = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
        assert format_date(late, "en") == "25 November 2026"


class TestDatetimes:
    def test_khmer_adds_the_local_time(self):
        assert format_datetime(AWARE, "km") == "ថ្ងៃទី២៥ ខែវិច្ឆិកា ឆ្នាំ២០២៦ ម៉ោង ១៤:០៥"

    def test_english_adds_the_local_time(self):
        assert format_datetime(AWARE, "en") == "25 November 2026, 14:05"

    def test_current_time_zone_is_followed(self):
        with timezone.override(ZoneInfo("Europe/Paris")):
            assert format_datetime(AWARE, "en") == "25 November 2026, 08:05"

    def test_naive_datetime_is_shown_as_it_is(self):
        assert format_datetime(datetime(2026, 11, 25, 9, 30), "en") == "25 November 2026, 09:30"


# Real words whose dictionary order differs from code-point order: the independent vowels
# ឥ and ឧ sort as អិ and អុ (before អំ), and ឫ sorts right after រ, yet all three code points
# come after every consonant.
WORDS = ["អំណាច", "ឥណទាន", "លិខិត", "ឫទ្ធិ", "ឧបសម្ព័ន្ធ", "រដ្ឋ", "ក្រសួង"]
DICTIONARY_ORDER = ["ក្រសួង", "រដ្ឋ", "ឫទ្ធិ", "លិខិត", "ឥណទាន", "ឧបសម្ព័ន្ធ", "អំណាច"]


class TestCollation:
    def test_khmer_sorts_in_dictionary_order_not_code_point_order(self):
        assert sorted(WORDS) != DICTIONARY_ORDER
        assert sorted_khmer(WORDS) == DICTIONARY_ORDER

    def test_key_picks_the_text_of_each_item(self):
        items = [{"title": word} for word in WORDS]
        result = sorted_khmer(items, key=lambda item: item["title"])
        assert [item["title"] for item in result] == DICTIONARY_ORDER

    def test_keys_are_bytes_that_compare_like_the_words(self):
        assert isinstance(collation_key("រដ្ឋ"), bytes)
        assert collation_key("ឫទ្ធិ") < collation_key("លិខិត")

    def test_each_thread_sorts_correctly(self):
        results: list[list[str]] = []

        def sort() -> None:
            results.append(sorted_khmer(WORDS))

        threads = [threading.Thread(target=sort) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [DICTIONARY_ORDER] * 4


def render(source: str, language: str, **context: object) -> str:
    with override(language):
        return Template("{% load khmer %}" + source).render(Context(context))


class TestFilters:
    def test_kmdigits_only_converts_in_khmer(self):
        assert render("{{ n|kmdigits }}", "km", n=2026) == "២០២៦"
        assert render("{{ n|kmdigits }}", "en", n=2026) == "2026"

    def test_kmdigits_keeps_escaping(self):
        assert render("{{ s|kmdigits }}", "km", s="<b>1</b>") == "&lt;b&gt;១&lt;/b&gt;"

    def test_kmnumber(self):
        assert render("{{ n|kmnumber }}", "km", n=1234567) == "១.២៣៤.៥៦៧"
        assert render("{{ n|kmnumber }}", "en", n=1234567) == "1,234,567"

    def test_kmnumber_accepts_numeric_strings_and_leaves_other_text(self):
        assert render("{{ n|kmnumber }}", "en", n="25000") == "25,000"
        assert render("{{ n|kmnumber }}", "km", n="n/a") == "n/a"

    def test_kmdate(self):
        assert render("{{ d|kmdate }}", "km", d=date(2026, 11, 25)) == "ថ្ងៃទី២៥ ខែវិច្ឆិកា ឆ្នាំ២០២៦"
        assert render("{{ d|kmdate }}", "en", d=date(2026, 11, 25)) == "25 November 2026"
        assert render('{{ d|kmdate:"short" }}', "km", d=date(2026, 11, 25)) == "២៥/១១/២០២៦"

    def test_kmdatetime(self):
        assert render("{{ t|kmdatetime }}", "km", t=AWARE) == "ថ្ងៃទី២៥ ខែវិច្ឆិកា ឆ្នាំ២០២៦ ម៉ោង ១៤:០៥"
        assert render("{{ t|kmdatetime }}", "en", t=AWARE) == "25 November 2026, 14:05"
        assert render("{{ t|kmdatetime }}", "en", t=date(2026, 11, 25)) == "25 November 2026"

    @pytest.mark.parametrize("name", ["kmdigits", "kmnumber", "kmdate", "kmdatetime"])
    @pytest.mark.parametrize("value", [None, ""])
    @pytest.mark.parametrize("language", ["km", "en"])
    def test_empty_values_render_nothing(self, name, value, language):
        assert render(f"[{{{{ v|{name} }}}}]", language, v=value) == "[]"

    def test_missing_variable_renders_nothing(self):
        assert render("[{{ missing|kmdate }}{{ missing|kmnumber }}]", "km") == "[]"
