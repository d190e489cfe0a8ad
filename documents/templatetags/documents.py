"""Template filters of the instrument pages: ``{% load documents %}``."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from khmer.segment import insert_zwsp

register = template.Library()


@register.filter
def may_create_instrument(user) -> bool:
    """The instrument policy's answer for the menu, which every page renders without a view
    of its own to ask: may ``user`` start a new instrument?"""
    from documents.permissions import instrument_policy

    return instrument_policy.user_may(user, "create")


@register.filter(needs_autoescape=True)
def zwsp(value: object, autoescape: bool = True) -> str:
    """Khmer text with invisible line-break opportunities between its words, escaped.

    Browsers cannot break a line inside unspaced Khmer without a dictionary; an ICU word
    boundary gets a ZERO WIDTH SPACE (see ``khmer.segment.insert_zwsp``).
    """
    if value is None or value == "":
        return ""
    text = insert_zwsp(str(value))
    return mark_safe(conditional_escape(text) if autoescape else text)  # noqa: S308
