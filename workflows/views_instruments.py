"""The instrument list as a working tool: each instrument with the step it is at, who holds
it and by when, filtered by any of those (the documents app's list knows only the text)."""

from itertools import groupby

from django.utils import timezone
from viewflow.workflow import chart

from documents.models import Instrument
from documents.views import InstrumentListView
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


class WorkingInstrumentListView(InstrumentListView):
    template_name = "workflows/instrument_list.html"

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

    def context(self) -> dict:
        return {"shows_record": self.shows_record}


instrument_list = WorkingInstrumentListView.as_view()
