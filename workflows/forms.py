from django import forms
from django.utils.translation import gettext_lazy as _

from workflows.models import Decision


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Decision.RETURN and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why the draft is returned."))
        return cleaned


class ResubmitForm(forms.Form):
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
