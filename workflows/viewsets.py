"""Viewflow's process pages, filtered to what each user may see.

Viewflow lists every process and task to anyone with ``view_approvalprocess``, and opens any
task's page to anyone who may see its process. A ministry reviewer must see only the
processes that consulted their organisation, and of those only their organisation's own
consultation tasks: no internal step, reason or official's name, nor another ministry's
task. The views below filter through ``workflows.permissions`` (the process and
task policies' ``view``), ``ApprovalFlow.has_view_permission`` refuses the detail pages of any
other process, and every task URL of the flow refuses a task the user may not see.
"""

from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.middleware.csrf import get_token
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django_filters import (
    CharFilter,
    ChoiceFilter,
    DateRangeFilter,
    FilterSet,
    MultipleChoiceFilter,
)
from viewflow.utils import viewprop
from viewflow.views import Action, ListModelView
from viewflow.workflow import chart
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.flow import FlowViewset, WorkflowAppViewset
from viewflow.workflow.flow.views import (
    DashboardProcessListView,
    DashboardTaskListView,
    DashboardView,
    DetailProcessView,
    FlowChartView,
)
from viewflow.workflow.flow.views.filters import NullDateRangeFilter
from viewflow.workflow.flow.views.list import (
    WorkflowArchiveListView,
    WorkflowInboxListView,
    WorkflowQueueListView,
)
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from documents import viewsets as documents_viewsets
from documents.models import InstrumentType
from organisations.selectors import unwrapped
from project.filters import ListedModelChoiceFilter
from project.pagination import BoundedPaginator
from workflows import views_instruments
from workflows.flows import ApprovalFlow
from workflows.permissions import process_policy, task_policy
from workflows.selectors import open_task_counts, tasks_of_process_or_instrument, visible_only


def flow_task_choices(flow_classes, *, task_types=None):
    """The steps a list's filter offers, in the order of the process, each by its title in the
    reader's language (viewflow names them by their Python names, "After_Chief_Review", and
    looks them up with a DISTINCT over every task of the list). ``task_types``: only the nodes
    of those types ("HUMAN" for a person's lists)."""
    return [
        (get_task_ref(node), f"{flow_class.process_title}/{node.task_title}")
        for flow_class in flow_classes
        for node in chart.topsort(flow_class)[0]
        if task_types is None or node.task_type in task_types
    ]


class StepsFilter(FilterSet):
    """The filter of a list of steps, viewflow's fields without its two costs: its choice of
    every process in the list (an option per process ever queued) becomes a search by process
    number or by the instrument's title or number, and its steps, found by a DISTINCT over
    every task of the list, are the flow's nodes, each by its title (``flow_task_choices``)."""

    task_types = ("HUMAN",)

    process = CharFilter(
        label=_("Instrument or process number"), method="filter_process_or_instrument"
    )
    flow_task = ChoiceFilter()
    created = DateRangeFilter()

    class Meta:
        model = Task
        fields = ("process", "flow_task", "created")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["flow_task"].field.choices = flow_task_choices(
            [ApprovalFlow], task_types=self.task_types
        )

    def filter_process_or_instrument(self, queryset, name, value):
        return tasks_of_process_or_instrument(queryset, value)


class UserTaskListFilter(StepsFilter):
    """The inbox's and the queue's: also by the instrument's type, and the steps past their
    deadline."""

    instrument_type = ListedModelChoiceFilter(
        label=_("Type"),
        field_name="process__approvalprocess__instrument__instrument_type",
        queryset=InstrumentType.objects.all(),
        empty_label=_("Any"),
    )
    lateness = ChoiceFilter(
        label=_("Deadline"),
        choices=[("overdue", _("Overdue only"))],
        empty_label=_("Any"),
        method="filter_lateness",
    )

    class Meta(StepsFilter.Meta):
        fields = ("process", "instrument_type", "flow_task", "lateness", "created")

    def filter_lateness(self, queryset, name, value):
        return queryset.filter(
            deadline__closed_at__isnull=True, deadline__due_on__lt=timezone.localdate()
        )


class ArchiveListFilter(StepsFilter):
    finished = DateRangeFilter()

    class Meta(StepsFilter.Meta):
        fields = ("process", "flow_task", "created", "finished")


class TaskListFilter(StepsFilter):
    """The flow's list of every task, its gateways and joins too."""

    task_types = None
    status = MultipleChoiceFilter(choices=STATUS.choices)
    finished = NullDateRangeFilter()

    class Meta(StepsFilter.Meta):
        fields = ("process", "flow_task", "status", "created", "finished")


# Keys no process or task will have (Django's largest integer key), marking where a step's
# URL holds its process's and its own.
_PROCESS_MARK, _TASK_MARK = str(9_223_372_036_854_775_806), str(9_223_372_036_854_775_807)


class InstrumentOfTaskMixin:
    """A list of steps that names each step's instrument, fetched with the page query (the
    process's ``brief`` and viewflow's coerced process cost a query a row), its pager
    counting no further than anyone pages."""

    paginator_class = BoundedPaginator

    related = ("process__approvalprocess__instrument", "owner")

    def get_queryset(self):
        return super().get_queryset().select_related(*self.related)

    @cached_property
    def _step_urls(self) -> dict:
        """Each (node, view)'s URL with marks for its keys, reversed on this page."""
        return {}

    def step_url(self, task, viewname: str = "index") -> str:
        """viewflow's ``task.flow_task.reverse(viewname, args=[process, task])``, reversed
        once a page for each step and view: viewflow walks its viewsets' namespaces on every
        call (0.15 ms, two a row of the inbox)."""
        key = (task.flow_task, viewname)
        if key not in self._step_urls:
            self._step_urls[key] = task.flow_task.reverse(
                viewname, args=[_PROCESS_MARK, _TASK_MARK]
            )
        url = self._step_urls[key]
        return url.replace(_PROCESS_MARK, str(task.process_id)).replace(_TASK_MARK, str(task.pk))

    def task_id(self, task):
        """viewflow's column, the step's number linked to its page."""
        return format_html('<a href="{}">#{}/{}</a>', self.step_url(task), task.process_id, task.pk)

    task_id.short_description = _("#")

    def instrument(self, task):
        return task.process.approvalprocess.instrument.title

    instrument.short_description = _("Instrument")


class VisibleProcessListView(DashboardProcessListView):
    paginator_class = BoundedPaginator

    def get_queryset(self):
        """The processes the user may see, each with its count of open steps beside it:
        viewflow's ``Count("task")`` joined every task before the pager counted the rows."""
        processes = ListModelView.get_queryset(self).filter(flow_class=self.flow_class)
        processes = visible_only(processes, process_policy.queryset(self.request.user, "view"))
        return processes.annotate(active_tasks_count=open_task_counts()).order_by("-pk")

    def active_tasks(self, obj):
        """How many steps are open: the department's business, not a consulted ministry's."""
        internal = process_policy.user_may(self.request.user, "view_record_any")
        return obj.active_tasks_count if internal else ""


class VisibleTaskListView(InstrumentOfTaskMixin, DashboardTaskListView):
    columns = ("task_id", "flow_task", "instrument", "created", "owner")
    filterset_class = TaskListFilter

    @viewprop
    def queryset(self):
        return visible_only(super().queryset, task_policy.queryset(self.request.user, "view"))

    def flow_task(self, task):
        """The step by its title (viewflow's column shows the node's Python name)."""
        return task.title

    flow_task.short_description = _("Task")
    flow_task.orderby_column = "flow_task"  # sorted by node, as viewflow's column was


class VisibleDashboardView(DashboardView):
    """The flow's board of open tasks per step, without the steps a user may not see; each
    column's tasks with their process and holder in its one query, found by an index
    (``workflows`` 0008), newest first.

    viewflow's columns also hold a task in error whose ``finished`` is set; viewflow never
    sets both, and the condition on ``finished`` alone is the index's."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visible = (
            visible_only(
                Task.objects.filter(process__flow_class=self.flow_class),
                task_policy.queryset(self.request.user, "view"),
            )
            .select_related("process__approvalprocess", "owner")
            .order_by("-created", "-pk")
        )
        for column in context["columns"]:
            column["tasks"] = visible.filter(finished__isnull=True, flow_task=column["node"])[
                : self.MAX_ROWS
            ]
        # The processes that ended, newest first: each end node's own, merged (one query an
        # end node, each stopping at the board's rows). The department's record: outside
        # it, a process's end is no step of anyone's.
        internal = process_policy.user_may(self.request.user, "view_record_any")
        ended = [
            task
            for node in (context["end_nodes"] if internal else [])
            for task in visible.filter(finished__isnull=False, flow_task=node)[: self.MAX_ROWS]
        ]
        ended.sort(key=lambda task: (task.created, task.pk), reverse=True)
        context["finished"] = ended[: self.MAX_ROWS]
        return context


class VisibleProcessDetailView(DetailProcessView):
    """A process's page (``has_view_permission`` has said who may open it) lists only the
    steps the user may see: for a consulted ministry's reviewer, their organisation's."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, process = self.request.user, context["process"]
        context["task_list"] = context["task_list"].filter(
            pk__in=task_policy.queryset(user, "view")
        )
        # What the page may offer, answered here and not by the template: each step a link
        # where its node lets the user view it (viewflow's template asked ``has_perm``), and
        # cancelling a running process where viewflow's cancel page would allow it.
        context["task_rows"] = [
            (task, task.flow_task.has_view_permission(user)) for task in context["task_list"]
        ]
        context["may_cancel"] = process.status == PROCESS.NEW and (
            self.flow_class.instance.has_manage_permission(user, obj=process)
        )
        return context


class VisibleChartView(FlowChartView):
    """A process's chart (its current step highlighted) only for those who may see it;
    outside the department, the flow's chart without the process's state."""

    def dispatch(self, request, *args, **kwargs):
        process_pk = kwargs.get("process_pk")
        if process_pk is not None:
            if not process_policy.queryset(request.user, "view").filter(pk=process_pk).exists():
                raise PermissionDenied
            if not process_policy.user_may(request.user, "view_record_any"):
                kwargs.pop("process_pk")
        return super().dispatch(request, *args, **kwargs)


class ApprovalFlowViewset(FlowViewset):
    dashboard_view_class = VisibleDashboardView
    chart_view_class = VisibleChartView
    process_list_view_class = VisibleProcessListView
    process_detail_view_class = VisibleProcessDetailView
    task_list_view_class = VisibleTaskListView

    def get_context_data(self, request):
        return menu_counts(request.user, [self._flow_class])


class InstrumentColumnsMixin(InstrumentOfTaskMixin):
    """Inbox and queue rows that say which instrument, which organisation, how long it has
    waited and by when it is due, in the user's language. One query, whatever the rows."""

    related = (*InstrumentOfTaskMixin.related, "deadline__organisation")

    @staticmethod
    def _deadline(task):
        return getattr(task, "deadline", None)

    @cached_property
    def today(self):
        return timezone.localdate()

    def organisation(self, task):
        deadline = self._deadline(task)
        return deadline.organisation.name if deadline and deadline.organisation else ""

    organisation.short_description = _("Organisation")

    def age(self, task):
        return timesince(task.created)

    age.short_description = _("Waiting")

    def due(self, task):
        """The day it is due; past it, in red and said (as the instrument list says it)."""
        deadline = self._deadline(task)
        if deadline is None:
            return ""
        overdue = deadline.closed_at is None and deadline.due_on < self.today
        return mark_safe(views_instruments.due_html(deadline.due_on, overdue=overdue))  # noqa: S308 - escaped there

    due.short_description = _("Deadline")


def flow_steps(flow_classes) -> list[str]:
    """Every node of ``flow_classes``, as a task names it: a task's own column says which
    flow it is of, where viewflow's lists join each task to its process for the flow's
    class (for the archive's count, a lookup of every candidate's process)."""
    return [
        get_task_ref(node) for flow_class in flow_classes for node in flow_class.instance.nodes()
    ]


def inbox_tasks(user, flow_classes):
    """The person's work: the tasks they may complete — theirs, and those held by anyone they
    act for (delegation) but not on an instrument they drafted (``TaskPolicy.complete``) —
    and the human steps still in a queue that they may take (``TaskPolicy.take``)."""
    held = task_policy.queryset(user, "complete").filter(status=STATUS.ASSIGNED)
    queued = task_policy.queryset(user, "take").filter(status=STATUS.NEW)
    # A UNION of the two lists' keys, each found by its own index: an OR of the two filters
    # made the database read every task ever created, on every page (the menu counts it).
    mine = held.order_by().values("pk").union(queued.order_by().values("pk"))
    return Task.objects.filter(
        pk__in=mine, flow_task__in=flow_steps(flow_classes), flow_task_type="HUMAN"
    )


def queue_tasks(user, flow_classes):
    """Viewflow's queue (the tasks waiting for a right the user holds, or lends), less those
    the task policy does not let them take."""
    return Task.objects.queue(flow_classes, user).filter(pk__in=task_policy.queryset(user, "take"))


class MenuCount:
    """A side menu's counter (``{{ user_inbox.count }}``): the rows of a person's list, or the
    number that list's own page counted of them on this request, all of them unfiltered
    (``counted``), rather than the same count twice."""

    def __init__(self, user, name: str, rows):
        self.user, self.name, self.rows = unwrapped(user), name, rows

    @classmethod
    def counted(cls, user, name: str, number: int) -> None:
        unwrapped(user).__dict__.setdefault("_lekhit_menu_counts", {})[name] = number

    def count(self) -> int:
        known = self.user.__dict__.get("_lekhit_menu_counts", {})
        return known[self.name] if self.name in known else self.rows.count()


def menu_counts(user, flow_classes) -> dict:
    """The side menu's Inbox and Queue counters: the lists' own rows, not viewflow's. A
    visitor not signed in (a public page, a refused API call) has no menu to count."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return {
        "user_inbox": MenuCount(user, "inbox", inbox_tasks(user, flow_classes)),
        "user_queue": queue_tasks(user, flow_classes),
    }


class InboxView(InstrumentColumnsMixin, WorkflowInboxListView):
    """The person's work: the steps they hold (theirs, or held by someone they act for),
    and the steps waiting in a queue for them, each with its Take button, which takes it
    and opens it in one click. Nobody's work waits only in the queue."""

    columns = ("task_id", "instrument", "flow_task", "organisation", "age", "due", "action")
    filterset_class = UserTaskListFilter
    bulk_actions = ()  # viewflow's "Unassign selected tasks": a step is given back from its page

    @viewprop
    def queryset(self):
        return inbox_tasks(self.request.user, self.flow_classes).order_by("created")

    def paginate_queryset(self, queryset, page_size):
        """The pager's count of the whole inbox (no filter, within the pager's bound) is the
        menu's too."""
        paginated = super().paginate_queryset(queryset, page_size)
        paginator = paginated[0]
        if not self.request.GET.keys() - {"page", "_orderby"} and not paginator.beyond_bound:
            MenuCount.counted(self.request.user, "inbox", paginator.count)
        return paginated

    def action(self, task):
        """Open a step one holds; take one from the queue (viewflow's assign, POSTed) and land
        on its page."""
        if task.status == STATUS.NEW:
            return format_html(
                '<form method="post" action="{}" class="lekhit-take" data-turbo="false">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<button type="submit" name="_continue" value="1" '
                'class="mdc-button mdc-button--raised">{}</button></form>',
                self.step_url(task, "assign"),
                get_token(self.request),
                _("Take"),
            )
        return format_html(
            '<a class="mdc-button mdc-button--outlined" href="{}">{}</a>',
            self.step_url(task),
            _("Open"),
        )

    action.short_description = ""


class QueueView(InstrumentColumnsMixin, WorkflowQueueListView):
    """Viewflow's queue (the tasks waiting for a right the user holds, or lends), less those
    the task policy does not let them take."""

    columns = ("task_id", "instrument", "flow_task", "organisation", "age", "due")
    filterset_class = UserTaskListFilter
    bulk_actions = (Action(name=_("Take the selected tasks"), viewname="tasks_assign"),)

    @viewprop
    def queryset(self):
        return queue_tasks(self.request.user, self.flow_classes)


def archive_tasks(user, flow_classes):
    """The steps ``user`` has done in the flows they may view (viewflow's archive), found
    and counted by the index of each person's finished steps alone (``workflows`` 0011): a
    director-general's ten years are 18,000 of them, and viewflow's filter on each one's
    process made the pager's count look up 1,000 processes."""
    viewable = [flow for flow in flow_classes if flow.instance.has_view_permission(user)]
    return Task.objects.filter(
        owner=user, finished__isnull=False, flow_task__in=flow_steps(viewable)
    )


class ArchiveView(InstrumentOfTaskMixin, WorkflowArchiveListView):
    """The steps the person has done, newest first, each with its instrument."""

    columns = ("task_id", "instrument", "flow_task", "created", "finished")
    filterset_class = ArchiveListFilter
    ordering = ("-created", "-pk")

    @viewprop
    def queryset(self):
        return archive_tasks(self.request.user, self.flow_classes)


class LekhitWorkflowApp(WorkflowAppViewset):
    inbox_view_class = InboxView
    queue_view_class = QueueView
    archive_view_class = ArchiveView

    def get_context_data(self, request):
        return menu_counts(request.user, self.flow_classes)


class InstrumentsApp(documents_viewsets.InstrumentsApp):
    """The Instruments application, its list showing each instrument's step, holder and
    deadline (what the process knows)."""

    index_path = path("", views_instruments.instrument_list, name="index")
