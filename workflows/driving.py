"""Drive the process from code as a person does on its task pages: for the tests, the demo
data and the benchmarks alike (the pages themselves are viewflow's views, which call the same
services).

``drive(process, "chief_review", chief, decision="approve", reason="")`` finds the open task
of that step, takes it as ``chief`` and runs the step's service with the answers inside
``services.task_activation`` — the process lock, the task read under it, the same checks as
the page. A step with several open tasks (a round's, one per organisation) is told which one
by the task's data: ``where={"consultation_id": consultation.pk}``.
"""

from django.core.exceptions import MultipleObjectsReturned
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from organisations.models import User
from workflows import services
from workflows.models import ApprovalProcess

OPEN = (STATUS.NEW, STATUS.ASSIGNED)

# The service that completes each human step of ``ApprovalFlow``, as its page calls it.
STEP_SERVICES = {
    "chief_review": services.review_decide,
    "director_review": services.review_decide,
    "revise": services.draft_resubmit,
    "plan_round": services.round_plan,
    "organisation_review": services.consultation_answer,
    "consolidate": services.consolidation_finish,
    "legal_review": services.review_decide,
    "sign_off": services.sign_off_decide,
    "register": services.instrument_register,
}


def _node(step):
    """A node of the flow, from itself or its name."""
    if not isinstance(step, str):
        return step
    from workflows.flows import ApprovalFlow  # the flow imports the views, which use services

    return getattr(ApprovalFlow, step)


def open_tasks(process: ApprovalProcess, step, **data) -> list[Task]:
    """The open (new or assigned) tasks of ``step`` whose data holds each of ``data``."""
    tasks = process.task_set.filter(flow_task=_node(step), status__in=OPEN).order_by("pk")
    return [task for task in tasks if all(task.data.get(k) == v for k, v in data.items())]


def open_task(process: ApprovalProcess, step, **data) -> Task:
    """The one open task of ``step`` (whose data holds each of ``data``)."""
    tasks = open_tasks(process, step, **data)
    if not tasks:
        raise Task.DoesNotExist(f"no open task of {step} {data or ''}")
    if len(tasks) > 1:
        raise MultipleObjectsReturned(f"{len(tasks)} open tasks of {step}: say which by data")
    return tasks[0]


def act(task: Task, user: User, service, **answers):
    """Take and complete ``task`` as ``user`` through ``service``, as the task page does."""
    with services.task_activation(task=task, user=user) as activation:
        return service(activation=activation, user=user, **answers)


def drive(process: ApprovalProcess, step, user: User, *, where: dict | None = None, **answers):
    """Complete the open task of ``step`` as ``user`` with ``answers`` (the step's service's
    arguments); return what the service returns (the round, for ``plan_round``)."""
    node = _node(step)
    return act(open_task(process, node, **(where or {})), user, STEP_SERVICES[node.name], **answers)
