"""The one page of the API app: a person's own API token, for the systems that act for them."""

from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from api import services


@require_http_methods(["GET", "POST"])
def token(request):
    """GET says whether the person has a token (never shows it); POST ``create`` makes a new
    one and shows it this once; POST ``revoke`` ends it."""
    new_key = None
    if request.method == "POST" and request.POST.get("action") == "create":
        new_key = services.token_replace(user=request.user).key
        messages.success(request, _("Your new API token is below; the old one no longer works."))
    elif request.method == "POST" and request.POST.get("action") == "revoke":
        revoked = services.token_revoke(user=request.user)
        if revoked:
            messages.success(request, _("Your API token no longer works."))
    current = Token.objects.filter(user=request.user).only("created").first()
    return render(request, "api/token.html", {"current": current, "new_key": new_key})
