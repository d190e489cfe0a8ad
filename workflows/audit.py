"""The audit trail as people read it: one sentence per step, in the reader's language.

The trail stores codes (``chief_review.approve``, ``round_opened`` and its details), so that
it reads the same whatever the language of whoever acted. The process page shows each entry
as a sentence — "ហេង សុធា, ប្រធានការិយាល័យ, បានអនុម័តសេចក្តីព្រាង។" / "ហេង សុធា, Office
chief, approved the draft." — with names of organisations, numbers and dates in the reader's
language, and what the person typed (a reason, a note) beside it, as they typed it.
"""

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from khmer.formats import format_date, format_number
from organisations.models import Organisation, User
from organisations.roles import Role
from workflows.models import AuditEntry, NextStep, Position

__all__ = ["audit_lines"]

_ROLE_ORDER = list(Role)


def _role(user: User) -> str | None:
    """The label of the person's role in the process (the first, if they hold several)."""
    names = {group.name for group in user.groups.all()}  # prefetched by the selector
    for role in _ROLE_ORDER:
        if role.value in names:
            return str(role.label)
    return None


def _person(user: User | None) -> str:
    if user is None:
        return _("Lekhit (automatic)")
    role = _role(user)
    name = user.get_full_name() or user.username
    return _("%(name)s, %(role)s") % {"name": name, "role": role} if role else name


def _who(entry: AuditEntry) -> str:
    who = _person(entry.actor)
    if entry.acting_for_id:
        return _("%(who)s, acting for %(whom)s") % {"who": who, "whom": _person(entry.acting_for)}
    return who


def _number(value) -> str:
    try:
        return format_number(int(value))
    except (TypeError, ValueError):
        return ""


def _date(value) -> str:
    try:
        return format_date(date.fromisoformat(str(value)))
    except ValueError:
        return ""


def _list(items: list[str]) -> str:
    """ "A, B and C" / "A, B និង C"."""
    if len(items) < 2:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def _step(name: str) -> str:
    from workflows.flows import ApprovalFlow  # the flow imports the views, which import us

    title = getattr(getattr(ApprovalFlow, name or "", None), "task_title", None)
    return str(title) if title else _("a step")


def _sentence(entry: AuditEntry, organisations: dict[str, str], people: dict[str, str]) -> str:
    d = entry.detail or {}
    who = _who(entry)
    org = organisations.get(d.get("organisation", ""), d.get("organisation", ""))
    values = {
        "who": who,
        "round": _number(d.get("round")),
        "version": _number(d.get("version")),
        "organisation": org,
    }
    action = entry.action
    step, _dot, decision = action.partition(".")
    if decision and step in ("chief_review", "director_review", "legal_review"):
        if decision == "approve":
            return _("%(who)s approved the draft (%(step)s).") % {**values, "step": _step(step)}
        return _("%(who)s returned the draft to the drafter (%(step)s).") % {
            **values,
            "step": _step(step),
        }
    if decision and step == "sign_off":
        return {
            "approve": _("%(who)s approved and signed the text."),
            "return": _("%(who)s returned the draft for revision."),
            "reject": _("%(who)s rejected the instrument."),
        }.get(decision, _("%(who)s decided on the sign-off.")) % values
    if action == "submitted":
        return _("%(who)s submitted the draft for internal review.") % values
    if action == "resubmitted":
        return _("%(who)s sent the revised draft back for review as version %(version)s.") % values
    if action == "round_opened":
        names = [organisations.get(code, code) for code in d.get("organisations", [])]
        return _(
            "%(who)s opened consultation round %(round)s with %(organisations)s, to answer "
            "by %(deadline)s."
        ) % {**values, "organisations": _list(names), "deadline": _date(d.get("deadline"))}
    if action == "consultation_answered":
        position = dict(Position.choices).get(d.get("position"), "")
        return _(
            "%(who)s gave the position of %(organisation)s in round %(round)s: %(position)s."
        ) % {
            **values,
            "position": position,
        }
    if action == "round_closed":
        return _("Consultation round %(round)s closed.") % values
    if action == "consultation_closed":
        if d.get("by") == "deadline":
            if d.get("position") == Position.NO_OBJECTION:
                return (
                    _(
                        "%(organisation)s did not answer by the deadline: its silence counts as "
                        "no objection."
                    )
                    % values
                )
            return _("%(organisation)s did not answer by the deadline.") % values
        return _("%(who)s closed the consultation of %(organisation)s without its answer.") % values
    if action == "matrix_published":
        return _("%(who)s published the comment–response matrix of round %(round)s.") % values
    if action == "consolidated":
        next_step = dict(NextStep.choices).get(d.get("next_step"), "")
        return _("%(who)s answered every comment and sent version %(version)s on to: %(next)s.") % {
            **values,
            "next": next_step,
        }
    if action == "registered":
        return _("%(who)s registered the instrument as %(number)s on %(date)s.") % {
            **values,
            "number": d.get("reference_number", ""),
            "date": _date(d.get("registered_on")),
        }
    if action == "reassigned":
        to = people.get(d.get("to"), d.get("to", ""))
        step_name = entry.task.flow_task.name if entry.task_id and entry.task else ""
        return _("%(who)s gave the step “%(step)s” to %(to)s.") % {
            **values,
            "step": _step(step_name),
            "to": to,
        }
    if action == "deadline_extended":
        return _("%(who)s moved the deadline of “%(step)s” from %(previous)s to %(due_on)s.") % {
            **values,
            "step": _step(d.get("step", "")),
            "previous": _date(d.get("previous")),
            "due_on": _date(d.get("due_on")),
        }
    return pgettext("audit trail", "%(who)s acted on the instrument.") % values


def audit_lines(entries) -> list[dict]:
    """Each entry with its sentence in the active language and what the person typed with it
    (``typed``: the reason or the note, else ""). Two queries whatever the number of entries:
    the organisations and the people the entries name by code."""
    entries = list(entries)
    codes, usernames = set(), set()
    for entry in entries:
        d = entry.detail or {}
        codes.update(d.get("organisations", []))
        if d.get("organisation"):
            codes.add(d["organisation"])
        if d.get("to"):
            usernames.add(d["to"])
    organisations = (
        {o.code: o.name for o in Organisation.objects.filter(code__in=codes)} if codes else {}
    )
    people = (
        {
            u.username: _person(u)
            for u in User.objects.filter(username__in=usernames).prefetch_related("groups")
        }
        if usernames
        else {}
    )
    lines = []
    for entry in entries:
        d = entry.detail or {}
        lines.append(
            {
                "entry": entry,
                "sentence": _sentence(entry, organisations, people),
                "typed": d.get("reason") or d.get("note") or "",
            }
        )
    return lines
