"""The portfolio dashboard and the transfer tracker: pages for the director, the
director-general and the administrator (``oversight.permissions``), each table also an XLSX
file, each figure a link to the list behind it."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from viewflow.workflow.fields import get_task_ref

from khmer.formats import format_date, format_month, format_number
from oversight import selectors
from oversight.forms import PeriodForm, TransferFilterForm
from oversight.permissions import portfolio_policy
from workflows.exports import table_xlsx
from workflows.flows import ApprovalFlow
from workflows.views_instruments import human_steps

COLUMN_HEIGHT, COLUMN_BASE = 95, 115  # the months chart's tallest column, and its base line
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TRANSFERS_PER_PAGE = 50
TRANSFERS_EXPORTED_MOST = 20_000


def _may(request) -> None:
    if not portfolio_policy.user_may(request.user, "view_portfolio"):
        raise PermissionDenied(
            _("Only the director, the director-general and the administrator see the portfolio.")
        )


def _list(**query) -> str:
    return f"{reverse('documents:index')}?{urlencode(query)}"


@dataclass(frozen=True)
class Cell:
    """A figure or a name, and the list behind it."""

    value: object
    href: str = ""

    @property
    def display(self) -> str:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            return str(self.value)
        return format_number(self.value)


@dataclass
class Table:
    """One table of the dashboard: its title, its columns, and per line the cells — each a
    value, or (value, link) — the first the line's name."""

    name: str
    title: str
    headings: list[str]
    lines: list[list]
    chart: str = ""  # "bars": a bar per line of its first number; "months": a column per month
    axis: list[str] = field(default_factory=list)  # the months chart's labels ("Nov 2026")

    def __post_init__(self):
        self.lines = [
            [Cell(*cell) if isinstance(cell, tuple) else Cell(cell) for cell in line]
            for line in self.lines
        ]

    def bars(self) -> list[dict]:
        """The chart of the first number column: each bar's share of the widest."""
        values = [line[1].value for line in self.lines]
        most = max(values, default=0) or 1
        bars = []
        for index, (line, value) in enumerate(zip(self.lines, values, strict=True)):
            label = self.axis[index] if index < len(self.axis) else ""
            percent = round(100 * value / most, 1)
            height = round(percent * COLUMN_HEIGHT / 100, 1)
            bars.append(
                {
                    "line": line,
                    "value": value,
                    "percent": percent,
                    "height": height,
                    "top": COLUMN_BASE - height,
                    # the month above its year: the two on one line overran the column
                    "axis": label.rpartition(" ")[::2],
                }
            )
        return bars

    def xlsx(self) -> bytes:
        rows = [[_spreadsheet(cell.value) for cell in line] for line in self.lines]
        widths = [(16, 50)] + [(10, 16)] * (len(self.headings) - 1)
        return table_xlsx(
            title=self.title, sheet=self.title, headings=self.headings, rows=rows, widths=widths
        )


def _spreadsheet(value):
    """A number as a number (to sort and sum), anything else as its text."""
    return value if isinstance(value, int | float) else str(value)


def _days(value: float) -> float:
    return round(value, 1)


def _steps_ended(task_list: str, step: str) -> str:
    """The flow's task list, filtered to the ended tasks of ``step``."""
    query = {"flow_task": get_task_ref(getattr(ApprovalFlow, step)), "status": "DONE"}
    return f"{task_list}?{urlencode(query)}"


def _overdue_table(name: str, title: str, heading: str, figures, filter_name: str) -> Table:
    """Who holds steps past their deadline; each count links to their overdue instruments."""
    return Table(
        name,
        title,
        [heading, _("Steps overdue"), _("Oldest deadline")],
        [
            [
                f.label,
                (f.values["count"], _list(**{filter_name: f.key.pk, "overdue": "on"})),
                format_date(f.values["oldest"]),
            ]
            for f in figures
        ],
        chart="bars",
    )


def dashboard_tables(period: selectors.Period, *, today) -> list[Table]:
    stages = selectors.instruments_by_stage()
    by_organisation = selectors.overdue_by_organisation(today=today)
    by_person = selectors.overdue_by_person(today=today)
    steps = human_steps()
    by_step = selectors.cycle_time_by_step(period=period, steps=steps)
    answers = selectors.cycle_time_by_organisation(period=period)
    record = selectors.consultation_record(period=period)
    signed = selectors.signed_per_month(period=period)
    task_list = ApprovalFlow.instance.reverse("task_list")
    return [
        Table(
            "stages",
            _("Instruments by stage now"),
            [_("Stage"), _("Instruments")],
            [[f.label, (f.values["count"], _list(status=f.key))] for f in stages],
            chart="bars",
        ),
        _overdue_table(
            "overdue-organisations",
            _("Overdue, by organisation"),
            _("Organisation"),
            by_organisation,
            "organisation",
        ),
        _overdue_table("overdue-people", _("Overdue, by person"), _("Person"), by_person, "holder"),
        Table(
            "cycle-steps",
            _("Days per step"),
            [_("Step"), _("Median (days)"), _("90th percentile (days)"), _("Steps ended")],
            [
                [
                    f.label,
                    _days(f.values["median"]),
                    _days(f.values["p90"]),
                    (
                        f.values["count"],
                        _steps_ended(task_list, f.key),
                    ),
                ]
                for f in by_step
            ],
            chart="bars",
        ),
        Table(
            "cycle-organisations",
            _("Days each organisation took to answer"),
            [_("Organisation"), _("Median (days)"), _("90th percentile (days)"), _("Answers")],
            [
                [f.label, _days(f.values["median"]), _days(f.values["p90"]), f.values["count"]]
                for f in answers
            ],
            chart="bars",
        ),
        Table(
            "consultation-record",
            _("Each organisation's consultation record"),
            [
                _("Organisation"),
                _("Consulted"),
                _("Answered on time"),
                _("Answered late"),
                _("By silence"),
                _("Not yet answered"),
            ],
            [
                [
                    f.label,
                    f.values["count"],
                    f.values["on_time"],
                    f.values["late"],
                    f.values["silence"],
                    (f.values["waiting"], _list(organisation=f.key.pk)),
                ]
                for f in record
            ],
        ),
        Table(
            "signed",
            _("Instruments signed per month"),
            [_("Month"), _("Signed")],
            [
                [format_month(f.key), (f.values["count"], _list(signed=f.key.strftime("%Y-%m")))]
                for f in signed
            ],
            chart="months",
            axis=[format_month(f.key, short=True) for f in signed],
        ),
    ]


@require_GET
def dashboard(request):
    _may(request)
    form = PeriodForm(request.GET)
    period = form.period()
    tables = dashboard_tables(period, today=timezone.localdate())
    export = request.GET.get("export")
    if export:
        table = next((table for table in tables if table.name == export), None)
        if table is None:
            raise Http404(_("There is no such table."))
        return _xlsx(table.xlsx(), f"{table.name}-{period.start:%Y-%m}-{period.end:%Y-%m}.xlsx")
    query = request.GET.copy()
    query.pop("export", None)
    return TemplateResponse(
        request,
        "oversight/dashboard.html",
        {
            "form": form,
            "period": period,
            "period_label": _("%(start)s to %(end)s")
            % {"start": format_month(period.start), "end": format_month(period.end)},
            "tables": tables,
            "query": query.urlencode(),
        },
    )


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_GET
def transfers(request):
    _may(request)
    today = timezone.localdate()
    form = TransferFilterForm(request.GET, sectors=TransferFilterForm.sectors())
    rows = form.filter(selectors.transfers(stage=form.chosen_stage, today=today))
    totals = selectors.transfer_totals(rows)
    stages = {stage: str(label) for stage, label in TransferFilterForm.STAGES}
    if request.GET.get("export") == "xlsx":
        exported = list(rows[:TRANSFERS_EXPORTED_MOST])
        return _xlsx(
            _transfers_xlsx(exported, totals, stages, today=today),
            f"transfers-{today:%Y-%m-%d}.xlsx",
        )
    page_obj = Paginator(rows, TRANSFERS_PER_PAGE).get_page(request.GET.get("page"))
    signed = selectors.signed_versions([row.instrument_id for row in page_obj.object_list])
    lines = [
        {
            "row": row,
            "stage": stages[selectors.Stage.of(row, today=today)],
            "signed_version": signed.get(row.instrument_id),
        }
        for row in page_obj.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return TemplateResponse(
        request,
        "oversight/transfers.html",
        {
            "form": form,
            "lines": lines,
            "page_obj": page_obj,
            "totals": totals,
            "query": query.urlencode(),
            "filtered": any(query.values()),
        },
    )


def _transfers_xlsx(rows, totals, stages, *, today) -> bytes:
    """The department's periodic report on the transfer of functions: a line per function,
    the totals last."""
    headings = [
        _("No."),
        _("Function transferred"),
        _("From the ministry"),
        _("To the level"),
        _("Staff"),
        _("Budget (riel)"),
        _("Assets"),
        _("Effective"),
        _("Instrument"),
        _("Stage"),
    ]
    lines = [
        [
            number,
            row.function_km,
            row.from_ministry.name,
            row.get_level_display(),
            row.staff_count,
            row.budget_riel,
            row.assets,
            format_date(row.effective_date) if row.effective_date else "",
            " · ".join(filter(None, [row.instrument.title_km, row.instrument.reference_number])),
            stages[selectors.Stage.of(row, today=today)],
        ]
        for number, row in enumerate(rows, start=1)
    ]
    lines.append(["", _("Total"), "", "", totals["staff"], totals["budget"], "", "", "", ""])
    widths = [
        (5, 6),
        (24, 60),
        (14, 30),
        (10, 20),
        (6, 10),
        (12, 18),
        (14, 40),
        (12, 20),
        (24, 60),
        (10, 20),
    ]
    title = _("The transfer of functions")
    return table_xlsx(title=title, sheet=title, headings=headings, rows=lines, widths=widths)
