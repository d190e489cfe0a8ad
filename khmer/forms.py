"""Form fields for dates and whole numbers that a Khmer keyboard can fill in.

The browser's own ``<input type="date">`` shows the date in the browser's locale (an English
Chromium writes "12/02/2026", month first) and its ``<input type="number">`` silently drops
digits it does not know: "១២" typed on a Khmer keyboard reaches the server as nothing. Both
also stop a form with a bubble in the browser's language. These fields use plain text inputs
instead: a date is shown and typed day first, dd/mm/yyyy, in Khmer digits in Khmer; a number
is typed in Khmer or Western digits (``inputmode="numeric"`` still brings up the phone's
digit pad); the server reads either and says what is wrong, beside the field, in the
reader's language.
"""

import re
from datetime import date, datetime

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from khmer.formats import format_date, format_month, reader_digits

__all__ = [
    "DateField",
    "DateInput",
    "IntegerField",
    "MonthField",
    "MonthSelect",
    "months_before",
    "NumberInput",
    "formfield",
    "latin_digits",
    "parse_date",
    "parse_integer",
]

_LATIN_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
# Day first, as Cambodian documents write it: 25/11/2026, 25-11-2026, 25.11.2026, 1/2/2026.
_DAY_FIRST = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
# What the browser's date input and the API send: 2026-11-25.
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# A month as the month input sent it, and as links carry it: 2026-11.
_MONTH = re.compile(r"(\d{4})-(\d{2})")
# Thousands grouped by full stops (Khmer, "១.២៣៤.៥៦៧"), commas (English) or spaces.
_GROUPED = re.compile(r"\d{1,3}(?:([.,\s\u00a0\u202f])\d{3})(?:\1\d{3})*")


def latin_digits(text: str) -> str:
    """Return ``text`` with Khmer digits ០-៩ replaced by 0-9; nothing else changes."""
    return text.translate(_LATIN_DIGITS)


def parse_integer(text: str) -> int | None:
    """Read a whole number typed in Khmer or Western digits, its thousands grouped or not.

    "១២" → 12, "1,234,567" and "១.២៣៤.៥៦៧" → 1234567, "" → None. Anything else (letters,
    decimals, a sign, "1.5") raises ``ValueError``: a budget is never guessed.
    """
    text = latin_digits(text).strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if _GROUPED.fullmatch(text):
        return int(re.sub(r"\D", "", text))
    raise ValueError(text)


def parse_date(text: str) -> date | None:
    """Read a date typed day first (dd/mm/yyyy, also with - or .), or as yyyy-mm-dd, in Khmer
    or Western digits. "" → None; anything else, or a day that does not exist, raises
    ``ValueError``."""
    text = latin_digits(text).strip()
    if not text:
        return None
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = match.groups()
    elif match := _ISO.fullmatch(text):
        year, month, day = match.groups()
    else:
        raise ValueError(text)
    return date(int(year), int(month), int(day))


class NumberInput(forms.TextInput):
    """A text input for whole numbers: any digits typed reach the server, Khmer digits in
    Khmer. ``inputmode`` brings up a digit pad on phones; no ``type=number`` and no
    ``min``/``max``/``required`` attributes, so no bubble in the browser's language."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        value = super().format_value(value)
        return reader_digits(value) if value is not None else value


class DateInput(forms.TextInput):
    """A text input for a date as dd/mm/yyyy, in Khmer digits in Khmer."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "size": 10, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", str(_("dd/mm/yyyy")))
        return context

    def format_value(self, value):
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return format_date(value, long=False)
        if callable(value):  # an initial such as timezone.localdate
            return self.format_value(value())
        return super().format_value(value)


class _SaidInTheReadersDigits:
    """A limit that says its numbers in Khmer digits to a Khmer reader: Django's own writes
    "តូចជាង ឬស្មើ 2200"."""

    def __call__(self, value):
        try:
            super().__call__(value)
        except ValidationError as error:
            params = {name: reader_digits(said) for name, said in error.params.items()}
            raise ValidationError(error.message, code=error.code, params=params) from None


class MinValueValidator(_SaidInTheReadersDigits, validators.MinValueValidator):
    pass


class MaxValueValidator(_SaidInTheReadersDigits, validators.MaxValueValidator):
    pass


_IN_THE_READERS_DIGITS = {
    validators.MinValueValidator: MinValueValidator,
    validators.MaxValueValidator: MaxValueValidator,
}


class IntegerField(forms.IntegerField):
    """A whole number typed in Khmer or Western digits (see ``parse_integer``); its limits
    said in the reader's digits."""

    widget = NumberInput
    default_error_messages = {
        "invalid": _("Type a whole number, in Khmer or Western digits (for example ១២ or 12)."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.pop("step_size", None)
        super().__init__(*args, **kwargs)
        self.validators = [
            _IN_THE_READERS_DIGITS[type(limit)](limit.limit_value, limit.message)
            if type(limit) in _IN_THE_READERS_DIGITS
            else limit
            for limit in self.validators
        ]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            return parse_integer(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def widget_attrs(self, widget):
        # Neither min nor max: the server says what is out of range, in the reader's language.
        return forms.Field.widget_attrs(self, widget)


class DateField(forms.DateField):
    """A date typed as dd/mm/yyyy in Khmer or Western digits (see ``parse_date``)."""

    widget = DateInput
    default_error_messages = {
        "invalid": _("Type the date as day/month/year, for example ២៥/១១/២០២៦ or 25/11/2026."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return parse_date(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def formfield(model_field: models.Field, **kwargs) -> forms.Field | None:
    """A ``formfield_callback`` for model forms: integer and date columns get the fields
    above, every other column its usual field."""
    if isinstance(model_field, models.DateTimeField):
        return model_field.formfield(**kwargs)
    if isinstance(model_field, models.DateField):
        return model_field.formfield(**{"form_class": DateField, **kwargs})
    if isinstance(model_field, models.IntegerField) and not model_field.choices:
        return model_field.formfield(**{"form_class": IntegerField, **kwargs})
    return model_field.formfield(**kwargs)


def months_before(month: date, count: int) -> date:
    """The first day of the month ``count`` months before ``month``'s."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


class MonthSelect(forms.Select):
    """A month chosen from the last ``MONTHS``, newest first, each named as the reader reads
    it ("ខែធ្នូ ឆ្នាំ២០២៦"). The browser's month input wrote the month in the browser's
    language ("December 2026") and its blank as dashes. Its values are what that input sent
    and what links carry: "2026-12"; a month from further back (in a link) is offered too."""

    MONTHS = 120

    def __init__(self, attrs=None, *, empty_label=""):
        super().__init__(attrs)
        self.empty_label = empty_label

    def format_value(self, value):
        if isinstance(value, date):
            value = f"{value:%Y-%m}"
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        this_month = timezone.localdate().replace(day=1)
        months = [months_before(this_month, count) for count in range(self.MONTHS)]
        choices = [(f"{month:%Y-%m}", format_month(month)) for month in months]
        offered = {key for key, _label in choices}
        for chosen in self.format_value(value):
            if chosen and chosen not in offered and (month := _month(chosen)):
                choices.append((chosen, format_month(month)))
        self.choices = [("", self.empty_label), *choices]
        return super().get_context(name, value, attrs)


def _month(text: str) -> date | None:
    match = _MONTH.fullmatch(latin_digits(text).strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        return None
    return date(int(match[1]), int(match[2]), 1)


class MonthField(forms.CharField):
    """A month (its first day), chosen from a ``MonthSelect``: "2026-11" in the URL."""

    widget = MonthSelect
    default_error_messages = {"invalid": _("Give a month, as 2026-11.")}

    def __init__(self, *args, empty_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.empty_label = empty_label

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        month = _month(value)
        if month is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return month
