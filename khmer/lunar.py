"""The Khmer lunar calendar (ចន្ទគតិ, *chhankitek*): the lunar date line of official instruments.

Cambodian instruments print, under the place-and-date line, the same day in the lunar calendar:
"ថ្ងៃពុធ ១៣កើត ខែកត្តិក ឆ្នាំរោង ឆស័ក ព.ស.២៥៦៨". No maintained Python library computes it, so
this module does, from the published rules of the Khmer calendar:

* Each Buddhist-era (BE) year has an *aharkun* (days elapsed since the era's epoch), a
  *kromthupul* (what is left of the solar year, which says whether it has 366 days), an
  *avoman* (the moon's lag) and a *bodithey* (the lunar day at the solar new year).
* A year whose bodithey is large or small gets a leap month (អធិកមាស: អាសាឍ is doubled into
  បឋមាសាឍ and ទុតិយាសាឍ, 384 days); otherwise a year whose avoman is small gets a leap day
  (ចន្ទ្រាធិមាស: ជេស្ឋ has 30 days, 355 days). Both never fall in one year: the leap day then
  moves to the next year without a leap month. Ordinary years have 354 days.
* Months alternate 29 and 30 days from មិគសិរ (29). A day is the 1st to 15th of the waxing moon
  (កើត) or of the waning moon (រោច); a 29-day month ends on ១៤រោច.
* The Buddhist era changes on ១រោច ខែពិសាខ, the day after Visak Bochea, as the Ministry of
  Cults and Religion reminded in 2018 (https://www.cpp.org.kh/details/66872).
* The animal year changes at the new year (មហាសង្ក្រាន្ត, 13 or 14 April), and the ស័ក (the
  last digit of the Chula Sakarat era, named) on the day of ឡើងស័ក, two or three days later.
  ឡើងស័ក falls on the lunar day of the bodithey; how many days come before it follows from the
  sun's computed longitude (the *suriyayatra*).

Everything here is plain Python (no Django), so that it can be checked on its own. Dates before
1800 or after 2300 raise ``ValueError``; the rules are tested against published dates from
2000 to 2035.
"""

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum
from functools import cache

__all__ = [
    "AnimalYear",
    "LunarDate",
    "LunarMonth",
    "NewYear",
    "Sak",
    "gregorian_of",
    "lunar_date",
    "new_year",
]

# Khmer digits here rather than khmer.formats.khmer_digits, which pulls in Django and ICU.
_KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


class LunarMonth(IntEnum):
    """The lunar months in their order from មិគសិរ, and the two months of a leap year's អាសាឍ."""

    MIKASAR = 0
    BOS = 1
    MEAK = 2
    PHALKUN = 3
    CHETR = 4
    PISAKH = 5
    JESTH = 6
    ASADH = 7
    SRAP = 8
    PHATRABOT = 9
    ASSOCH = 10
    KATTIK = 11
    FIRST_ASADH = 12
    SECOND_ASADH = 13

    @property
    def khmer(self) -> str:
        return _MONTHS[self][0]

    @property
    def english(self) -> str:
        return _MONTHS[self][1]


_MONTHS = {
    LunarMonth.MIKASAR: ("មិគសិរ", "Mikasar"),
    LunarMonth.BOS: ("បុស្ស", "Bos"),
    LunarMonth.MEAK: ("មាឃ", "Meak"),
    LunarMonth.PHALKUN: ("ផល្គុន", "Phalkun"),
    LunarMonth.CHETR: ("ចេត្រ", "Chetr"),
    LunarMonth.PISAKH: ("ពិសាខ", "Pisakh"),
    LunarMonth.JESTH: ("ជេស្ឋ", "Jesth"),
    LunarMonth.ASADH: ("អាសាឍ", "Asadh"),
    LunarMonth.SRAP: ("ស្រាពណ៍", "Srap"),
    LunarMonth.PHATRABOT: ("ភទ្របទ", "Phatrabot"),
    LunarMonth.ASSOCH: ("អស្សុជ", "Assoch"),
    LunarMonth.KATTIK: ("កត្តិក", "Kattik"),
    LunarMonth.FIRST_ASADH: ("បឋមាសាឍ", "First Asadh"),
    LunarMonth.SECOND_ASADH: ("ទុតិយាសាឍ", "Second Asadh"),
}


class AnimalYear(IntEnum):
    """The twelve animal years, the Rat first."""

    RAT = 0
    OX = 1
    TIGER = 2
    RABBIT = 3
    DRAGON = 4
    SNAKE = 5
    HORSE = 6
    GOAT = 7
    MONKEY = 8
    ROOSTER = 9
    DOG = 10
    PIG = 11

    @property
    def khmer(self) -> str:
        return ("ជូត", "ឆ្លូវ", "ខាល", "ថោះ", "រោង", "ម្សាញ់", "មមី", "មមែ", "វក", "រកា", "ច", "កុរ")[self]

    @property
    def english(self) -> str:
        return self.name.title()


class Sak(IntEnum):
    """The ស័ក: the last digit of the Chula Sakarat (ចុល្លសករាជ) year, which has a name."""

    SAMRIDDHISAK = 0
    EKASAK = 1
    TOSAK = 2
    TRISAK = 3
    CHATTVASAK = 4
    PANCHASAK = 5
    CHHASAK = 6
    SAPPASAK = 7
    ATTHASAK = 8
    NOPPASAK = 9

    @property
    def khmer(self) -> str:
        return (
            "សំរឹទ្ធិស័ក",
            "ឯកស័ក",
            "ទោស័ក",
            "ត្រីស័ក",
            "ចត្វាស័ក",
            "បញ្ចស័ក",
            "ឆស័ក",
            "សប្តស័ក",
            "អដ្ឋស័ក",
            "នព្វស័ក",
        )[self]

    @property
    def english(self) -> str:
        return self.name.title()


# Monday first, as date.weekday() counts.
_KHMER_WEEKDAYS = ("ចន្ទ", "អង្គារ", "ពុធ", "ព្រហស្បតិ៍", "សុក្រ", "សៅរ៍", "អាទិត្យ")
_ENGLISH_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class LunarDate:
    """One day of the lunar calendar, with the years an instrument prints beside it."""

    day: int
    """1 to 15, of the waxing or the waning moon."""
    waxing: bool
    month: LunarMonth
    animal_year: AnimalYear
    sak: Sak
    buddhist_era: int
    weekday: int
    """Monday 0 to Sunday 6, as ``date.weekday()``."""

    @property
    def in_leap_month(self) -> bool:
        """Whether the day is in one of the two អាសាឍ of a leap-month year (អធិកមាស)."""
        return self.month in (LunarMonth.FIRST_ASADH, LunarMonth.SECOND_ASADH)

    def khmer(self) -> str:
        """The line as instruments print it: "ថ្ងៃពុធ ១៣កើត ខែកត្តិក ឆ្នាំរោង ឆស័ក ព.ស.២៥៦៨"."""
        moon = "កើត" if self.waxing else "រោច"
        line = (
            f"ថ្ងៃ{_KHMER_WEEKDAYS[self.weekday]} {self.day}{moon} ខែ{self.month.khmer} "
            f"ឆ្នាំ{self.animal_year.khmer} {self.sak.khmer} ព.ស.{self.buddhist_era}"
        )
        return line.translate(_KHMER_DIGITS)

    def english(self) -> str:
        """The same line for the English layout: "Wednesday, 13th waxing day of Kattik, ..."."""
        moon = "waxing" if self.waxing else "waning"
        return (
            f"{_ENGLISH_WEEKDAYS[self.weekday]}, {_ordinal(self.day)} {moon} day of "
            f"{self.month.english}, Year of the {self.animal_year.english}, "
            f"{self.sak.english}, B.E. {self.buddhist_era}"
        )


@dataclass(frozen=True)
class NewYear:
    """The Khmer new year of one Gregorian year: its first day and its ឡើងស័ក day."""

    moha_songkran: dt.date
    """The first day, on which the animal year changes."""
    leungsak: dt.date
    """The last day, on which the ស័ក changes."""

    @property
    def days(self) -> int:
        """3, or 4 when the year has two វ័នបត days."""
        return (self.leungsak - self.moha_songkran).days + 1


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


# ---------------------------------------------------------------------------------------------
# The year's numbers. Each takes the BE year; the new-year texts count in Chula Sakarat years
# (JS), which is the same arithmetic with be = js + 1182.


def _aharkun(be: int) -> int:
    return (be * 292207 + 499) // 800 + 4


def _kromthupul(be: int) -> int:
    return 800 - (be * 292207 + 499) % 800


def _avoman(be: int) -> int:
    return (11 * _aharkun(be) + 25) % 692


def _bodithey(be: int) -> int:
    aharkun = _aharkun(be)
    return (aharkun + (11 * aharkun + 25) // 692 + 29) % 30


def _has_366_days(be: int) -> bool:
    return _kromthupul(be) <= 207


def _wants_leap_month(be: int) -> bool:
    """Whether the bodithey calls for a 13th month, before any carrying over."""
    bodithey, following = _bodithey(be), _bodithey(be + 1)
    if bodithey == 25 and following == 5:  # of two such years only the second takes it
        return False
    if bodithey == 24 and following == 6:  # and of these, the first
        return True
    return bodithey >= 25 or bodithey <= 5


def _wants_leap_day(be: int) -> bool:
    """Whether the avoman calls for a 30-day ជេស្ឋ, before any carrying over."""
    avoman = _avoman(be)
    if avoman == 0 and _avoman(be - 1) == 137:
        return True
    if _has_366_days(be):
        return avoman <= 126
    if avoman == 137 and _avoman(be + 1) == 0:  # the following year takes it
        return False
    return avoman <= 137


_ORDINARY, _LEAP_MONTH, _LEAP_DAY = 0, 1, 2


@cache
def _leap(be: int) -> int:
    """Which of the leaps the year has: a leap month wins, and a leap day it displaces goes to
    the first following year without a leap month."""
    if _wants_leap_month(be):
        return _LEAP_MONTH
    if _wants_leap_day(be):
        return _LEAP_DAY
    earlier = be - 1
    while _wants_leap_month(earlier):
        if _wants_leap_day(earlier):
            return _LEAP_DAY
        earlier -= 1
    return _ORDINARY


@cache
def _months(be: int) -> tuple[tuple[LunarMonth, int], ...]:
    """The months, with their lengths, from the មិគសិរ before the year's ជេស្ឋ to the កត្តិក
    after it."""
    leap = _leap(be)
    months = []
    for month in LunarMonth:
        if month > LunarMonth.KATTIK:
            break
        if month == LunarMonth.ASADH and leap == _LEAP_MONTH:
            months += [(LunarMonth.FIRST_ASADH, 30), (LunarMonth.SECOND_ASADH, 30)]
        elif month == LunarMonth.JESTH and leap == _LEAP_DAY:
            months.append((month, 30))
        else:
            months.append((month, 29 if month % 2 == 0 else 30))
    return tuple(months)


# The lunar year (មិគសិរ to កត្តិក) whose ជេស្ឋ falls in the Gregorian year Y belongs to BE
# Y + 544. Its first day, 1កើត ខែមិគសិរ, is counted from a known one: 1 January 1900 was
# 1កើត ខែបុស្ស, so 3 December 1899 (29 days earlier) began the year of 1900.
_FIRST_YEAR, _LAST_YEAR = 1800, 2300
_ANCHOR_YEAR, _ANCHOR = 1900, dt.date(1899, 12, 3).toordinal()
_BE_OFFSET = 544


@cache
def _year_starts() -> dict[int, int]:
    """The ordinal of each lunar year's first day, keyed by the Gregorian year of its ជេស្ឋ."""
    length = {
        year: sum(days for _, days in _months(year + _BE_OFFSET))
        for year in range(_FIRST_YEAR, _LAST_YEAR + 2)
    }
    starts = {_ANCHOR_YEAR: _ANCHOR}
    for year in range(_ANCHOR_YEAR + 1, _LAST_YEAR + 2):
        starts[year] = starts[year - 1] + length[year - 1]
    for year in range(_ANCHOR_YEAR - 1, _FIRST_YEAR - 1, -1):
        starts[year] = starts[year + 1] - length[year]
    return starts


def _year_start(year: int) -> int:
    try:
        return _year_starts()[year]
    except KeyError:
        raise ValueError(
            f"the Khmer lunar calendar is computed from {_FIRST_YEAR} to {_LAST_YEAR}"
        ) from None


# ---------------------------------------------------------------------------------------------
# The new year, from the sun's true longitude on the last days of the old year.


def _sun(be: int, sotin: int) -> tuple[int, int, int]:
    """The sun's true longitude on day ``sotin`` of the solar year before ``be``'s, as
    (reasey, angsar, libda): signs of 30 degrees, degrees, minutes."""
    sign, degree = 30 * 60, 60  # in libda
    elapsed = 800 * sotin + _kromthupul(be - 1)
    reasey, rest = divmod(elapsed, 24350)
    angsar, rest = divmod(rest, 811)
    mean = sign * reasey + degree * angsar + rest // 14 - 3

    # Equation of centre: the distance from the apogee (2 signs 20 degrees), folded into the
    # first quadrant, read from the table in steps of 15 degrees (khan).
    anomaly = (mean - (2 * sign + 20 * degree)) % (12 * sign)
    quadrant = anomaly // (3 * sign)
    folded = (anomaly, 6 * sign - anomaly, anomaly - 6 * sign, 12 * sign - anomaly)[quadrant]
    khan, within = divmod(folded, 15 * degree)
    multiplier, base = (
        ((35, 0), (32, 35), (27, 67), (22, 94), (13, 116), (5, 129))[khan]
        if khan <= 5
        else (0, 134)
    )
    correction = within * multiplier // 900 + base
    true = mean - correction if anomaly < 6 * sign else mean + correction
    return true // sign, true % sign // degree, true % degree


@cache
def new_year(year: int) -> NewYear:
    """The Khmer new year of the Gregorian ``year``: its first day and its ឡើងស័ក day."""
    be = year + _BE_OFFSET
    sotins = range(363, 367) if _has_366_days(be - 1) else range(362, 366)
    suns = [_sun(be, sotin) for sotin in sotins]
    # When the sun's angsar (its degree within the sign) is already 0 on the first of the last
    # four days of the old solar year, the new year has four days (two វ័នបត), otherwise three.
    # (The hour it enters is left out: computed from the libda it comes out minutes away from
    # the published ones, 13:36 against 13:12 in 2011, 22:24 against 22:17 in 2024.)
    days = 4 if suns[0][1] == 0 else 3
    # ឡើងស័ក falls on the lunar day of the bodithey: in ចេត្រ, or for a small bodithey in ពិសាខ.
    bodithey = _bodithey(be)
    if _wants_leap_month(be - 1) and _wants_leap_day(be - 1):
        bodithey = (bodithey + 1) % 30
    chetr = _year_start(year) + sum(length for _, length in _months(be)[: LunarMonth.CHETR])
    leungsak = chetr + (bodithey - 1 if bodithey >= 6 else 29 + bodithey)
    return NewYear(
        moha_songkran=dt.date.fromordinal(leungsak - days + 1),
        leungsak=dt.date.fromordinal(leungsak),
    )


# ---------------------------------------------------------------------------------------------
# Conversions.


def _month_of(year: int, offset: int) -> tuple[LunarMonth, int]:
    """The month of the lunar year ``year`` that holds its day ``offset``, and the day in it."""
    for month, length in _months(year + _BE_OFFSET):
        if offset < length:
            return month, offset
        offset -= length
    raise AssertionError("a lunar year holds its own days")


def lunar_date(date: dt.date) -> LunarDate:
    """The lunar date of ``date`` (a datetime counts by its own date, in its own time zone)."""
    if isinstance(date, dt.datetime):
        date = date.date()
    ordinal = date.toordinal()
    year = date.year
    while ordinal < _year_start(year):
        year -= 1
    while ordinal >= _year_start(year + 1):
        year += 1
    month, offset = _month_of(year, ordinal - _year_start(year))
    after_visak = month > LunarMonth.PISAKH or (month == LunarMonth.PISAKH and offset >= 15)
    songkran = new_year(date.year)
    animal = date.year + _BE_OFFSET + 4 - (date < songkran.moha_songkran)
    sak = date.year - 638 - (date < songkran.leungsak)
    return LunarDate(
        day=offset % 15 + 1,
        waxing=offset < 15,
        month=month,
        animal_year=AnimalYear(animal % 12),
        sak=Sak(sak % 10),
        buddhist_era=year + _BE_OFFSET - (not after_visak),
        weekday=date.weekday(),
    )


def gregorian_of(year: int, month: LunarMonth, day: int, waxing: bool) -> dt.date:
    """The day of the Gregorian ``year`` that is ``day`` កើត (``waxing``) or រោច of ``month``:
    e.g. Meak Bochea, ១៥កើត ខែមាឃ. In a leap-month year, អាសាឍ means ទុតិយាសាឍ, in which the
    feasts of អាសាឍ are kept. Raises ``ValueError`` if the year has no such day (a ១៥រោច in a
    29-day month, a មិគសិរ day that fell in the previous December)."""
    if not 1 <= day <= 15:
        raise ValueError("a lunar day is 1 to 15")
    index = day - 1 + (0 if waxing else 15)
    for lunar_year in (year, year + 1):
        start = _year_start(lunar_year)
        months = _months(lunar_year + _BE_OFFSET)
        wanted = month
        if month == LunarMonth.ASADH and _leap(lunar_year + _BE_OFFSET) == _LEAP_MONTH:
            wanted = LunarMonth.SECOND_ASADH
        for candidate, length in months:
            if candidate == wanted and index < length:
                found = dt.date.fromordinal(start + index)
                if found.year == year:
                    return found
            start += length
    raise ValueError(
        f"{year} has no {day} {'waxing' if waxing else 'waning'} day of {month.english}"
    )
