"""Template filters and tags of the instrument pages: ``{% load documents %}``.

The comparison page's markup is made here and in its templates, never in the view: a word
diff's side in ``<ins>``/``<del>``, and each compared field shown as its kind of value is
(a ministry's name, a level's label, a number or date in Khmer). Every piece of text is
escaped on its way in; only the tags added here are markup.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Literal

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from documents.diffing import Segment
from documents.models import Provision, ScheduleRow
from documents.numbering import provision_label
from khmer.segment import insert_zwsp
from khmer.templatetags.khmer import kmdate, kmnumber

register = template.Library()

TEXT_DIFF_FIELDS = frozenset(
    {"heading_km", "heading_en", "text_km", "text_en", "title_km", "title_en"}
    | {"function_km", "function_en", "legal_basis", "assets"}
)
"""Compared word by word; any other changed field is shown whole, deleted or inserted."""


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


def segments_to_html(segments: Iterable[Segment], side: Literal["old", "new"]) -> SafeString:
    """One side of a word diff as escaped HTML: the old side shows unchanged and deleted
    text (in ``<del>``), the new side unchanged and inserted text (in ``<ins>``)."""
    if side not in ("old", "new"):
        raise ValueError(f"side must be 'old' or 'new', not {side!r}")
    shown, tag = ("delete", "del") if side == "old" else ("insert", "ins")
    parts = []
    for op, text in segments:
        if op == "equal":
            parts.append(conditional_escape(text))
        elif op == shown:
            parts.append(format_html("<{}>{}</{}>", mark_safe(tag), text, mark_safe(tag)))  # noqa: S308
    return mark_safe("".join(parts))  # noqa: S308 - each part escaped above


@register.filter
def diff_side(segments: Iterable[Segment], side: str = "new") -> SafeString:
    """``{{ field_diff.segments|diff_side:"old" }}``: one side of a word diff, with
    line-break opportunities in its Khmer words."""
    return segments_to_html([(op, insert_zwsp(text)) for op, text in segments], side)


@register.filter
def compared_label(item: Mapping) -> str:
    """A compared provision's label ("Article 3"), or its kind's name if it has no number."""
    label = provision_label(item["kind"], item.get("number") or "")
    return label or dict(Provision.Kind.choices).get(item["kind"], item["kind"])


def _shown(name: str, value, ministries: Mapping[str, str]) -> str:
    """A compared value as the schedule and text pages show it, escaped."""
    if name == "from_ministry":
        return conditional_escape(str(ministries.get(value, value or "")))
    if name == "level":
        return conditional_escape(str(dict(ScheduleRow.Level.choices).get(value, value or "")))
    if name in ("staff_count", "budget_riel"):
        return conditional_escape(str(kmnumber(value)))
    if name == "effective_date":
        return conditional_escape(kmdate(date.fromisoformat(value))) if value else ""
    return zwsp(value)


@register.simple_tag
def compared_field(diff, side: str, name: str, ministries: Mapping[str, str] | None = None):
    """``{% compared_field diff "old" "text_km" as html %}``: one side of one field of a
    compared provision or schedule row, its changes in ``<ins>``/``<del>``; "" if it has
    none on that side."""
    item = diff.old if side == "old" else diff.new
    changed = next((field for field in diff.fields if field.name == name), None)
    if changed is not None and name in TEXT_DIFF_FIELDS:
        return diff_side(changed.segments, side)
    value = item.get(name)
    shown = _shown(name, value, ministries or {})
    if changed is None:
        return mark_safe(shown)  # noqa: S308 - escaped by _shown
    if not value:
        return ""
    tag = mark_safe("del" if side == "old" else "ins")  # noqa: S308
    return format_html("<{}>{}</{}>", tag, mark_safe(shown), tag)  # noqa: S308 - escaped


@register.simple_tag
def compared_fields(diff, side: str, *names: str) -> dict[str, str]:
    """``{% compared_fields diff "old" "heading_km" "text_km" as fields %}``: several
    fields of one side at once (``fields.text_km``), as ``compared_field`` shows each."""
    return {name: compared_field(diff, side, name) for name in names}
