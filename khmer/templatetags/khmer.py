"""Template filters that write numbers and dates in the reader's language: ``{% load khmer %}``.

Each filter follows the active language, so one template serves both interfaces: Khmer gets
Khmer digits and official Khmer forms, English gets English forms with Western digits. Every
filter turns ``None`` and ``""`` into ``""``, so optional fields need no ``{% if %}``.
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template

from khmer.formats import format_date, format_datetime, format_number, is_khmer, khmer_digits

register = template.Library()


@register.filter(is_safe=True)
def kmdigits(value: object) -> object:
    """Show any value's digits as Khmer digits when the active language is Khmer.

    Only digits change, so HTML-safe input stays safe (hence ``is_safe``).
    """
    if value is None or value == "":
        return ""
    return khmer_digits(value) if is_khmer() else value


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
