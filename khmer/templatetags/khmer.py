"""Template filters that write numbers and dates in the reader's language: ``{% load khmer %}``.

Each filter follows the active language, so one template serves both interfaces: Khmer gets
Khmer digits and official Khmer forms, English gets English forms with Western digits. Every
filter turns ``None`` and ``""`` into ``""``, so optional fields need no ``{% if %}``.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.safestring import SafeData, mark_safe

from khmer.formats import (
    format_date,
    format_datetime,
    format_number,
    is_khmer,
    khmer_digits,
    reader_digits,
)
from khmer.lunar import lunar_date

register = template.Library()


@register.filter(is_safe=True)
def kmdigits(value: object) -> object:
    """Show any value's digits as Khmer digits when the active language is Khmer.

    Only digits change, so HTML-safe input stays safe (hence ``is_safe``).
    """
    if value is None or value == "":
        return ""
    return reader_digits(value)


@register.filter(is_safe=True)
def kmnumber(value: object) -> object:
    """Group a number's thousands ("១.២៣៤.៥៦៧" / "1,234,567"); see ``format_number``.

    Numeric strings, as a form or a query may hand over, are formatted too; anything that is
    not a finite number is shown unchanged, as Django's ``intcomma`` does.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, int | float | Decimal):
        number = value
    else:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return value
    if not Decimal(number).is_finite():
        return value
    return format_number(number)


@register.filter
def kmdate(value: object, form: str = "long") -> str:
    """Write a date: ``|kmdate`` gives the long form, ``|kmdate:"short"`` the numeric one.

    Anything that is not a date or datetime gives "", as Django's ``date`` filter does.
    """
    if not isinstance(value, date):
        return ""
    return format_date(value, long=form != "short")


@register.filter
def kmdatetime(value: object) -> str:
    """Write a datetime's date and time in the current time zone; a plain date, only the date."""
    if isinstance(value, datetime):
        return format_datetime(value)
    return kmdate(value)


@register.filter
def kmvalue(value: object) -> object:
    """Any value as a page shows it: a date or datetime by ``kmdatetime``, a number by
    ``kmnumber``, anything else unchanged (for templates that list a model's fields)."""
    if isinstance(value, date):
        return kmdatetime(value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return kmnumber(value)
    return value


# Columns of viewflow's lists that hold no typed text: their digits are ids, counts and times
# ("#3/27", "2 នាទី"), safe to write in Khmer digits. Other text columns (an instrument's
# title, a brief) are shown as typed.
SAFE_LIST_COLUMNS = {"task_id", "process_id", "id", "pk", "created", "finished", "number", "age"}
_TEXT_OUTSIDE_TAGS = re.compile(r"(^|>)([^<]*)")


def _html_digits(value: str) -> str:
    """Khmer digits in the text of an HTML fragment, not in its tags (links keep their URLs)."""
    return _TEXT_OUTSIDE_TAGS.sub(lambda m: m.group(1) + khmer_digits(m.group(2)), value)


def list_cell(view, obj, column, raw):
    """One cell of a viewflow list, as viewflow would show the column's value ``raw``, but with
    dates in the official form and numbers grouped in the reader's language (viewflow writes
    them by Django's formats, in Western digits: "2 ខែ ធ្នូ ឆ្នាំ 2026, 18:49")."""
    if isinstance(raw, datetime):
        return format_datetime(raw)
    if isinstance(raw, date):
        return format_date(raw)
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        return format_number(raw)
    value = view.format_value(obj, column, raw)
    if is_khmer() and getattr(column, "attr_name", None) in SAFE_LIST_COLUMNS:
        if isinstance(value, SafeData):
            return mark_safe(_html_digits(str(value)))  # noqa: S308 - only digits change
        return khmer_digits(value)
    return value


@register.filter
def kmlist_rows(page, view):
    """viewflow's ``list_page_data``: each row of the page with its cells, ``(column, value)``,
    each written by ``list_cell``. Each column's value is read once: a link's reverse, a
    ``timesince``, once a cell."""
    columns = list(view.list_columns.values())
    for obj in page:
        yield (
            obj,
            [(column, list_cell(view, obj, column, column.get_value(obj))) for column in columns],
        )


@register.filter
def kmlunar(value: object) -> str:
    """The lunar date line printed under an instrument's date: "ថ្ងៃពុធ ១៣កើត ខែកត្តិក ឆ្នាំរោង
    ឆស័ក ព.ស.២៥៦៨" in Khmer, "Wednesday, 13th waxing day of Kattik, ..." in English.

    An aware datetime counts by its day in the current time zone; anything that is not a date
    gives "", as ``kmdate`` does.
    """
    if not isinstance(value, date):
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    lunar = lunar_date(value)
    return lunar.khmer() if is_khmer() else lunar.english()
