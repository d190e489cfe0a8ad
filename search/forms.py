from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import Instrument, InstrumentType
from documents.permissions import InstrumentPolicy
from khmer.forms import IntegerField
from organisations.models import Organisation
from project.forms import ModelChoiceField
from search.models import SearchEntry
from search.selectors import QUERY_MAX, YEARS


class SearchForm(forms.Form):
    """The query and its filters, as the URL carries them (``/search/?q=…``)."""

    q = forms.CharField(label=_("Search"), max_length=QUERY_MAX, required=False)
    inside_words = forms.BooleanField(label=_("Also inside longer words"), required=False)
    kind = forms.ChoiceField(
        label=_("Found in"),
        required=False,
        choices=[("", _("Everything")), *SearchEntry.Kind.choices],
    )
    instrument_type = ModelChoiceField(
        label=_("Type"),
        required=False,
        queryset=InstrumentType.objects.order_by("order", "pk"),
        empty_label=_("Every type"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Every status")), *Instrument.Status.choices],
    )
    year = IntegerField(label=_("Year"), required=False, min_value=YEARS[0], max_value=YEARS[-1])
    organisation = ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=Organisation.objects.order_by("pk"),
        empty_label=_("Every organisation"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not InstrumentPolicy.is_internal(user):
            # An instrument's status is the department's: not offered to anyone else (the
            # selector finds nothing for a status they would send).
            del self.fields["status"]

    def filters(self) -> dict:
        """The selector's arguments (a filter left empty or invalid is no filter)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "inside_words": bool(data.get("inside_words")),
            "kind": data.get("kind") or None,
            "instrument_type": data["instrument_type"].pk if data.get("instrument_type") else None,
            "status": data.get("status") or None,
            "year": data.get("year"),
            "organisation": data["organisation"].pk if data.get("organisation") else None,
        }
