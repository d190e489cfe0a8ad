"""When the database connection is lost: a translated 503 page, never a 500, nothing lost.

Django's connection health checks (``CONN_HEALTH_CHECKS``, set in ``project.env``) replace a
persistent connection that died between two requests before the next request uses it: the
person never notices. A connection that dies *during* a request (the server restarted, a
failover, an administrator's ``pg_terminate_backend``) cannot be saved: that request fails.
This middleware answers it with a page in the app's look and the person's language, status
503, instead of the bare "Server Error (500)".

What the person was doing is kept where sending it again is safe:

- a GET (or HEAD) page offers a "try again" link to the same address;
- a POST offers to send the same form again, its fields kept in the page (escaped, never
  re-sent by itself), but only when this request can be shown to have written nothing: every
  statement of the request is watched, and the offer is made only if no write was committed
  (autocommitted, or a transaction's commit that succeeded) and the failure is not one whose
  outcome is unknown (a lost connection during COMMIT, with writes in that transaction, may or
  may not have been applied). The services run in one transaction each, so a request that
  failed in a statement wrote nothing. Uploaded files cannot be kept: no offer then either.

A failure in a view (or its template) comes to ``process_exception``; one in another
middleware (the session read by the language middleware, or saved by the session middleware)
becomes Django's 500 response (or 400: a session that cannot be saved is reported as "deleted
during the request"); the statement that met the lost connection, or the
``got_request_exception`` signal, tells this middleware to replace it.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.functional import empty

logger = logging.getLogger(__name__)

# A lost connection, a server shutting down, a failover: errors of the connection, not of the
# query (IntegrityError, ProgrammingError and DataError remain bugs, and 500s). The driver's own
# too: a few paths let them through unwrapped (closing a server-side cursor, for one, as a
# filter's choices iterate a queryset: psycopg's AdminShutdown reached the handler as such).
_driver = connections[DEFAULT_DB_ALIAS].Database
CONNECTION_ERRORS = (
    OperationalError,
    InterfaceError,
    _driver.OperationalError,
    _driver.InterfaceError,
)
# Statements that change no row. Everything else counts as a write.
READ_ONLY_STATEMENTS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SHOW", "SET ")
SAFE_METHODS = {"GET", "HEAD"}
# Django's answers to a lost connection outside the view: 500, and 400 when the session could
# not be saved (its SessionInterrupted).
MISREPORTED = {400, 500}
TEMPLATE = "errors/database_unavailable.html"
RETRY_AFTER_SECONDS = 5


class WriteWatch:
    """An execute wrapper noting, for one request, whether it wrote anything for good."""

    def __init__(self, alias: str = DEFAULT_DB_ALIAS):
        self.connection = connections[alias]
        self.committed = False  # a write was committed: sending the form again would repeat it
        self.pending = False  # a write inside a transaction whose end is not known yet
        self.failed_statement = None  # the error a statement raised, if one did
        self.connection_error = None  # the last lost connection a statement met

    def __call__(self, execute, sql, params, many, context):
        try:
            result = execute(sql, params, many, context)
        except DatabaseError as error:
            self.failed_statement = error
            if isinstance(error, CONNECTION_ERRORS):
                self.connection_error = error
            raise
        if not str(sql).lstrip()[:9].upper().startswith(READ_ONLY_STATEMENTS):
            if self.connection.in_atomic_block:
                self.pending = True
                self.connection.on_commit(self._committed)
            else:
                self.committed = True
        return result

    def _committed(self):
        self.committed = True

    def wrote_nothing(self, error) -> bool:
        """True only if this request certainly changed nothing in the database."""
        if self.committed:
            return False
        if error is self.failed_statement:
            # A statement failed: its transaction ended with the connection, uncommitted.
            return True
        # The connection failed elsewhere (at COMMIT, say): unknown if there were writes.
        return not self.pending


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_note_connection_error, dispatch_uid=__name__)

    def __call__(self, request):
        watch = request._lekhit_write_watch = WriteWatch()
        with watch.connection.execute_wrapper(watch):
            response = self.get_response(request)
        error = getattr(request, "_lekhit_connection_error", None) or watch.connection_error
        if error is not None and response.status_code in MISREPORTED:
            # Raised outside the view, in another middleware: Django made it a 500 page, or,
            # for the session's save, a 400 ("the session was deleted"), which it was not.
            response = unavailable_response(request, error, watch)
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    def process_exception(self, request, exception):
        if not is_connection_error(exception):
            return None
        watch = getattr(request, "_lekhit_write_watch", None) or WriteWatch()
        logger.warning(
            "Database unavailable during %s %s: %s", request.method, request.path, exception
        )
        return unavailable_response(request, exception, watch)


def is_connection_error(error) -> bool:
    """The error, or one it was raised from or while handling, is a lost connection."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, CONNECTION_ERRORS):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _note_connection_error(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and is_connection_error(error):
        request._lekhit_connection_error = error


def _language(request) -> str:
    """The person's language without asking the database (which has just failed)."""
    supported = {code for code, _ in settings.LANGUAGES}
    language = getattr(request, "LANGUAGE_CODE", None)
    if language in supported:
        return language
    user = getattr(request, "user", None)
    loaded = getattr(user, "_wrapped", empty)  # request.user is lazy: never load it here
    if loaded is not empty and getattr(loaded, "language", None) in supported:
        return loaded.language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return cookie if cookie in supported else settings.LANGUAGE_CODE


def unavailable_response(request, error, watch: WriteWatch) -> HttpResponse:
    method = request.method
    fields, resend, files_lost = [], False, False
    if method == "POST":
        files_lost = bool(request.FILES)
        resend = not files_lost and watch.wrote_nothing(error)
        if resend:
            fields = [
                (name, value)
                for name, values in request.POST.lists()
                if name != "csrfmiddlewaretoken"
                for value in values
            ]
    context = {
        "request": request,
        "method": method,
        "address": request.get_full_path(),
        "retry_link": method in SAFE_METHODS,
        "resend": resend,
        "fields": fields,
        # What to show of them: the text, not the chosen options' numbers.
        "typed": [(name, value) for name, value in fields if value.strip() and not value.isdigit()],
        "files_lost": files_lost,
        "wrote_unknown": method not in SAFE_METHODS and not resend and not files_lost,
        # Rendered without the context processors: they read the session and the user, i.e.
        # the database. {% csrf_token %} needs only this.
        "csrf_token": get_token(request),
        "retry_after": RETRY_AFTER_SECONDS,
    }
    with translation.override(_language(request)):
        body = render_to_string(TEMPLATE, context)
        language = translation.get_language()
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Content-Language"] = language
    add_never_cache_headers(response)  # it may hold the person's text: never kept by a cache
    patch_vary_headers(response, ["Cookie"])
    return response
