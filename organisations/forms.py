from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from khmer import forms as khmer_forms
from organisations.models import User
from organisations.permissions import user_policy
from project.forms import ModelChoiceField


class ColleagueChoiceField(ModelChoiceField):
    """Each colleague with their organisation: two people of one name are told apart."""

    def label_from_instance(self, obj):
        if obj.organisation_id is None:
            return str(obj)
        return _("%(person)s — %(organisation)s") % {
            "person": obj,
            "organisation": obj.organisation.name,
        }


class DelegationForm(forms.Form):
    delegate = ColleagueChoiceField(label=_("Who acts for you"), queryset=User.objects.none())
    starts_on = khmer_forms.DateField(label=_("From"))
    ends_on = khmer_forms.DateField(label=_("Until"))
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the people the policy lets act for this person (the organisation chart; the
        # service checks again: ``organisations.services.delegation_check``).
        self.fields["delegate"].queryset = (
            user_policy.queryset(user, "name_as_delegate")
            .select_related("organisation")
            .order_by("organisation__code", "username")
        )
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["starts_on"].widget.attrs["min"] = today.isoformat()
        self.fields["ends_on"].widget.attrs["min"] = today.isoformat()


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, its password rules kept apart (``password_rules``) for the page to list
    them: viewflow's field shows a help text as plain text, and Django's rules are an HTML
    list ("<ul><li>…")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.password_rules = password_validation.password_validators_help_texts()
        self.fields["new_password1"].help_text = ""
