"""Nodes that viewflow's open-source package lacks, or that we need a little cheaper.

``ForEach`` splits into one task per item of a list computed at run time (here: one review
task per consulted organisation). Every branch gets a token from one split source, exactly as
viewflow's own ``Split`` does, so that a plain ``Join`` waits for all of them. The item goes
into each task's ``data``.

``View`` adds delegation to viewflow's task node: a person acting for an absent colleague may
take and complete that colleague's tasks, and the record says so. It also records when each
task was taken, which viewflow does not.

The others are viewflow's, with the same behaviour for less: every step of every process
passes through them.

- ``Join`` reads and writes less when a branch arrives (see ``JoinActivation``): every
  consulted organisation's answer passes through it.
- ``If``, ``Switch``, ``Function``, ``End`` and ``ForEach`` write their task once, done
  (``WrittenWhenDone``), and take no savepoint when an error would be raised anyway
  (``_error_guard``).
- ``StartHandle`` starts the process in the caller's transaction, without a savepoint or a
  lock on a row nobody else can see yet.
- ``ProcessRowLock`` is viewflow's ``SelectForUpdateLock`` on the base process row, waited
  for rather than retried: the lock every step takes before it reads its task
  (``workflows.services.task_activation``).
"""

from contextlib import ExitStack, contextmanager, nullcontext

from django.db import transaction
from django.utils.timezone import now
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.context import context
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.models import Process
from viewflow.workflow.nodes.end import EndActivation as ViewflowEndActivation
from viewflow.workflow.nodes.func import FunctionActivation as ViewflowFunctionActivation
from viewflow.workflow.nodes.if_gate import IfActivation as ViewflowIfActivation
from viewflow.workflow.nodes.join import JoinActivation as ViewflowJoinActivation
from viewflow.workflow.nodes.split import SplitActivation
from viewflow.workflow.nodes.start import StartHandleActivation as ViewflowStartHandleActivation
from viewflow.workflow.nodes.switch import SwitchActivation as ViewflowSwitchActivation
from viewflow.workflow.signals import flow_finished, flow_started, task_finished, task_started
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.token import Token


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


class WrittenWhenDone(Activation):
    """A task that begins and ends in the step that creates it (a gateway, a function, the
    end): written once, done, where viewflow inserts it new and updates it done a moment
    later. Nothing refers to it before then: the next task links to it once it is written.
    """

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        task = flow_task.flow_class.task_class(
            process=prev_activation.process, flow_task=flow_task, token=token
        )
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        activation.previous_task = prev_activation.task
        return activation

    # Viewflow keeps activations in sets, hashed by their task; this one's task has no key
    # until it is written, and no other activation stands for it.
    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    @Activation.status.super()
    def complete(self):
        self.task.finished = now()
        self.task.save()
        self.task.previous.add(self.previous_task)
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class ForEachActivation(WrittenWhenDone, SplitActivation):
    @Activation.status.super()
    def activate(self):
        for node, _case, data_source in self.flow_task._branches:
            self.next_tasks.extend((node, item) for item in data_source(self))
        if not self.next_tasks:
            raise FlowRuntimeError(f"{self.flow_task.name}: no item to split into")

    @Activation.status.super()
    def create_next(self):
        """One task per item, each token from this split's source (as viewflow's ``Split``);
        then ``on_created`` is handed them all at once."""
        tokens = Token.split_token_source(self.task.token, self.task.pk)
        created = [
            node._create(prev_activation=self, token=next(tokens), data=item)
            for node, item in self.next_tasks
        ]
        if self.flow_task._on_created is not None:
            self.flow_task._on_created(created)
        return created


class ForEach(flow.Split):
    activation_class = ForEachActivation

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._on_created = None

    def Each(self, node, data_source, on_created=None):  # noqa: N802 - viewflow's builder style
        """Create one ``node`` task per item that ``data_source(activation)`` returns, and
        call ``on_created(activations)`` with the new tasks' activations."""
        self._activate_next.append((node, None, data_source))
        self._on_created = on_created
        return self

    def _resolve(self, instance):
        super()._resolve(instance)
        if self._on_created is not None:
            self._on_created = this.resolve(instance, self._on_created)


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
    """A human step whose take and complete rights are the task policy's
    (``workflows.permissions.TaskPolicy``): the task's right, its holder, a delegate on the
    absent person's own steps, and separation of duties — nobody acts, through a delegation,
    on a step of an instrument they drafted."""

    activation_class = ViewActivation

    def can_assign(self, user, task):
        from workflows.permissions import task_policy

        return task_policy.user_may(user, "take", task)

    def can_execute(self, user, task):
        from workflows.permissions import task_policy

        return task_policy.user_may(user, "complete", task)


class JoinActivation(ViewflowJoinActivation):
    """Viewflow's join activation, without its repeated reads and writes.

    Viewflow looks the waiting join task up twice, then loads its process again although the
    arriving branch holds it; inserts the join task and updates it as started a moment later;
    and asks whether every branch is in by reading every branch that has arrived, then
    whether any is still open, up to three times per arrival. Here the lookup is one query,
    the process is the branch's, the task is inserted started, and the answer is one query,
    kept for the activation's lifetime (one arrival inside the process lock: nothing can
    change it in between).

    The branches' common token prefix is read off the arriving branch: every branch of a
    ``ForEach`` carries the same split source, and a branch of anything else does not come
    here (the flow has one way into this join).
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
                started=now(),
            )
            task.data = data if data is not None else {}
            task.seed = seed
            task.save()
        task.process = prev_activation.process
        task.previous.add(prev_activation.task)
        activation = cls(task)
        activation.arriving_task = prev_activation.task
        return activation

    def _join_token_prefixes(self):
        arriving = self.arriving_task
        return {arriving.token.get_common_split_prefix(self.task.token, arriving.pk)}

    def is_done(self):
        if not hasattr(self, "_done"):
            self._done = super().is_done()
        return self._done

    @Activation.status.super()
    def complete(self):
        """Viewflow's, without its savepoint (see ``_error_guard``). Its checks have nothing
        to find here: the prefix is read off one branch, and this join has no condition to
        continue on before every branch is in."""
        with _error_guard(self):
            self.task.finished = now()
            self.task.save()
            task_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class Join(flow.Join):
    activation_class = JoinActivation


class IfActivation(WrittenWhenDone, ViewflowIfActivation):
    @Activation.status.super()
    def activate(self):
        with _error_guard(self):
            self._condition_result = self.flow_task._condition(self)


class If(flow.If):
    activation_class = IfActivation


class SwitchActivation(WrittenWhenDone, ViewflowSwitchActivation):
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


class FunctionActivation(WrittenWhenDone, ViewflowFunctionActivation):
    @Activation.status.super()
    def activate(self):
        with _error_guard(self):
            self.task.started = now()
            task_started.send(sender=self.flow_class, process=self.process, task=self.task)
            self.flow_task._func(self)


class Function(flow.Function):
    activation_class = FunctionActivation


class EndActivation(WrittenWhenDone, ViewflowEndActivation):
    @Activation.status.super()
    def activate(self):
        """Viewflow's: the process is done once no other task is open; it writes the
        process's own two columns, not every column of both its tables."""
        with _error_guard(self):
            self.task.started = now()
            task_started.send(sender=self.flow_class, process=self.process, task=self.task)
            still_open = (
                self.flow_class.task_class._default_manager.filter(
                    process=self.process, finished__isnull=True
                )
                .exclude(pk=self.task.pk)
                .exists()
            )
            if not still_open:
                self.process.status, self.process.finished = PROCESS.DONE, now()
                self.process.save(update_fields=["status", "finished"])
            task_finished.send(sender=self.flow_class, process=self.process, task=self.task)
            if not still_open:
                flow_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class End(flow.End):
    activation_class = EndActivation


class StartHandleActivation(ViewflowStartHandleActivation):
    @Activation.status.super()
    def execute(self):
        """Viewflow's, inside the caller's transaction and without the process lock: until
        it commits, nobody else can see the process, let alone change it."""
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        with transaction.atomic(savepoint=False):
            self.process.save()
            self.complete()
            flow_started.send(sender=self.flow_class, process=self.process, task=self.task)
            self.activate_next()


class StartHandle(flow.StartHandle):
    activation_class = StartHandleActivation


class ProcessRowLock:
    """Every step of a process runs in a transaction holding its ``viewflow_process`` row
    (``SELECT ... FOR UPDATE``): two people finishing steps of one process queue up, so
    that the join of a consultation round sees every answer exactly once. On SQLite the
    transaction itself is the lock (``BEGIN IMMEDIATE``, see the settings).

    Viewflow's own ``SelectForUpdateLock`` locks the same process through its subclass's
    table, without waiting (``NOWAIT``, then a few retries and an error). A step reads its
    task only once this lock is held, in a statement of its own: under READ COMMITTED a
    statement that waited for the lock would return the task as it was before the wait.
    """

    @contextmanager
    def __call__(self, flow_class, process_pk):
        with transaction.atomic():
            Process.objects.select_for_update().filter(pk=process_pk).exists()
            yield
