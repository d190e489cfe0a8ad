"""Every task URL of a flow answers only for the task it names: the URL's node, of the URL's
process.

Viewflow's task URLs (``<process_pk>/<node>/<task_pk>/execute/``, ``assign/``, ``undo/``...)
load the task by its key and check only that it is of the same flow, then ask the URL's node
whether the user may act on it. A person holding any task of the flow could so complete it
through another node's view: the drafter's consolidation task posted to the sign-off form
signs the text. ``guard_task_urls`` wraps every pattern that takes both keys, for every node
of the flow (ours or viewflow's), so that the view is reached only when the task is of that
node and that process; any other request answers 404, before viewflow reads or locks
anything. A task the person may not see (``ApprovalFlow.has_view_permission``: a consulted
ministry's reviewer sees only their organisation's tasks) is refused with 403, as viewflow
refuses a task one may not act on.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from viewflow.workflow.base import Node
from viewflow.workflow.status import STATUS

_KEYS = {"process_pk", "task_pk"}
OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def _moved_on(request, task, name):
    """Where a request for a step that has moved on goes, instead of viewflow's refusal
    (``Start :: no transition from "DONE"``): its form, once the step is over (going Back
    after it), to the step's page, which says what was decided and by whom; its form while
    it waits in the queue, to taking it; taking a step someone has taken meanwhile, to the
    step. None when the request may go on (and viewflow asks the node whether it may)."""
    if name == "execute" and task.status == STATUS.NEW:
        return task.flow_task.reverse("index", args=[task.process_id, task.pk])
    if name == "execute" and task.status not in OPEN:
        if task.status == STATUS.DONE:
            messages.info(request, _("This step is done: here is what was decided."))
        return task.flow_task.reverse("detail", args=[task.process_id, task.pk])
    if name == "assign" and task.owner_id is not None:
        if task.owner_id != request.user.pk:
            messages.info(request, _("Someone else has taken this step."))
        return task.flow_task.reverse("index", args=[task.process_id, task.pk])
    return None


def _task_of_url(view, flow_class, node, name=None):
    """``view``, reached only for a task of ``node`` (any node when None) and the process of
    the URL (one query, on the task's primary key), that the user may see; for a step that
    has moved on, see ``_moved_on``."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        tasks = flow_class.task_class._default_manager.filter(
            pk=kwargs["task_pk"], process_id=kwargs["process_pk"]
        )
        if node is not None:
            tasks = tasks.filter(flow_task=node)
        task = tasks.first()
        if task is None:
            raise Http404("No task of this step and process matches the given query.")
        if not flow_class.instance.has_view_permission(request.user, task):
            raise PermissionDenied
        elsewhere = _moved_on(request, task, name)
        if elsewhere is not None:
            return HttpResponseRedirect(elsewhere)
        return view(request, *args, **kwargs)

    guarded.task_of_url = True
    return guarded


def _guard(patterns: list, flow_class, node) -> None:
    for index, entry in enumerate(patterns):
        if isinstance(entry, URLResolver):
            # Viewflow's resolver of a node's URLs names it (for the views' context).
            named = getattr(entry, "extra", {}).get("node")
            _guard(entry.url_patterns, flow_class, named if isinstance(named, Node) else node)
        elif (
            isinstance(entry, URLPattern)
            and set(getattr(entry.pattern, "converters", ())) >= _KEYS
            and not getattr(entry.callback, "task_of_url", False)
        ):
            patterns[index] = URLPattern(
                entry.pattern,
                _task_of_url(entry.callback, flow_class, node, entry.name),
                entry.default_args,
                entry.name,
            )


def guard_task_urls(flow_class, urlpatterns: list) -> list:
    """``urlpatterns`` (a flow's, with its nodes'), each task URL guarded in place."""
    _guard(urlpatterns, flow_class, None)
    return urlpatterns
