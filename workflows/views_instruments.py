"""The instrument list as a working tool: each instrument with the step it is at, who holds
it and by when, filtered by any of those (the documents app's list knows only the text)."""

from html import escape
from itertools import groupby

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow import chart

from documents import table
from documents.models import Instrument
from documents.views import InstrumentListView
from khmer.templatetags.khmer import kmdate
from organisations.models import Organisation, User
from tasks.models import TaskDeadline
from workflows.deadlines import step_title
from workflows.flows import ApprovalFlow
from workflows.forms import WorkingInstrumentFilterForm
from workflows.permissions import process_policy


def human_steps() -> list[tuple[str, str]]:
    """The process's steps a person takes, in the process's order, by title."""
    return [
        (node.name, node.task_title)
        for node in chart.topsort(ApprovalFlow)[0]
        if node.task_type == "HUMAN"
    ]


FIRST_YEAR = 2000
"""The earliest year the list's filter offers."""


def _steps(instrument: Instrument) -> str:
    """Each step the instrument is at, once (a consultation round: one step, many holders)."""
    titles = dict.fromkeys(step.title for step in instrument.open_steps)
    return "".join(f"<div>{escape(title)}</div>" for title in titles) or "—"


def _holder(step: TaskDeadline) -> str:
    if step.assignee and step.organisation:
        organisation = escape(str(step.organisation))
        return f'{escape(str(step.assignee))} <span class="lekhit-muted">({organisation})</span>'
    if step.assignee or step.organisation:
        return escape(str(step.assignee or step.organisation))
    return f'<span class="lekhit-muted">{escape(_("Waiting in a queue"))}</span>'


def _holders(instrument: Instrument) -> str:
    return "".join(f"<div>{_holder(step)}</div>" for step in instrument.open_steps) or "—"


def due_html(day, *, overdue: bool) -> str:
    """A deadline's day in the reader's language; past it, in red and said so (the
    instrument list's column, and the inbox's and the queue's)."""
    due = escape(kmdate(day))
    if overdue:
        return f'<span class="lekhit-overdue">{due} <strong>{escape(_("overdue"))}</strong></span>'
    return due


def _due(step: TaskDeadline) -> str:
    return f"<div>{due_html(step.due_on, overdue=step.overdue)}</div>"


def _dues(instrument: Instrument) -> str:
    return "".join(_due(step) for step in instrument.open_steps) or "—"


RECORD = [
    table.Column(gettext_lazy("Current step"), _steps),
    table.Column(gettext_lazy("Held by"), _holders),
    table.Column(gettext_lazy("Due"), _dues),
]
"""Where each instrument stands in the process: between its text's columns and its people's."""


class WorkingInstrumentListView(InstrumentListView):
    def get(self, request):
        # The record (steps, holders, deadlines) is for the department's own people.
        self.shows_record = process_policy.user_may(request.user, "view_record_any")
        return super().get(request)

    def filter_form(self, data):
        if not self.shows_record:
            return super().filter_form(data)
        return WorkingInstrumentFilterForm(data, steps=human_steps(), years=self.years())

    def years(self) -> list[int]:
        """The years one may ask for, newest first: this one back to the first of the
        department's records (no query: the filter reads the same with or without data)."""
        return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))

    def page_rows(self, rows: list[Instrument]) -> list[Instrument]:
        """Each row with its open steps (one per organisation in a consultation round): one
        query for the page."""
        if not self.shows_record or not rows:
            return rows
        open_steps = (
            TaskDeadline.objects.filter(instrument__in=rows, closed_at__isnull=True)
            .select_related("assignee", "organisation")
            # what a row shows of each: three steps a row in a consultation round, each
            # holder's whole account (timestamps, password) decoded for its name alone
            .only(
                "instrument_id",
                "step",
                "due_on",
                *(f"assignee__{name}" for name in User.NAME_FIELDS),
                *(f"organisation__{name}" for name in Organisation.NAME_FIELDS),
            )
            .order_by("instrument_id", "due_on", "pk")
        )
        by_instrument = {
            instrument_id: list(steps)
            for instrument_id, steps in groupby(open_steps, key=lambda step: step.instrument_id)
        }
        today = timezone.localdate()
        for row in rows:
            row.open_steps = by_instrument.get(row.pk, [])
            for step in row.open_steps:
                step.title = step_title(step.step) or step.step
                step.overdue = step.due_on < today
        return rows

    def columns(self) -> list[table.Column]:
        if not self.shows_record:
            return super().columns()
        return [*table.TEXT, *RECORD, *table.PEOPLE]


instrument_list = WorkingInstrumentListView.as_view()
