"""A consulted ministry's returned DOCX: its edits become proposed comments.

The reviewer uploads the version sent to them (its DOCX, from the process page) with their
edits in it, tracked or not; ``documents.imports.returned_changes`` aligns it to the version
sent, provision by provision, and each provision changed, struck out or added after another
becomes a proposed comment with its word diff. Nothing is saved until the reviewer, having
read and edited them, sends the ones they keep: each goes through ``services.comment_add``
(which checks again that they may comment, and on what), all in one transaction.

Only those the consultation policy lets comment on this consultation use either page; a
consultation they may not see is not found.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from documents import imports
from documents.import_docx import too_large
from documents.views_import import SizeLimit
from khmer.formats import format_number
from workflows import services
from workflows.models import Consultation
from workflows.permissions import consultation_policy

MAX_PROPOSALS = 1000


class ReturnedDocxForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Your edited Word document (.docx)"))


def _consultation(request, pk: int) -> Consultation:
    consultation = get_object_or_404(
        consultation_policy.queryset(request.user, "view").select_related(
            "round__version", "organisation"
        ),
        pk=pk,
    )
    if not consultation_policy.user_may(request.user, "comment", consultation):
        raise PermissionDenied(
            _("Only the ministry reviewers of the consulted organisation may do this.")
        )
    return consultation


def _proposal_text(change: dict) -> str:
    """The comment a change proposes, in plain words the drafter reads in the matrix."""
    if change["change"] == "deleted":
        return _("Proposed: strike out this provision.")
    if change["change"] == "added":
        return _("Proposed: add after this provision: %(text)s") % {"text": change["new"]}
    struck = " … ".join(text for op, text in change["diff"] if op == "delete" and text.strip())
    added = " … ".join(text for op, text in change["diff"] if op == "insert" and text.strip())
    lines = [_("Proposed wording: %(text)s") % {"text": change["new"]}]
    if struck:
        lines.append(_("Words struck out: %(words)s") % {"words": struck})
    if added:
        lines.append(_("Words added: %(words)s") % {"words": added})
    return "\n".join(lines)


@csrf_exempt  # the CSRF check reads the body: it runs below, after the upload handler is set
def returned_docx(request, pk: int):
    """The upload (GET), or the proposed comments read from the file posted (POST)."""
    consultation = _consultation(request, pk)
    limit = SizeLimit(request)
    request.upload_handlers.insert(0, limit)
    return _returned_docx(request, consultation, limit)


@csrf_protect
def _returned_docx(request, consultation: Consultation, limit: SizeLimit):
    form = ReturnedDocxForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and limit.exceeded:
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", too_large())
    elif request.method == "POST" and form.is_valid():
        try:
            changes = imports.returned_changes(
                snapshot=consultation.round.version.snapshot,
                data=form.cleaned_data["file"].read(),
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            for change in changes:
                change["text"] = _proposal_text(change)
            return TemplateResponse(
                request,
                "workflows/returned_proposals.html",
                {
                    "consultation": consultation,
                    "changes": changes[:MAX_PROPOSALS],
                    "next": _next(request, consultation),
                },
            )
    return TemplateResponse(
        request,
        "workflows/returned_upload.html",
        {"consultation": consultation, "form": form, "next": _next(request, consultation)},
    )


@require_POST
def returned_docx_send(request, pk: int):
    """Save the proposed comments the reviewer kept, as they edited them: all, or none."""
    consultation = _consultation(request, pk)
    try:
        count = min(int(request.POST.get("count", "0")), MAX_PROPOSALS)
    except ValueError:
        count = 0
    kept = [
        (request.POST.get(f"uid-{n}") or None, request.POST.get(f"text-{n}", ""))
        for n in range(count)
        if request.POST.get(f"send-{n}")
    ]
    if not kept:
        messages.error(request, _("No comment was kept: nothing was sent."))
        return redirect(reverse("workflows:returned_docx", args=[consultation.pk]))
    try:
        with transaction.atomic():
            for uid, text in kept:
                services.comment_add(
                    consultation=consultation, user=request.user, text=text, provision_uid=uid
                )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("workflows:returned_docx", args=[consultation.pk]))
    messages.success(
        request,
        ngettext(
            "%(count)s comment from your Word document is saved.",
            "%(count)s comments from your Word document are saved.",
            len(kept),
        )
        % {"count": format_number(len(kept))},
    )
    return redirect(_next(request, consultation))


def _next(request, consultation: Consultation) -> str:
    """Where the reviewer came from (their task page), if on this site; else the process
    page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("workflows:instrument_process", args=[consultation.round.version.instrument_id])
