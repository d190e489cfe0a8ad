"""Security at the edge of every request: who is knocking, what the browser may do, how long a
signed-in person may stay idle.

- ``client_ip``: the address login throttling (django-axes) counts failures against;
- ``lockout_response``, ``ThrottledPasswordResetView`` and ``ThrottledPasswordChangeView``:
  what a locked-out person sees, and the password forms counted like a sign-in;
- ``csp_nonce``: django-csp's nonce under the name django-htmx's ``{% htmx_script %}`` reads;
- ``PermissionsPolicyMiddleware``: no camera, microphone, location, payment… for any page;
- ``IdleSessionTimeoutMiddleware``: signs out whoever has been idle too long.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_logged_in, user_login_failed
from django.contrib.auth.views import (
    PasswordChangeView,
    PasswordResetView,
    redirect_to_login,
)
from django.http import Http404, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.translation import ngettext

from khmer.formats import format_number

# --- Login throttling ---------------------------------------------------------------------


def client_ip(request) -> str | None:
    """The address of the person, as django-axes counts their failed sign-ins.

    In production Lekhit listens on loopback behind the reverse proxy (README, "Deploying for
    real"), so REMOTE_ADDR is the proxy's own address: every visitor would share one counter.
    The proxy appends the address it saw to ``X-Forwarded-For``; the right-most entry is that
    one, written by the proxy itself. Entries to its left come from the client (anyone can send
    the header) and are never trusted. In development, with no proxy in front, the header is
    ignored altogether (``TRUST_X_FORWARDED_FOR`` is false).
    """
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")


def lockout_minutes(request=None) -> int:
    return max(1, round(get_cool_off(request).total_seconds() / 60))


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """Lekhit's page for a locked-out sign-in (django-axes' ``AXES_LOCKOUT_CALLABLE``).

    The same words whether the name exists or not, and whether the account or the address
    reached the limit: nothing here tells an attacker which names are real.
    """
    minutes = lockout_minutes(request)
    message = ngettext(
        "Too many unsuccessful attempts. For your protection, signing in is paused: "
        "try again in %(minutes)s minute.",
        "Too many unsuccessful attempts. For your protection, signing in is paused: "
        "try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": format_number(minutes)}
    return render(
        request,
        "organisations/lockout.html",
        {"message": message},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


class ThrottledPasswordResetView(PasswordResetView):
    """The password reset form, throttled like the sign-in.

    Every submission counts as an attempt (for the address given in the form and for the
    person's address), whether or not a mail goes out: the page answers the same either way,
    so that nobody learns which addresses are known. Twenty within the cool-off lock the form
    (and sign-in from that address) like twenty wrong passwords.
    """

    def post(self, request, *args, **kwargs):
        credentials = {settings.AXES_USERNAME_FORM_FIELD: request.POST.get("email", "").strip()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return lockout_response(request, None, credentials)
        response = super().post(request, *args, **kwargs)
        user_login_failed.send(sender=type(self), credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request, response, credentials)
        return response


class ThrottledPasswordChangeView(PasswordChangeView):
    """The password change form checks the old password: a wrong one counts as a failed
    sign-in of that person (a session left open must not let anyone guess the password)."""

    def post(self, request, *args, **kwargs):
        credentials = {settings.AXES_USERNAME_FORM_FIELD: request.user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return lockout_response(request, None, credentials)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if "old_password" in form.errors:
            credentials = {settings.AXES_USERNAME_FORM_FIELD: self.request.user.get_username()}
            user_login_failed.send(sender=type(self), credentials=credentials, request=self.request)
            if getattr(self.request, "axes_locked_out", False):
                return lockout_response(self.request, None, credentials)
        return super().form_invalid(form)


# --- Content-Security-Policy and Permissions-Policy ---------------------------------------


def csp_nonce(request) -> dict:
    """django-csp keeps the response's nonce as ``request.csp_nonce`` (its own context
    processor calls it ``CSP_NONCE``); django-htmx's ``{% htmx_script %}`` reads ``csp_nonce``
    from the context. One name for both, and for our own ``<script nonce="{{ csp_nonce }}">``.

    The value is lazy: a page that uses no nonce leaves the header without one.
    """
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


# Powerful browser features Lekhit never uses: refused to our pages and to anything they embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class NulInPathMiddleware:
    """No address of Lekhit has a NUL character in it, and PostgreSQL cannot compare text with
    one: wherever a path's text reaches a query (the admin's pages of a model keyed by text,
    ``/admin/tasks/heartbeat/%00/delete/``) it raised a DataError, a 500. Such a request is
    not found. Text sent in a form or a query string is checked where it is read (forms, and
    ``khmer.text.typed_text`` in the services)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404
        return self.get_response(request)


# --- Idle session timeout -----------------------------------------------------------------

LAST_ACTIVITY = "lekhit_last_activity"


class IdleSessionTimeoutMiddleware:
    """Sign out a person after ``SESSION_IDLE_TIMEOUT_MINUTES`` without a request.

    The next request after that goes to the sign-in page (and back where it was, once signed
    in) with a message saying why.

    The time of the last request is kept in the session, but a GET must not write the session
    unless something the person chose changed (every write is a database row rewritten, and
    two tabs would race each other). So the time is recorded at sign-in, and then only when the
    recorded one is older than a tenth of the timeout: at most one write every six minutes with
    the default hour. The price: a person is signed out after between nine tenths of the
    timeout and the whole of it without activity, never later.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
        if request.user.is_authenticated:
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and time.time() - last > timeout:
                return self.signed_out(request)
        response = self.get_response(request)
        # After the view: a sign-in in this very request is stamped in the write it makes.
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY)
            if last is None or now - last >= timeout / 10:
                request.session[LAST_ACTIVITY] = int(now)
        return response

    def signed_out(self, request):
        minutes = settings.SESSION_IDLE_TIMEOUT_MINUTES
        logout(request)
        messages.info(
            request,
            ngettext(
                "You were signed out after %(minutes)s minute without activity. "
                "Sign in again to continue.",
                "You were signed out after %(minutes)s minutes without activity. "
                "Sign in again to continue.",
                minutes,
            )
            % {"minutes": format_number(minutes)},
        )
        if request.headers.get("HX-Request"):
            # htmx would put the sign-in page inside the fragment: have it load the page.
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            page = current.path + (f"?{current.query}" if current.query else "")
            page = page or request.get_full_path()
            response = HttpResponse(status=200)
            response["HX-Redirect"] = redirect_to_login(page)["Location"]
            return response
        return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))


def _stamp_sign_in(sender, request, user, **kwargs):
    # A fresh sign-in starts the idle clock (the session is written by the sign-in anyway).
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


user_logged_in.connect(_stamp_sign_in, dispatch_uid="lekhit-idle-session-sign-in")
