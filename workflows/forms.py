from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from documents.forms import InstrumentFilterForm
from khmer import forms as khmer_forms
from khmer.db import khmer_order
from khmer.formats import format_number
from organisations.models import Organisation
from organisations.selectors import people_choices
from project.forms import ModelChoiceField, ModelMultipleChoiceField
from tasks.models import TaskDeadline
from workflows.models import (
    Decision,
    Disposition,
    NextStep,
    Position,
    SignOff,
    SignOffDecision,
    SilenceRule,
)

TEXT_LIMIT = 10000


def _text(label, *, required=False, rows=4):
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    reason = _text(_("Reason"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Decision.RETURN and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why the draft is returned."))
        return cleaned


class ResubmitForm(forms.Form):
    note = _text(_("What changed"), rows=3)


class PlanRoundForm(forms.Form):
    organisations = ModelMultipleChoiceField(
        label=_("Organisations to consult"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one organisation.")},
    )
    working_days = khmer_forms.IntegerField(
        label=_("Working days to answer"), min_value=1, max_value=120, initial=10
    )
    silence_rule = forms.ChoiceField(
        label=_("If an organisation does not answer in time"),
        choices=SilenceRule.choices,
        initial=SilenceRule.NO_OBJECTION,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations


class PositionForm(forms.Form):
    position = forms.ChoiceField(
        label=_("Your organisation's position"), choices=Position.choices, widget=forms.RadioSelect
    )
    remarks = _text(_("General remarks"))


class CommentForm(forms.Form):
    provision = forms.CharField(required=False, widget=forms.HiddenInput)
    schedule_row = forms.CharField(required=False, widget=forms.HiddenInput)
    text = _text(_("Comment"), required=True, rows=3)


class ResponseForm(forms.Form):
    disposition = forms.ChoiceField(label=_("Disposition"), choices=Disposition.choices)
    response = _text(_("Reason"), required=True, rows=2)
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class ConsolidationForm(forms.Form):
    next_step = forms.ChoiceField(
        label=_("What comes next"), choices=NextStep.choices, widget=forms.RadioSelect
    )


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=SignOffDecision.choices, widget=forms.RadioSelect
    )
    reason = _text(_("Reason (required to return or reject)"))


class RegisterForm(forms.Form):
    reference_number = forms.CharField(label=_("Reference number"), max_length=100)
    registered_on = khmer_forms.DateField(label=_("Date"), initial=timezone.localdate)


class VerifyForm(forms.Form):
    sha256 = forms.RegexField(
        label=_("SHA-256 of the signed text"),
        regex=r"^[0-9a-fA-F]{64}$",
        required=False,
        error_messages={"invalid": _("A SHA-256 is 64 hexadecimal characters.")},
    )
    file = forms.FileField(label=_("…or the file of the signed text (JSON)"), required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("sha256") and not cleaned.get("file") and not self.errors:
            raise forms.ValidationError(_("Give a SHA-256 or a file."))
        return cleaned


class DeadlineExtendForm(forms.Form):
    due_on = khmer_forms.DateField(label=_("New deadline"))
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class WorkingInstrumentFilterForm(InstrumentFilterForm):
    """The instrument list's filters, with what the process knows: the step each instrument
    is at, who or which organisation holds it, whether it is overdue; and the year it began."""

    step = forms.ChoiceField(label=_("Current step"), required=False)
    holder = forms.TypedChoiceField(
        label=_("Held by"), required=False, coerce=int, empty_value=None
    )
    organisation = ModelChoiceField(
        label=_("Held by the organisation"), required=False, queryset=Organisation.objects.none()
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    year = forms.TypedChoiceField(
        label=_("Year begun"), required=False, coerce=int, empty_value=None
    )
    signed = khmer_forms.MonthField(
        label=_("Signed in the month"), required=False, empty_label=_("Any")
    )

    field_order = [
        "q",
        "instrument_type",
        "status",
        "step",
        "holder",
        "organisation",
        "overdue",
        "year",
        "signed",
    ]

    def __init__(self, *args, steps, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [("", _("Any")), *steps]
        self.fields["holder"].choices = [("", _("Anyone")), *people_choices()]
        organisation = self.fields["organisation"]
        name = "name_en" if get_language() == "en" else "name_km"
        organisation.queryset = Organisation.objects.filter(is_active=True).order_by(
            khmer_order(name), "pk"
        )
        organisation.empty_label = _("Any")
        self.fields["year"].choices = [
            ("", _("Any")),
            *((year, format_number(year)) for year in years),
        ]

    def filter(self, instruments):
        instruments = super().filter(instruments)
        if not self.is_valid():
            return instruments
        data = self.cleaned_data
        held = {
            "step": data["step"],
            "assignee_id": data["holder"],
            "organisation": data["organisation"],
        }
        held = {name: value for name, value in held.items() if value}
        if data["overdue"]:
            held["due_on__lt"] = timezone.localdate()
        if held:
            instruments = instruments.filter(
                Exists(
                    TaskDeadline.objects.filter(
                        instrument=OuterRef("pk"), closed_at__isnull=True, **held
                    )
                )
            )
        if data["year"]:
            instruments = instruments.filter(created_at__year=data["year"])
        if data["signed"]:
            month = data["signed"]
            instruments = instruments.filter(
                Exists(
                    SignOff.objects.filter(
                        instrument=OuterRef("pk"),
                        signed_at__year=month.year,
                        signed_at__month=month.month,
                    )
                )
            )
        return instruments
