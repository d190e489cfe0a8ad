from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.models import Instrument, ScheduleRow
from khmer.db import khmer_order
from khmer.formats import format_number
from khmer.forms import MonthField, months_before
from organisations.models import Organisation
from oversight.selectors import Period, Stage
from project.forms import ModelChoiceField


def last_day(month: date) -> date:
    following = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
    return following.fromordinal(following.toordinal() - 1)


class PeriodForm(forms.Form):
    """The months the dashboard's durations, records and signatures cover: by default the
    twelve months to this one."""

    start = MonthField(label=_("From the month"), required=False)
    end = MonthField(label=_("To the month"), required=False)

    MOST_MONTHS = 120

    def __init__(self, data=None, **kwargs):
        # The months chosen, and where none is, the default's: the lists show the period
        # the page shows.
        if data is not None:
            start, end = self.default()
            data = data.copy()
            data["start"] = data.get("start") or f"{start:%Y-%m}"
            data["end"] = data.get("end") or f"{end:%Y-%m}"
        super().__init__(data, **kwargs)

    @staticmethod
    def default() -> tuple[date, date]:
        """The first days of the default period's first and last months: the twelve to this."""
        this_month = timezone.localdate().replace(day=1)
        return months_before(this_month, 11), this_month

    def period(self) -> Period:
        start, end = self.default()
        if self.is_valid():
            start = self.cleaned_data["start"] or start
            end = self.cleaned_data["end"] or end
        if start > end:
            start, end = end, start
        months = (end.year - start.year) * 12 + end.month - start.month
        if months >= self.MOST_MONTHS:  # ten years at most: a chart of 120 bars
            start = months_before(end, self.MOST_MONTHS - 1)
        return Period(start, last_day(end))


class TransferFilterForm(forms.Form):
    """The tracker's filters: the ministry the functions leave, the sector, the level they
    go to, the year they take effect, where they stand."""

    STAGES = [
        (Stage.DRAFTING, _("Being drafted")),
        (Stage.CONSULTATION, _("In consultation or review")),
        (Stage.SIGNED, _("Signed, not yet in force")),
        (Stage.IN_FORCE, _("In force")),
    ]

    ministry = ModelChoiceField(
        label=_("From the ministry"), required=False, queryset=Organisation.objects.none()
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    level = forms.ChoiceField(label=_("To the level"), required=False)
    year = forms.TypedChoiceField(
        label=_("In force in"), required=False, coerce=int, empty_value=None
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False)

    def __init__(self, *args, sectors: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        ministry = self.fields["ministry"]
        ministry.queryset = Organisation.objects.filter(
            kind__in=[Organisation.Kind.MINISTRY, Organisation.Kind.INSTITUTION]
        ).order_by(khmer_order("name_km"), "pk")
        ministry.empty_label = _("Any")
        self.fields["sector"].choices = [("", _("Any")), *((s, s) for s in sectors)]
        self.fields["level"].choices = [("", _("Any")), *ScheduleRow.Level.choices]
        this_year = timezone.localdate().year
        self.fields["year"].choices = [
            ("", _("Any")),
            *((year, format_number(year)) for year in range(this_year + 5, 1999, -1)),
        ]
        self.fields["stage"].choices = [("", _("Any")), *self.STAGES]

    def filter(self, rows):
        """``rows`` by every filter given that is valid; a refused one (a link to a ministry
        no longer listed, a year out of the list) is named by the page (``errors``) and, as
        its list shows, not applied."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("ministry"):
            rows = rows.filter(from_ministry=data["ministry"])
        if data.get("sector"):
            rows = rows.filter(instrument__sector=data["sector"])
        if data.get("level"):
            rows = rows.filter(level=data["level"])
        if data.get("year"):
            rows = rows.filter(effective_date__year=data["year"])
        return rows

    @property
    def chosen_stage(self) -> str:
        """The stage chosen, if it is one."""
        self.is_valid()
        return self.cleaned_data.get("stage") or ""

    @staticmethod
    def sectors() -> list[str]:
        """The sectors instruments name, in Khmer order (a handful: one query)."""
        from khmer.formats import sorted_khmer

        return sorted_khmer(
            set(
                Instrument.objects.exclude(sector="")
                .order_by()
                .values_list("sector", flat=True)
                .distinct()
            )
        )
