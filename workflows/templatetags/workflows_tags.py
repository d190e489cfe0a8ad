from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from documents.numbering import provision_label
from documents.templatetags.documents import segments_to_html

register = template.Library()


@register.filter
def diff_html(segments, side="new"):
    return mark_safe(segments_to_html(segments, side))  # noqa: S308 - escaped by segments_to_html


@register.filter
def change_label(change):
    item = change.new or change.old
    return provision_label(item["kind"], item.get("number", "")) or item.get("heading_km", "")


@register.filter
def change_status(change):
    words = {
        "added": _("Added"),
        "deleted": _("Deleted"),
        "changed": _("Changed"),
        "unchanged": _("Unchanged"),
    }
    parts = [words[change.status]]
    if change.moved:
        parts.append(_("Moved"))
    if change.renumbered:
        parts.append(_("Renumbered"))
    return " · ".join(parts)


@register.filter
def version_visible_to(version_id, user) -> bool:
    """``{% if version.pk|version_visible_to:request.user %}``: may this person download that
    version's text? The version policy's ``view``, as the download asks."""
    from workflows.permissions import version_policy

    return version_policy.queryset(user, "view").filter(pk=version_id).exists()
