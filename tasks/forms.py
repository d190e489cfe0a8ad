from django import forms
from django.utils.translation import gettext_lazy as _


class DeadlineExtendForm(forms.Form):
    due_on = forms.DateField(
        label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
