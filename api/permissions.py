"""Every rights question the API asks, answered here and only here.

Each function delegates to the one the pages use (``documents.permissions``,
``workflows.selectors``, ``organisations.backends``), so the API never sees or does more than
the pages do; to move the API onto other rules, change this module alone.
"""

from django.db.models import Q, QuerySet
from viewflow.workflow.status import STATUS

from documents import permissions as documents
from organisations.selectors import principals_of
from workflows import selectors as workflows

sees_internal_record = workflows.sees_internal_record


def instruments(user) -> QuerySet:
    """The instruments whose header (type, title) ``user`` may read: internal staff every
    one, a ministry reviewer those consulting their organisation."""
    return workflows.instruments_in_process_visible_to(user)


def instruments_with_text(user) -> QuerySet:
    """The instruments whose working draft, schedule and audit trail ``user`` may read."""
    return documents.instruments_visible_to(user)


def versions(user) -> QuerySet:
    return workflows.versions_visible_to(user)


def processes(user) -> QuerySet:
    return workflows.processes_visible_to(user)


def tasks(user) -> QuerySet:
    return workflows.tasks_visible_to(user)


def my_tasks(user) -> QuerySet:
    """The steps waiting for ``user``: held by them (or by someone they act for), or in a
    queue they may take from (viewflow's ``owner_permission``, as its queue page reads it)."""
    held = Q(status=STATUS.ASSIGNED, owner__in=principals_of(user))
    queued = Q(
        status=STATUS.NEW, owner__isnull=True, owner_permission__in=user.get_all_permissions()
    )
    return tasks(user).filter(held | queued, flow_task_type="HUMAN")


def consultations(user) -> QuerySet:
    return workflows.consultations_visible_to(user)


def comments(user, *, consultation_round) -> QuerySet:
    return workflows.comments_visible_to(user, consultation_round=consultation_round)


def answers_visible(user, *, consultation_round) -> bool:
    return workflows.answers_visible_to(user, consultation_round=consultation_round)


def rounds(user, *, instrument) -> list:
    return workflows.rounds_with_consultations(instrument=instrument, user=user)
