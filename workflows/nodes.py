"""Two small nodes that viewflow's open-source package lacks.

``ForEach`` splits into one task per item of a list computed at run time (here: one review
task per consulted organisation). Every branch gets a token from one split source, exactly as
viewflow's own ``Split`` does, so that a plain ``Join`` waits for all of them. The item goes
into each task's ``data``.

``View`` adds delegation to viewflow's task node: a person acting for an absent colleague may
take and complete that colleague's tasks, and the record says so.
"""

from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.flow import views as flow_views
from viewflow.workflow.nodes.split import SplitActivation

from organisations.selectors import principals_of
from tasks.deadlines import deadline_assigned


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


class AssignTaskView(flow_views.AssignTaskView):
    """Viewflow's "assign to me", which also records when the task was taken (viewflow
    keeps no such time; deadlines and reminders need it)."""

    def form_valid(self, *args, **kwargs):
        response = super().form_valid(*args, **kwargs)
        deadline_assigned(task=self.request.activation.task, user=self.request.user)
        return response


class View(flow.View):
    assign_view_class = AssignTaskView

    def can_execute(self, user, task):
        if super().can_execute(user, task):
            return True
        return task.owner_id is not None and any(
            principal.pk == task.owner_id for principal in principals_of(user)[1:]
        )
