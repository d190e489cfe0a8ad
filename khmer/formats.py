"""Numbers, dates and sort order the way Khmer readers expect them.

Django's own localisation has no Khmer format module, and Babel/CLDR's Khmer date patterns
("25 វិច្ឆិកា 2026") are not what Cambodian official documents print. This module writes the
forms those documents use, and English equivalents for the ``en`` interface, so that templates
and generated instruments agree.

Every function that takes ``language`` reads the active Django language when it is ``None``.
Any language other than Khmer gets the English form, because English is the only other
language Lekhit offers.
"""

import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar, overload

import icu
from babel.numbers import format_decimal
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

__all__ = [
    "KHMER_MONTHS",
    "collation_key",
    "format_date",
    "format_month",
    "format_datetime",
    "format_number",
    "is_khmer",
    "khmer_digits",
    "sorted_khmer",
]

T = TypeVar("T")

_KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")

KHMER_MONTHS = (
    "មករា",
    "កុម្ភៈ",
    "មីនា",
    "មេសា",
    "ឧសភា",
    "មិថុនា",
    "កក្កដា",
    "សីហា",
    "កញ្ញា",
    "តុលា",
    "វិច្ឆិកា",
    "ធ្នូ",
)
"""Solar (Gregorian) month names, January first, as used in official dates."""

# A fixed list rather than strftime("%B"), which follows the process's C locale, not Django's
# active language.
_ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def is_khmer(language: str | None = None) -> bool:
    """Tell whether ``language`` (or the active one) is Khmer, ignoring any region subtag.

    With translations deactivated there is no active language, and the site default applies.
    """
    language = language or get_language() or settings.LANGUAGE_CODE
    return language.split("-")[0].lower() == "km"


def khmer_digits(value: object) -> str:
    """Return ``str(value)`` with the Western digits 0-9 replaced by Khmer digits ០-៩.

    Nothing else changes: separators, letters and digits of other scripts stay as they are,
    so this is safe on any text, including text that already mixes scripts.
    """
    return str(value).translate(_KHMER_DIGITS)


def reader_digits(value: object, language: str | None = None) -> object:
    """``value`` as the reader writes digits: Khmer digits (as a string) in Khmer, else
    ``value`` itself, unchanged — for a number put into a translated sentence."""
    return khmer_digits(value) if is_khmer(language) else value


def format_number(value: int | float | Decimal, language: str | None = None) -> str:
    """Group a number's thousands for ``language``, with Khmer digits in Khmer.

    Khmer uses a full stop to group thousands and a comma before decimals ("១.២៣៤.៥៦៧,៥"),
    as riel amounts are printed in official documents. This is also exactly what CLDR defines
    for Khmer with the Khmer numbering system (``km@numbers=khmr``); CLDR's default for ``km``
    is the Latin system with English-style symbols ("1,234,567.5"), which is what Babel and
    ICU give unless asked otherwise, and which would read as a different amount to a
    Cambodian reader used to the official form. English gives "1,234,567.5".

    At most three decimals are kept (Babel's default pattern); amounts needing a fixed number
    of decimals should be quantized by the caller first.
    """
    khmer = is_khmer(language)
    if isinstance(value, int) and not isinstance(value, bool):
        # A whole number is grouped by threes in both patterns: Python's own grouping, 60 µs
        # less a number than Babel's (a list writes dozens of them).
        grouped = f"{value:,}"
        return khmer_digits(grouped.replace(",", ".")) if khmer else grouped
    if khmer:
        return khmer_digits(format_decimal(value, locale="km", numbering_system="khmr"))
    return format_decimal(value, locale="en")


def _local_date(value: date) -> date:
    """Return the calendar day of ``value`` where the reader is, for aware datetimes."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def format_date(value: date, language: str | None = None, *, long: bool = True) -> str:
    """Write a date as Cambodian official documents do, or in British-style English.

    Long form: "ថ្ងៃទី២៥ ខែវិច្ឆិកា ឆ្នាំ២០២៦" / "25 November 2026". Short form:
    "២៥/១១/២០២៦" / "25/11/2026", day first in both languages so that a bilingual reader never
    swaps day and month. An aware datetime is first converted to the current Django time zone,
    so that the day shown is the reader's day.
    """
    value = _local_date(value)
    if is_khmer(language):
        if long:
            month = KHMER_MONTHS[value.month - 1]
            return khmer_digits(f"ថ្ងៃទី{value.day} ខែ{month} ឆ្នាំ{value.year}")
        return khmer_digits(f"{value.day:02}/{value.month:02}/{value.year}")
    if long:
        return f"{value.day} {_ENGLISH_MONTHS[value.month - 1]} {value.year}"
    return f"{value.day:02}/{value.month:02}/{value.year}"


def format_month(value: date, language: str | None = None, *, short: bool = False) -> str:
    """A month of a year: "ខែវិច្ឆិកា ឆ្នាំ២០២៦" / "November 2026"; short, for a chart's axis:
    "វិច្ឆិកា ២០២៦" / "Nov 2026"."""
    value = _local_date(value)
    if is_khmer(language):
        month = KHMER_MONTHS[value.month - 1]
        text = f"{month} {value.year}" if short else f"ខែ{month} ឆ្នាំ{value.year}"
        return khmer_digits(text)
    month = _ENGLISH_MONTHS[value.month - 1]
    return f"{month[:3] if short else month} {value.year}"


def format_datetime(value: datetime, language: str | None = None) -> str:
    """Write the long date followed by the 24-hour time.

    "ថ្ងៃទី២៥ ខែវិច្ឆិកា ឆ្នាំ២០២៦ ម៉ោង ១៤:០៥" / "25 November 2026, 14:05". An aware
    datetime is shown in the current Django time zone (``timezone.localtime``); a naive one
    is taken to be local already and shown as it is.
    """
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    day = format_date(value, language)
    time = f"{value.hour:02}:{value.minute:02}"
    if is_khmer(language):
        return f"{day} ម៉ោង {khmer_digits(time)}"
    return f"{day}, {time}"


_local = threading.local()


def _collator() -> icu.Collator:
    """Return this thread's Khmer collator, created on first use.

    ICU collators are not thread-safe and are costly to build, so each thread keeps one.
    """
    collator = getattr(_local, "collator", None)
    if collator is None:
        collator = _local.collator = icu.Collator.createInstance(icu.Locale("km"))
    return collator


def collation_key(text: str) -> bytes:
    """Return a sort key putting Khmer text in dictionary order (ICU's ``km`` collation).

    Sorting by code point misplaces Khmer words: independent vowels such as ឥ and ឧ sort as
    អិ and អុ, and ឫ/ឬ sort right after រ, but their code points come after all consonants.
    Keys compare as plain bytes, but only against keys from the same ICU version: store the
    text, not the key.
    """
    return _collator().getSortKey(text)


@overload
def sorted_khmer(items: Iterable[str], *, key: None = None) -> list[str]: ...
@overload
def sorted_khmer(items: Iterable[T], *, key: Callable[[T], str]) -> list[T]: ...
def sorted_khmer(items: Iterable[T], *, key: Callable[[T], str] | None = None) -> list[T]:
    """Return ``items`` sorted in Khmer dictionary order, by ``key(item)`` when given."""
    if key is None:
        return sorted(items, key=collation_key)
    return sorted(items, key=lambda item: collation_key(key(item)))
