from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import User
from organisations.selectors import delegates_eligible


class DelegationForm(forms.Form):
    delegate = forms.ModelChoiceField(label=_("Who acts for you"), queryset=User.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the people the organisation chart lets act for this person (the service
        # checks again: ``organisations.services.delegation_check``).
        self.fields["delegate"].queryset = (
            delegates_eligible(user)
            .select_related("organisation")
            .order_by("organisation__code", "username")
        )
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["starts_on"].widget.attrs["min"] = today.isoformat()
        self.fields["ends_on"].widget.attrs["min"] = today.isoformat()
