from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from viewflow.contrib.auth import ProfileView as ViewflowProfileView

from organisations.forms import DelegationForm
from organisations.models import Delegation
from organisations.permissions import user_policy
from organisations.roles import Role
from organisations.services import delegation_create, delegation_end, user_set_language


@login_not_required
@require_POST
def language_switch(request):
    """Switch the interface language; a signed-in person's choice is kept on their account."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(request.user.Language.choices):
        user_set_language(user=request.user, language=language)
    return response


class ProfileView(ViewflowProfileView):
    """The person's own page, with their roles named in the reader's language."""

    def get_context_data(self, **kwargs):
        names = self.request.user.role_names()
        return super().get_context_data(
            roles=[role.label for role in Role if role.value in names], **kwargs
        )


class SignInView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def away(request):
    """Out of office: name a colleague who acts for you while you are away."""

    user = request.user
    form = DelegationForm(request.POST or None, user=user)
    if request.method == "POST" and "end" in request.POST:
        pk = request.POST["end"]
        delegation = (
            Delegation.objects.filter(delegator=user, pk=int(pk)).first()
            if pk.isascii() and pk.isdigit() and len(pk) < 10
            else None
        )
        if delegation and delegation_end(delegation=delegation, user=user):
            messages.success(request, _("The delegation is ended."))
        elif delegation:
            messages.info(request, _("That delegation was already over; it is left as it was."))
        return redirect("away")
    if request.method == "POST" and form.is_valid():
        try:
            delegation_create(delegator=user, **form.cleaned_data)
            messages.success(request, _("Your colleague can act for you for that period."))
            return redirect("away")
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    return render(
        request,
        "organisations/away.html",
        {
            "form": form,
            "today": timezone.localdate(),
            "given": Delegation.objects.filter(delegator=user).select_related("delegate"),
            "received": Delegation.objects.filter(delegate=user).select_related("delegator"),
        },
    )


def home(request):
    """Where "/" and signing in lead: everyone with a role to their task inbox; a person with
    no role in the process (a consulted organisation's head, who receives escalations) to
    their notifications, instead of a page they may not open."""
    if user_policy.user_may(request.user, "work_in_process"):
        return redirect("workflow:inbox")
    return redirect("notifications:list")
