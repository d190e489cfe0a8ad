"""Writes that move an instrument through the approval process.

Web views, admin actions and tests all come here: viewflow checks nothing when a task is
driven from code, so every function that completes a task first checks that this user may.
"""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db import transaction
from viewflow.workflow.activation import Activation
from viewflow.workflow.models import Task

from documents.models import Instrument
from organisations.models import User
from workflows.models import ApprovalProcess, Decision


@contextmanager
def task_activation(*, task: Task, user: User):
    """Lock the task's process, check that ``user`` may execute it, and start it.

    The same steps viewflow's own task views take, for callers that are not those views.
    """
    flow_class = task.flow_task.flow_class
    with flow_class.lock(task.process_id), transaction.atomic():
        task.refresh_from_db()
        flow_task = task.flow_task
        if not flow_task.can_execute(user, task):
            raise PermissionDenied("This task is not assigned to you.")
        activation = flow_task.activation_class(task)
        activation.start(None)
        yield activation


def process_start(*, instrument: Instrument, user: User) -> ApprovalProcess:
    """Send a draft into internal review (the drafter's submit)."""
    from workflows.flows import ApprovalFlow

    if instrument.status != Instrument.Status.DRAFT:
        raise ValueError("Only a draft can be submitted.")
    if not (
        instrument.lead_drafter_id == user.pk or instrument.co_drafters.filter(pk=user.pk).exists()
    ):
        raise PermissionDenied("Only the instrument's drafters can submit it.")
    return ApprovalFlow.start.run(instrument=instrument, user=user)


def review_decide(*, activation: Activation, user: User, decision: str, reason: str) -> None:
    """Record a reviewer's approve/return and complete their task."""
    process: ApprovalProcess = activation.process
    process.last_decision = Decision(decision)
    process.last_reason = reason.strip()
    process.save(update_fields=["last_decision", "last_reason"])
    activation.task.data = {"decision": decision, "reason": process.last_reason}
    activation.execute()


def draft_resubmit(*, activation: Activation, user: User, note: str) -> None:
    """The drafter sends a returned draft back into review."""
    process: ApprovalProcess = activation.process
    process.last_decision = ""
    process.save(update_fields=["last_decision"])
    activation.task.data = {"note": note.strip()}
    activation.execute()


def instrument_set_status(*, instrument: Instrument, status: str) -> None:
    instrument.status = status
    instrument.save(update_fields=["status", "updated_at"])
