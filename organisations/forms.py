from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import User


class DelegationForm(forms.Form):
    delegate = forms.ModelChoiceField(label=_("Who acts for you"), queryset=User.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = (
            User.objects.filter(is_active=True, organisation__isnull=False)
            .exclude(pk=user.pk)
            .select_related("organisation")
            .order_by("organisation__code", "username")
        )
