"""Nodes that viewflow's open-source package lacks, or that we need a little cheaper.

``ForEach`` splits into one task per item of a list computed at run time (here: one review
task per consulted organisation). Every branch gets a token from one split source, exactly as
viewflow's own ``Split`` does, so that a plain ``Join`` waits for all of them. The item goes
into each task's ``data``.

``View`` adds delegation to viewflow's task node: a person acting for an absent colleague may
take and complete that colleague's tasks, and the record says so. It also records when each
task was taken, which viewflow does not.

``Join`` is viewflow's, with the same behaviour and four queries fewer when a branch arrives
(see ``JoinActivation``): every consulted organisation's answer passes through it.

``If``, ``Switch`` and ``Function`` are viewflow's without a savepoint when an error would be
raised anyway (see ``_error_guard``).

``ProcessRowLock`` is viewflow's ``SelectForUpdateLock`` on the base process row, so that a
service can take the same lock in the query that reads the task (``lock_process_of_task``).
"""

from contextlib import ExitStack, contextmanager, nullcontext

from django.db import transaction
from django.utils.timezone import now
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.context import context
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.models import Process, Task
from viewflow.workflow.nodes.func import FunctionActivation as ViewflowFunctionActivation
from viewflow.workflow.nodes.if_gate import IfActivation as ViewflowIfActivation
from viewflow.workflow.nodes.join import JoinActivation as ViewflowJoinActivation
from viewflow.workflow.nodes.split import SplitActivation
from viewflow.workflow.nodes.switch import SwitchActivation as ViewflowSwitchActivation
from viewflow.workflow.signals import task_started
from viewflow.workflow.status import STATUS

from organisations.selectors import principals_of


class ForEachActivation(SplitActivation):
    @Activation.status.super()
    def activate(self):
        for node, _case, data_source in self.flow_task._branches:
            self.next_tasks.extend((node, item) for item in data_source(self))
        if not self.next_tasks:
            raise FlowRuntimeError(f"{self.flow_task.name}: no item to split into")


class ForEach(flow.Split):
    activation_class = ForEachActivation

    def Each(self, node, data_source):  # noqa: N802 - viewflow's node-builder style
        """Create one ``node`` task per item that ``data_source(activation)`` returns."""
        self._activate_next.append((node, None, data_source))
        return self


class ViewActivation(flow.View.activation_class):
    """Viewflow's human-task activation, which also records when a task was taken
    (``Task.assigned``: viewflow keeps the field but never sets it). Deadlines and reminders
    need that moment; the task's deadline copies it (see ``tasks.deadlines``)."""

    @Activation.status.super()
    def assign(self, user):
        self.task.owner, self.task.assigned = user, now()
        self.task.save()

    @Activation.status.super()
    def reassign(self, user=None):
        if user:
            self.task.owner, self.task.assigned = user, now()
        self.task.save()


class View(flow.View):
    activation_class = ViewActivation

    def can_execute(self, user, task):
        if super().can_execute(user, task):
            return True
        return task.owner_id is not None and any(
            principal.pk == task.owner_id for principal in principals_of(user)[1:]
        )


class JoinActivation(ViewflowJoinActivation):
    """Viewflow's join activation, without its repeated reads.

    Viewflow looks the waiting join task up twice, then loads its process again (two queries)
    although the arriving branch holds it; and asks whether every branch is in (two queries)
    up to three times per arrival. Here the lookup is one query, the process is the branch's,
    and the answer is kept for the activation's lifetime, which is one arrival inside the
    process lock: nothing can change it in between.
    """

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        task_class = flow_task.flow_class.task_class
        waiting = list(
            task_class._default_manager.filter(
                flow_task=flow_task,
                process=prev_activation.process,
                status__in=[STATUS.NEW, STATUS.STARTED],
            )[:2]
        )
        if len(waiting) > 1:
            raise FlowRuntimeError("More than one join instance for process found")
        if waiting:
            task = waiting[0]
        else:
            task = task_class(
                process=prev_activation.process,
                flow_task=flow_task,
                token=token.get_base_split_token() if token.is_split_token() else token,
            )
            task.data = data if data is not None else {}
            task.seed = seed
            task.save()
        task.process = prev_activation.process
        task.previous.add(prev_activation.task)
        return cls(task)

    def _join_token_prefixes(self):
        if not hasattr(self, "_prefixes"):
            self._prefixes = super()._join_token_prefixes()
        return self._prefixes

    def is_done(self):
        if not hasattr(self, "_done"):
            self._done = super().is_done()
        return self._done


class Join(flow.Join):
    activation_class = JoinActivation


def _error_guard(activation: Activation):
    """Viewflow runs a gateway's condition or a function inside a savepoint, so that when a
    failure is recorded on the task instead of raised (``propagate_exception=False``, its
    background triggers) the partial work rolls back and the task is marked failed. Every
    step of ours raises (the default): the error rolls the whole step back, and the savepoint
    would only cost two queries on each gateway."""
    if context.propagate_exception:
        return nullcontext()
    stack = ExitStack()
    stack.enter_context(activation.exception_guard())
    stack.enter_context(transaction.atomic(savepoint=True))
    return stack


class IfActivation(ViewflowIfActivation):
    @Activation.status.super()
    def activate(self):
        with _error_guard(self):
            self._condition_result = self.flow_task._condition(self)


class If(flow.If):
    activation_class = IfActivation


class SwitchActivation(ViewflowSwitchActivation):
    @Activation.status.super()
    def activate(self):
        with _error_guard(self):
            self.next_task = None
            for node, condition in self.flow_task._branches:  # a default, unless a case holds
                if condition is None:
                    self.next_task = node
                elif condition(self):
                    self.next_task = node
                    break
            if self.next_task is None:
                raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class Switch(flow.Switch):
    activation_class = SwitchActivation


class FunctionActivation(ViewflowFunctionActivation):
    @Activation.status.super()
    def activate(self):
        with _error_guard(self):
            self.task.started = now()
            task_started.send(sender=self.flow_class, process=self.process, task=self.task)
            self.flow_task._func(self)


class Function(flow.Function):
    activation_class = FunctionActivation


class ProcessRowLock:
    """Every step of a process runs in a transaction holding its ``viewflow_process`` row
    (``SELECT ... FOR UPDATE``): two people finishing steps of one process queue up, so
    that the join of a consultation round sees every answer exactly once. On SQLite the
    transaction itself is the lock (``BEGIN IMMEDIATE``, see the settings).

    Viewflow's own ``SelectForUpdateLock`` locks the same process through its subclass's
    table; the base row is what ``lock_process_of_task`` can lock while reading a task.
    """

    @contextmanager
    def __call__(self, flow_class, process_pk):
        with transaction.atomic():
            Process.objects.select_for_update().filter(pk=process_pk).exists()
            yield


@contextmanager
def lock_process_of_task(task_pk: int, *select_related: str):
    """``ProcessRowLock`` taken by the query that reads the task (with ``select_related``):
    yields the task, in a transaction that holds its process's row."""
    with transaction.atomic():
        yield (
            Task.objects.select_for_update(of=("process",))
            .select_related("process", *select_related)
            .get(pk=task_pk)
        )
