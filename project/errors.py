"""Lekhit's 403, 404 and 500 pages: in the person's language, in the application's frame
(403 and 404), with the way back to their work.

A refusal explains itself when Lekhit's own code gave the reason (the policies' and services'
messages, translated). Viewflow's internal refusals never reach a person: its task views
turn an illegal transition into ``PermissionDenied('Start :: no transition from "DONE"')``,
a developer's message in English. Those are told apart by where the exception was raised —
inside viewflow's package — and replaced by a translated explanation. A 404's message is
never shown (Django's and viewflow's are internal: "No task matches the given query.").
"""

import logging
import traceback
from pathlib import Path

import viewflow
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from project.frame import frame

logger = logging.getLogger(__name__)

_VIEWFLOW = str(Path(viewflow.__file__).resolve().parent)


def _raised_inside_viewflow(exception: BaseException) -> bool:
    frames = traceback.extract_tb(exception.__traceback__) if exception.__traceback__ else []
    return bool(frames) and str(Path(frames[-1].filename).resolve()).startswith(_VIEWFLOW)


def refusal_message(exception: BaseException | None) -> str:
    """What a 403 tells the person: our own reason, or a translated general one."""
    message = str(exception) if exception is not None and exception.args else ""
    if message and not _raised_inside_viewflow(exception):
        return message
    if message:  # viewflow's own words (a transition refused): logged, not shown
        logger.info("viewflow refused: %s", message)
        return _(
            "This step is already done, or it is not open to you. Your inbox shows the work "
            "waiting for you."
        )
    return _("You may not open this page.")


def forbidden(request, exception=None) -> HttpResponse:
    frame(request)
    return render(request, "errors/403.html", {"message": refusal_message(exception)}, status=403)


def not_found(request, exception=None) -> HttpResponse:
    frame(request)
    return render(request, "errors/404.html", status=404)


def server_error(request) -> HttpResponse:
    """A plain page with our fonts and no context processors: whatever failed (the
    database, the session, a template tag) is not asked again."""
    try:
        return HttpResponseServerError(loader.get_template("errors/500.html").render({}))
    except Exception:  # the error page must answer whatever broke
        logger.exception("the 500 page could not be drawn")
        return HttpResponseServerError(
            "<!doctype html><title>500</title><p>Lekhit: an error occurred.</p>",
        )
