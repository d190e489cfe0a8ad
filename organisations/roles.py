"""The roles people hold in Lekhit, and the Django permissions each role grants.

A role is a Django group of the same name; ``roles_sync`` (run after every migrate) keeps the
groups' permissions equal to ``ROLE_PERMISSIONS``. A role is nothing but its permissions: no code
asks which role a person has, only (through each app's policy, ``<app>/permissions.py``) which
rights they hold. Object-level rules ("only drafts sent to their ministry") live in those
policies: a role says what kind of thing a person may do, never on which objects.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DRAFTER = "drafter", _("Drafter")
    OFFICE_CHIEF = "office_chief", _("Office chief")
    DIRECTOR = "director", _("Department director")
    MINISTRY_REVIEWER = "ministry_reviewer", _("Ministry reviewer")
    LEGAL_REVIEWER = "legal_reviewer", _("Legal reviewer")
    DIRECTOR_GENERAL = "director_general", _("Director-general")
    REGISTRY = "registry", _("Registry")
    ADMINISTRATOR = "administrator", _("Administrator")


def role_label(name: str) -> str:
    """A role's name in the active language (a group that is no role: its own name)."""
    return str(Role(name).label) if name in Role.values else name


_VIEW_PROCESS = "workflows.view_approvalprocess"
# The portfolio dashboard and the transfer tracker (``oversight``).
_VIEW_PORTFOLIO = "workflows.view_portfolio"
_VIEW_INSTRUMENTS = ["documents.view_instrument", "documents.view_instrumenttype"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.DRAFTER: [
        _VIEW_PROCESS,
        *_VIEW_INSTRUMENTS,
        "documents.add_instrument",
        "documents.change_instrument",
    ],
    Role.OFFICE_CHIEF: [
        _VIEW_PROCESS,
        *_VIEW_INSTRUMENTS,
        "workflows.review_as_office_chief",
        "workflows.reassign_task",
    ],
    Role.DIRECTOR: [
        _VIEW_PROCESS,
        *_VIEW_INSTRUMENTS,
        "workflows.review_as_director",
        "workflows.reassign_task",
        "tasks.extend_deadline",
        _VIEW_PORTFOLIO,
    ],
    # Which consultation tasks a reviewer may take follows from their organisation
    # (organisations.backends); they never browse the instruments themselves.
    Role.MINISTRY_REVIEWER: [_VIEW_PROCESS],
    Role.LEGAL_REVIEWER: [_VIEW_PROCESS, *_VIEW_INSTRUMENTS, "workflows.review_legal"],
    Role.DIRECTOR_GENERAL: [
        _VIEW_PROCESS,
        *_VIEW_INSTRUMENTS,
        "workflows.sign_off",
        "tasks.extend_deadline",
        _VIEW_PORTFOLIO,
    ],
    Role.REGISTRY: [_VIEW_PROCESS, *_VIEW_INSTRUMENTS, "workflows.register"],
    Role.ADMINISTRATOR: [
        _VIEW_PROCESS,
        *_VIEW_INSTRUMENTS,
        _VIEW_PORTFOLIO,
        "organisations.view_user",
        "organisations.add_user",
        "organisations.change_user",
        "organisations.view_organisation",
        "organisations.add_organisation",
        "organisations.change_organisation",
        "auth.view_group",
        "documents.add_instrumenttype",
        "documents.change_instrumenttype",
        "documents.view_referencecounter",
        "documents.add_referencecounter",
        "documents.change_referencecounter",
        "organisations.view_delegation",
        "organisations.add_delegation",
        "organisations.change_delegation",
        "organisations.delete_delegation",
        "organisations.view_rolechange",
        "tasks.view_calendarday",
        "tasks.add_calendarday",
        "tasks.change_calendarday",
        "tasks.delete_calendarday",
        "tasks.view_stepduration",
        "tasks.add_stepduration",
        "tasks.change_stepduration",
        "tasks.view_reminder",
        "tasks.change_reminder",
    ],
}
