"""Errors as JSON, in the caller's language: ``{"detail": …, "code": …}``, and for invalid
input also ``"errors"``, field by field as the service said it.

DRF ships no Khmer, so each of its errors gets a message of ours (translated in Lekhit's
catalogue); a service's own ``ValidationError`` or ``PermissionDenied`` keeps its message,
which is already translated.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from documents.errors import EditConflict


def _message(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.NotAuthenticated):
        return _("Sign in, or send your API token (Authorization: Token …).")
    if isinstance(exc, exceptions.AuthenticationFailed):
        return _("This token or sign-in is not valid.")
    if isinstance(exc, exceptions.PermissionDenied):
        return _("You may not do this.")
    if isinstance(exc, exceptions.NotFound):
        return _("There is nothing here, or nothing you may see.")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _("This address does not accept this method.")
    if isinstance(exc, exceptions.NotAcceptable):
        return _("This address answers in JSON only.")
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return _("Send the request's body as JSON (Content-Type: application/json).")
    if isinstance(exc, exceptions.ParseError):
        return _("The request's body is not valid JSON.")
    if isinstance(exc, exceptions.Throttled):
        if exc.wait is not None:
            return _("Too many requests: try again in %(seconds)s seconds.") % {
                "seconds": max(1, round(exc.wait))
            }
        return _("Too many requests: try again later.")
    return _("The request could not be handled.")


def _validation_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): list(
                DjangoValidationError(errors).messages
            )
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": list(exc.messages)}


def handler(exc, context):
    """DRF's exception handler, with Lekhit's messages and the services' errors."""
    headers = {}
    if isinstance(exc, EditConflict):
        set_rollback()
        return Response({"detail": str(exc), "code": "conflict"}, status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        errors = _validation_errors(exc)
        detail = " ".join(message for messages in errors.values() for message in messages)
        return Response(
            {"detail": detail, "code": "invalid", "errors": errors}, status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, DjangoPermissionDenied):
        set_rollback()
        detail = str(exc) or _("You may not do this.")
        return Response({"detail": detail, "code": "permission_denied"}, status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if not isinstance(exc, exceptions.APIException):
        return None  # a server error: Django's handler, logged as such
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(max(1, round(exc.wait)))
    set_rollback()
    body = {"detail": _message(exc), "code": exc.default_code}
    if isinstance(exc, exceptions.ValidationError):
        body["detail"] = _("The request is not valid.")
        body["errors"] = (
            exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        )
    return Response(body, status=exc.status_code, headers=headers)
