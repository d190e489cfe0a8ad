from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from organisations.services import user_set_language


@login_not_required
@require_POST
def language_switch(request):
    """Switch the interface language; a signed-in person's choice is kept on their account."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(request.user.Language.choices):
        user_set_language(user=request.user, language=language)
    return response


class SignInView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
