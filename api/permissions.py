"""Every rights question the API asks, in one module, answered by the apps' policies.

Each function is one question put to a policy (``documents.permissions``,
``workflows.permissions``) — the same the pages put — so the API never sees or does more than
the pages do.
"""

from django.db.models import Q, QuerySet
from viewflow.workflow.status import STATUS

from documents.permissions import instrument_policy
from workflows import selectors
from workflows.permissions import (
    comment_policy,
    consultation_policy,
    process_policy,
    round_policy,
    task_policy,
    version_policy,
)


def sees_internal_record(user) -> bool:
    """The internal record of a process (audit, reasons, officials): internal staff only."""
    return process_policy.user_may(user, "view_record_any")


def instruments(user) -> QuerySet:
    """The instruments whose header (type, title) ``user`` may read: internal staff every
    one, a ministry reviewer those consulting their organisation."""
    return instrument_policy.queryset(user, "view_header")


def instruments_with_text(user) -> QuerySet:
    """The instruments whose working draft, schedule and audit trail ``user`` may read."""
    return instrument_policy.queryset(user, "view")


def versions(user) -> QuerySet:
    return version_policy.queryset(user, "view")


def processes(user) -> QuerySet:
    return process_policy.queryset(user, "view")


def tasks(user) -> QuerySet:
    return task_policy.queryset(user, "view")


def my_tasks(user) -> QuerySet:
    """The steps waiting for ``user``: held by them (or by someone they act for, on that
    person's steps), or in a queue they may take from — the task policy's complete and take."""
    held = Q(status=STATUS.ASSIGNED, pk__in=task_policy.queryset(user, "complete").values("pk"))
    queued = Q(status=STATUS.NEW, pk__in=task_policy.queryset(user, "take").values("pk"))
    return tasks(user).filter(held | queued, flow_task_type="HUMAN")


def consultations(user) -> QuerySet:
    return consultation_policy.queryset(user, "view")


def comments(user, *, consultation_round) -> QuerySet:
    return comment_policy.queryset(user, "view").filter(consultation__round=consultation_round)


def answers_visible(user, *, consultation_round) -> bool:
    return round_policy.user_may(user, "view_answers", consultation_round)


def rounds(user, *, instrument) -> list:
    return selectors.rounds_with_consultations(instrument=instrument, user=user)
