"""Forms of the instrument pages: they parse and validate; the services write."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from documents.models import InstrumentType, Provision, ScheduleRow
from documents.services import TEXT_MAX
from khmer import forms as khmer_forms
from khmer.db import khmer_order
from khmer.text import typed_text
from organisations.models import Organisation, User
from organisations.roles import Role
from project.forms import ModelChoiceField, ModelMultipleChoiceField

HEADING_MAX = 500

Kind = Provision.Kind

# Where each kind of provision may stand: None is the top level of the text.
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    Kind.PREAMBLE: {None},
    Kind.PART: {None},
    Kind.CHAPTER: {None, Kind.PART},
    Kind.SECTION: {Kind.CHAPTER},
    Kind.ARTICLE: {None, Kind.PART, Kind.CHAPTER, Kind.SECTION, Kind.ANNEX},
    Kind.PARAGRAPH: {Kind.ARTICLE},
    Kind.ANNEX: {None},
}
# Which fields each kind is written with.
HAS_HEADING = {Kind.PART, Kind.CHAPTER, Kind.SECTION, Kind.ARTICLE, Kind.ANNEX}
HAS_TEXT = {Kind.PREAMBLE, Kind.ARTICLE, Kind.PARAGRAPH, Kind.ANNEX}
CONTAINERS = {kind for kinds in ALLOWED_PARENTS.values() for kind in kinds if kind}


def kinds_under(parent_kind: str | None) -> list[tuple[str, str]]:
    """The kinds of provision that may be placed under a parent of ``parent_kind``."""
    return [
        (value, label) for value, label in Kind.choices if parent_kind in ALLOWED_PARENTS[value]
    ]


def _text_field(label, max_length):
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        strip=True,
        error_messages={
            "max_length": _(
                "This is too long: at most %(limit_value)d characters (it has %(show_value)d)."
            )
        },
        widget=forms.Textarea(attrs={"rows": 4})
        if max_length == TEXT_MAX
        else forms.TextInput(attrs={"size": 60}),
    )


class InstrumentFilterForm(forms.Form):
    """The instrument list's filters: words of the title or the reference number, the status,
    the type; and its order."""

    SORT_BY_TITLE = "title"

    q = forms.CharField(label=_("Title or number contains"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    instrument_type = ModelChoiceField(
        label=_("Type"), required=False, queryset=InstrumentType.objects.all()
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("", _("Latest change first")), (SORT_BY_TITLE, _("By title"))],
    )

    def __init__(self, *args, **kwargs):
        from documents.models import Instrument

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any")), *Instrument.Status.choices]
        self.fields["instrument_type"].empty_label = _("Any")

    def filter(self, instruments):
        """``instruments`` narrowed by what was asked, in the order asked; all of them for an
        invalid form."""
        if not self.is_valid():
            return instruments
        data = self.cleaned_data
        words = typed_text(data["q"])
        if words:
            instruments = instruments.filter(
                models.Q(title_km__icontains=words)
                | models.Q(title_en__icontains=words)
                | models.Q(reference_number__icontains=words)
            )
        if data["status"]:
            instruments = instruments.filter(status=data["status"])
        if data["instrument_type"]:
            instruments = instruments.filter(instrument_type=data["instrument_type"])
        if data["sort"] == self.SORT_BY_TITLE:
            instruments = instruments.order_by(khmer_order("title_km"), "pk")
        return instruments


class ProvisionTextForm(forms.Form):
    """The texts of one provision. Which are required depends on its kind."""

    heading_km = _text_field(_("Heading (Khmer)"), HEADING_MAX)
    heading_en = _text_field(_("Heading (English)"), HEADING_MAX)
    text_km = _text_field(_("Text (Khmer)"), TEXT_MAX)
    text_en = _text_field(_("Text (English)"), TEXT_MAX)

    def __init__(self, *args, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in ("heading_km", "heading_en", "text_km", "text_en"):
            self.fields[name].widget.attrs["lang"] = name[-2:]
            if name.endswith("_km"):
                self.fields[name].widget.attrs["class"] = "lekhit-legal-text"

    def provision_kind(self) -> str | None:
        return self.kind

    def clean(self):
        cleaned = super().clean()
        kind = self.provision_kind()
        if kind is None or self.errors:
            return cleaned
        # What the service will keep: the text as typed, trimmed.
        heading = typed_text(cleaned.get("heading_km", ""))
        text = typed_text(cleaned.get("text_km", ""))
        if kind in (Kind.PART, Kind.CHAPTER, Kind.SECTION) and not heading:
            self.add_error("heading_km", _("Write the heading in Khmer."))
        elif kind in (Kind.PREAMBLE, Kind.PARAGRAPH) and not text:
            self.add_error("text_km", _("Write the text in Khmer."))
        elif kind in (Kind.ARTICLE, Kind.ANNEX) and not (heading or text):
            self.add_error("text_km", _("Write the heading or the text in Khmer."))
        return cleaned

    def texts(self) -> dict[str, str]:
        """Only the texts this form shows: the others are left as they are."""
        return {
            name: self.cleaned_data.get(name, "")
            for name in ("heading_km", "heading_en", "text_km", "text_en")
            if name in self.fields
        }


class ProvisionEditForm(ProvisionTextForm):
    """The texts of an existing provision, with the edit counter it was read at.

    A chapter has a heading and no text, a paragraph a text and no heading: fields its kind
    does not use are left out, unless the provision already holds something there.
    """

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, provision: Provision, **kwargs):
        super().__init__(*args, kind=provision.kind, **kwargs)
        for prefix, used in (("heading", HAS_HEADING), ("text", HAS_TEXT)):
            for language in ("km", "en"):
                name = f"{prefix}_{language}"
                if provision.kind not in used and not getattr(provision, name):
                    del self.fields[name]


class ProvisionAddForm(ProvisionTextForm):
    """A new provision, placed under ``parent`` (None: the top level), after ``after``."""

    kind = forms.ChoiceField(label=_("Kind"), choices=())

    field_order = ["kind", "heading_km", "heading_en", "text_km", "text_en"]

    def __init__(self, *args, parent: Provision | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds_under(parent.kind if parent else None)

    def provision_kind(self) -> str | None:
        return self.cleaned_data.get("kind")


class ProvisionMoveForm(forms.Form):
    """Move a provision to the end of another parent (another chapter, the top level…)."""

    parent = forms.TypedChoiceField(label=_("Move into"), coerce=int, choices=())

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = choices


class VersionForm(forms.Form):
    label = forms.CharField(
        label=_("Name of the version"),
        max_length=255,
        error_messages={"required": _("Give the version a name.")},
    )

    def clean_label(self):
        label = typed_text(self.cleaned_data["label"])
        if not label:
            raise forms.ValidationError(_("Give the version a name."))
        return label


class InstrumentCreateForm(forms.Form):
    instrument_type = ModelChoiceField(
        label=_("Type"), queryset=InstrumentType.objects.all(), empty_label=None
    )
    title_km = forms.CharField(
        label=_("Title (Khmer)"),
        max_length=1000,
        widget=forms.TextInput(attrs={"size": 80, "lang": "km", "class": "lekhit-legal-text"}),
    )
    title_en = forms.CharField(
        label=_("Title (English)"),
        max_length=1000,
        required=False,
        widget=forms.TextInput(attrs={"size": 80, "lang": "en"}),
    )
    owning_office = ModelChoiceField(
        label=_("Owning office"), queryset=Organisation.objects.none(), empty_label=None
    )
    sector = forms.CharField(label=_("Sector"), max_length=255, required=False)
    co_drafters = ModelMultipleChoiceField(
        label=_("Co-drafters"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        offices = Organisation.objects.filter(kind=Organisation.Kind.OFFICE, is_active=True)
        organisation = user.organisation
        department = None
        if organisation is not None:
            if organisation.kind == Organisation.Kind.OFFICE:
                department = organisation.parent
            elif organisation.kind == Organisation.Kind.DEPARTMENT:
                department = organisation
        if department is not None:
            offices = offices.filter(parent=department)
        self.fields["owning_office"].queryset = offices
        if organisation is not None and organisation.kind == Organisation.Kind.OFFICE:
            self.fields["owning_office"].initial = organisation.pk
        self.fields["co_drafters"].queryset = (
            User.objects.filter(groups__name=Role.DRAFTER, is_active=True)
            .exclude(pk=user.pk)
            .order_by("username")
        )

    def clean_title_km(self):
        title = typed_text(self.cleaned_data["title_km"])
        if not title:
            raise forms.ValidationError(_("Write the title in Khmer."))
        return title


class ScheduleRowForm(forms.ModelForm):
    class Meta:
        model = ScheduleRow
        # Staff, budget and date typed in Khmer or Western digits, the date day first.
        formfield_callback = khmer_forms.formfield
        fields = [
            "function_km",
            "function_en",
            "from_ministry",
            "level",
            "legal_basis",
            "staff_count",
            "budget_riel",
            "assets",
            "effective_date",
        ]
        widgets = {
            "function_km": forms.Textarea(
                attrs={"rows": 2, "lang": "km", "class": "lekhit-legal-text"}
            ),
            "function_en": forms.Textarea(attrs={"rows": 2, "lang": "en"}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "assets": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_ministry"].queryset = Organisation.objects.filter(
            kind__in=[Organisation.Kind.MINISTRY, Organisation.Kind.INSTITUTION], is_active=True
        )
        for name in ("function_km", "function_en", "legal_basis", "assets"):
            self.fields[name].error_messages["max_length"] = _(
                "This is too long: at most %(limit_value)d characters (it has %(show_value)d)."
            )

    def clean_function_km(self):
        value = typed_text(self.cleaned_data.get("function_km", ""))
        if not value:
            raise forms.ValidationError(_("Write the function in Khmer."))
        return value

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ScheduleRowEditForm(ScheduleRowForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class InstrumentDetailsForm(InstrumentCreateForm):
    """The same fields as on creation, with the edit counter that catches a concurrent save."""

    recipients_km = forms.CharField(
        label=_("Recipients (Khmer)"),
        help_text=_("Who receives the signed instrument, one per line."),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "km", "class": "lekhit-legal-text"}),
    )
    recipients_en = forms.CharField(
        label=_("Recipients (English)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "en"}),
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput)
