"""The flow's nodes: viewflow's own, but for the two it lacks (``ForEach`` and ``View``)."""

import pytest
from viewflow.workflow import flow, lock

from tasks.models import TaskDeadline
from workflows import nodes, services
from workflows.flows import ApprovalFlow, _decided
from workflows.models import Consultation

from .conftest import internal_approvals, open_round, open_task, open_tasks

pytestmark = pytest.mark.django_db

STOCK = (flow.StartHandle, flow.If, flow.Switch, flow.Join, flow.Function, flow.End)


def test_every_node_but_ours_is_viewflow_s_own_and_so_is_the_lock():
    for node in ApprovalFlow.instance.nodes():
        if isinstance(node, nodes.ForEach | nodes.View):
            continue
        assert type(node) in STOCK, node.name
    assert type(ApprovalFlow.lock_impl) is lock.SelectForUpdateLock
    assert ApprovalFlow.lock_impl.nowait is False  # waited for, not retried and failed
    assert issubclass(nodes.ForEach, flow.Split)
    assert issubclass(nodes.View, flow.View)


def test_for_each_creates_one_task_per_item_with_the_item_and_a_token_of_one_split(
    demo, instrument
):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    internal_approvals(demo, process)
    consultation_round = open_round(demo, process)
    tasks = open_tasks(process, ApprovalFlow.organisation_review)
    consultations = list(Consultation.objects.filter(round=consultation_round))
    assert sorted(task.data["consultation_id"] for task in tasks) == sorted(
        c.pk for c in consultations
    )
    for task in tasks:
        consultation = Consultation.objects.get(pk=task.data["consultation_id"])
        assert task.data == {
            "organisation_id": consultation.organisation_id,
            "consultation_id": consultation.pk,
            "round": consultation_round.number,
        }
        assert consultation.task_id == task.pk  # linked as each task is created
        deadline = TaskDeadline.objects.get(task=task)
        assert deadline.due_on == consultation_round.deadline
        assert deadline.organisation_id == consultation.organisation_id
    split = process.task_set.get(flow_task=ApprovalFlow.consult)
    prefixes = {task.token.get_common_split_prefix(split.token, split.pk) for task in tasks}
    assert len(prefixes) == 1  # viewflow's Join waits for every branch of this one split


def test_a_gateway_reads_the_decision_from_the_task_before_it(demo, instrument):
    """Handed over in memory by the step (``nodes.ViewActivation``), or else read back: the
    answer is the same."""
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    internal_approvals(demo, process)
    gateway = process.task_set.get(flow_task=ApprovalFlow.after_chief_review)
    activation = gateway.flow_task.activation_class(gateway)
    assert _decided("decision", "approve")(activation) is True
    assert _decided("decision", "return")(activation) is False
    activation.previous_task = open_task(process, ApprovalFlow.plan_round)  # no decision
    assert _decided("decision", "approve")(activation) is False
