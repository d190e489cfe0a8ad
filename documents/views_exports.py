"""The instrument's text to download as DOCX or PDF, in the official layout (``export_docx``,
``export_pdf``).

Read as the instrument's own pages read it: whoever may see the instrument's text (the
instrument policy's ``view``: the department) gets any of its versions or the working draft.
Anyone else gets a 404, its existence not told; a consulted ministry's version sent is
``workflows``' to serve (``workflows.permissions.version_policy``), not this page's.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from documents import export_docx, export_pdf, official, permissions, selectors


def _instrument_and_version(request, pk: int, version: str):
    """The instrument the person may see, and its version named by pk ("draft": None)."""
    instrument = get_object_or_404(
        permissions.instrument_policy.queryset(request.user, "view").select_related(
            "instrument_type"
        ),
        pk=pk,
    )
    if version == "draft":
        return instrument, None
    if version.isascii() and version.isdigit() and len(version) <= 18:
        chosen = selectors.version_of(instrument=instrument, pk=int(version))
        if chosen is not None:
            return instrument, chosen
    raise Http404  # not a version of this instrument


@require_GET
def instrument_docx(request, pk: int, version: str):
    """``version``: a version's pk, or "draft" for the working draft; ``?language=en`` for
    the English layout (Khmer otherwise, whatever the interface's language)."""
    instrument, chosen = _instrument_and_version(request, pk, version)
    return docx_download(request, instrument=instrument, version=chosen)


@require_GET
def instrument_pdf(request, pk: int, version: str):
    """As ``instrument_docx``, as PDF."""
    instrument, chosen = _instrument_and_version(request, pk, version)
    return pdf_download(request, instrument=instrument, version=chosen)


def _language(request) -> str:
    return "en" if request.GET.get("language") == "en" else "km"


def docx_download(request, *, instrument, version) -> HttpResponse:
    """The instrument's ``version`` (None: the working draft) as a DOCX attachment, in the
    layout of ``?language=en`` (Khmer otherwise): for whichever view has checked that the
    person may have it."""
    language = _language(request)
    export = official.export_of(instrument=instrument, version=version)
    response = HttpResponse(
        export_docx.instrument_docx(export, language=language),
        content_type=export_docx.CONTENT_TYPE,
    )
    response["Content-Disposition"] = content_disposition_header(
        True, export_docx.filename(export, language=language)
    )
    return response


def pdf_download(request, *, instrument, version) -> HttpResponse:
    """As ``docx_download``, as PDF. A signed version's Khmer PDF is the one kept at the
    signature, byte for byte; anything else is printed now."""
    language = _language(request)
    export = official.export_of(instrument=instrument, version=version)
    try:
        content = export_pdf.kept_pdf(version) if language == "km" else None
        if content is None:
            content = export_pdf.instrument_pdf(export, language=language)
    except (export_pdf.RenderError, export_pdf.PdfUnavailable):
        return pdf_unavailable(request, instrument=instrument, version=version)
    response = HttpResponse(content, content_type=export_pdf.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, export_pdf.filename(export, language=language)
    )
    return response


def pdf_unavailable(request, *, instrument, version) -> HttpResponse:
    """No PDF can be printed just now (no Chromium on this server, or it failed): say so, in
    the reader's language, and offer the Word file instead (503: try again later)."""
    return TemplateResponse(
        request,
        "documents/pdf_unavailable.html",
        {
            "instrument": instrument,
            "version_key": version.pk if version else "draft",
            "message": _("The PDF cannot be printed on this server just now: try again later."),
        },
        status=503,
    )
