from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


STEP_ROLES = {
    "chief_review": gettext_lazy("Office chief"),
    "director_review": gettext_lazy("Department director"),
    "legal_review": gettext_lazy("Legal reviewer"),
    "sign_off": gettext_lazy("Director-general"),
}
DECISIONS_TAKEN = {
    "approve": gettext_lazy("Approved"),
    "return": gettext_lazy("Returned for revision"),
    "reject": gettext_lazy("Rejected"),
}


@register.simple_tag(takes_context=True)
def decisions_so_far(context, process, task=None) -> list[dict]:
    """``{% decisions_so_far process task as decisions %}``: the review decisions taken in the
    process before this task (who, in which role, what, why, when), for the reader who may
    read the process's record (``ProcessPolicy.view_record``: internal staff; a consulted
    organisation never sees the department's reasons). One query."""
    from workflows.permissions import process_policy
    from workflows.selectors import decisions_so_far as decisions

    user = context["request"].user
    if process is None or not process_policy.user_may(user, "view_record", process):
        return []
    rows = []
    for entry in decisions(process=process):
        if task is not None and entry.task_id == task.pk:
            continue  # this task's own decision is the page itself
        step, _dot, decision = entry.action.partition(".")
        signed = step == "sign_off" and decision == "approve"
        rows.append(
            {
                "entry": entry,
                "role": STEP_ROLES[step],
                "decision": decision,
                "decision_label": _("Signed") if signed else DECISIONS_TAKEN[decision],
                "reason": entry.detail.get("reason", ""),
            }
        )
    return rows


# What happens to a draft the director-general returned after the step the reader is on:
# the route of ``workflows.flows`` (consolidation, the director, legal review, the DG).
AFTER_A_DG_RETURN = {
    "consolidate": gettext_lazy(
        "After your revision it goes to the department director, then to legal review, then "
        "back to the director-general."
    ),
    "director_review": gettext_lazy(
        "After your approval it goes to legal review, then back to the director-general."
    ),
    "legal_review": gettext_lazy("After your approval it goes back to the director-general."),
}


@register.simple_tag(takes_context=True)
def director_general_return(context, process, task=None) -> dict | None:
    """``{% director_general_return process task as dg_return %}``: the director-general's
    return being worked on (who, when, why) and where the draft goes after this step; None
    if there is none, or for a reader outside the department. One query."""
    from workflows.permissions import process_policy
    from workflows.selectors import director_general_return as latest_return

    user = context["request"].user
    if process is None or not process_policy.user_may(user, "view_record", process):
        return None
    entry = latest_return(process=process)
    if entry is None:
        return None
    step = getattr(getattr(task, "flow_task", None), "name", "")
    return {"entry": entry, "next": AFTER_A_DG_RETURN.get(step, "")}
