"""The two nodes viewflow's open-source package lacks; every other node of the flow is
viewflow's own (``flow.Join``, ``flow.If``, ``flow.Switch``, ``flow.Function``, ``flow.End``,
``flow.StartHandle``), and so is the lock (``viewflow.workflow.lock.SelectForUpdateLock``).

``ForEach`` is viewflow's ``Split`` with the ``data_source`` its ``Next`` announces (one task
per item of a list computed at run time, the item in the task's ``data``; here, one review
task per consulted organisation), which only the commercial package implements. Every
branch gets a token from the split's source, as viewflow's own ``Split`` gives it, so that a
plain ``Join`` waits for all of them. When the open package ships it, ``flow.Split``
replaces this class and the flow reads the same.

``View`` adds delegation to viewflow's task node: a person acting for an absent colleague may
take and complete that colleague's tasks, and the record says so. It also records when each
task was taken, which viewflow does not.
"""

from django.utils.timezone import now
from viewflow.utils import viewprop
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.split import SplitActivation


class ForEachActivation(SplitActivation):
    """Viewflow's split activation, with each branch's ``data_source`` expanded: one next
    task per item (viewflow's ``create_next`` then gives each its token and its item)."""

    @Activation.status.super()
    def activate(self):
        for node, case, data_source in self.flow_task._branches:
            if case and not case(self):
                continue
            if data_source is None:
                self.next_tasks.append((node, None))
            else:
                self.next_tasks.extend((node, item) for item in data_source(self))
        if not self.next_tasks:
            raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class ForEach(flow.Split):
    activation_class = ForEachActivation

    def Next(self, node, case=None, data_source=None):  # noqa: N802 - viewflow's builder style
        """``node`` if ``case(activation)`` holds (always, without it); with ``data_source``,
        one ``node`` task per item that ``data_source(activation)`` returns, with
        ``task.data`` set to the item."""
        self._activate_next.append((node, case, data_source))
        return self


class ViewActivation(flow.View.activation_class):
    """Viewflow's human-task activation, which also records when a task was taken
    (``Task.assigned``: viewflow keeps the field but never sets it). Deadlines and reminders
    need that moment; the task's deadline copies it (see ``tasks.deadlines``).

    It also hands the node after it what this step already holds, in memory, for the rest
    of the step's transaction: the task just done (``previous_task``: the gateway after a
    review reads the decision there, see ``workflows.flows._decided``) and this process
    object, with what the step read of it (its instrument, drafter and open round), where
    viewflow's ``Join`` would go on with a fresh copy of the same row.
    """

    @Activation.status.super()
    def create_next(self):
        for activation in super().create_next.original():
            activation.previous_task = self.task
            if activation.process.pk == self.process.pk:
                activation.process = self.process
            yield activation

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

    @viewprop
    def detail_view(self):
        """The step's page: what was decided and by whom, its actions in plain words."""
        from workflows.views import TaskDetailView  # the views use the services, which the flow

        return TaskDetailView.as_view()

    @viewprop
    def assign_view(self):
        """Taking the step: one button, Take, which opens its form."""
        from workflows.views import TaskAssignView

        return TaskAssignView.as_view()

    def calc_owner(self, activation):
        """Viewflow's ``Assign``: the step's holder, given it as it is created (and when,
        which viewflow does not record)."""
        owner = super().calc_owner(activation)
        if owner is not None:
            activation.task.assigned = now()
        return owner

    def can_unassign(self, user, task):
        """Give a step back to its queue: its holder, when it has a queue to go back to (the
        lead drafter's steps have none: anyone could take them there), or the flow's
        manager (``ProcessPolicy.manage``)."""
        from workflows.permissions import process_policy, task_policy

        if task.owner_id is None:
            return False
        if task.owner_permission and task_policy.user_may(user, "complete", task):
            return True
        return process_policy.user_may(user, "manage_any")

    def can_assign(self, user, task):
        from workflows.permissions import task_policy

        return task_policy.user_may(user, "take", task)

    def can_execute(self, user, task):
        from workflows.permissions import task_policy

        return task_policy.user_may(user, "complete", task)
