"""The instrument's text to download as DOCX, in the official layout (``export_docx``).

Read as the instrument's own pages read it: whoever may see the instrument's text (the
instrument policy's ``view``: the department) gets any of its versions or the working draft.
Anyone else gets a 404, its existence not told; a consulted ministry's version sent is
``workflows``' to serve (``workflows.permissions.version_policy``), not this page's.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from documents import export_docx, permissions, selectors


@require_GET
def instrument_docx(request, pk: int, version: str):
    """``version``: a version's pk, or "draft" for the working draft; ``?language=en`` for
    the English layout (Khmer otherwise, whatever the interface's language)."""
    instrument = get_object_or_404(
        permissions.instrument_policy.queryset(request.user, "view").select_related(
            "instrument_type"
        ),
        pk=pk,
    )
    if version == "draft":
        chosen = None
    elif version.isascii() and version.isdigit() and len(version) <= 18:
        chosen = selectors.version_of(instrument=instrument, pk=int(version))
        if chosen is None:  # not a version of this instrument
            raise Http404
    else:
        raise Http404
    return docx_download(request, instrument=instrument, version=chosen)


def docx_download(request, *, instrument, version) -> HttpResponse:
    """The instrument's ``version`` (None: the working draft) as a DOCX attachment, in the
    layout of ``?language=en`` (Khmer otherwise): for whichever view has checked that the
    person may have it."""
    language = "en" if request.GET.get("language") == "en" else "km"
    export = export_docx.export_of(instrument=instrument, version=version)
    response = HttpResponse(
        export_docx.instrument_docx(export, language=language),
        content_type=export_docx.CONTENT_TYPE,
    )
    response["Content-Disposition"] = content_disposition_header(
        True, export_docx.filename(export, language=language)
    )
    return response
