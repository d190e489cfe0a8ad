"""Import from Word: upload a DOCX draft, read the structure found, confirm.

The upload page reads the file (``documents.imports.draft_structure``) and shows the
preview: the provisions with their computed labels, the schedule rows, the lines left out
and those not placed. Nothing is written until the drafter confirms; the structure travels
to the confirmation signed by the server for this person (``forms_import``), so neither a
second upload nor trust in the browser is needed. Only those the instrument policy lets
create instruments may use either page.

An upload over the limit is not kept past it (``SizeLimit``): 100 MB is neither held in
memory nor written to disk whole.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from documents import imports, permissions
from documents.forms_import import PAYLOAD_MAX, ImportConfirmForm, ImportUploadForm, sign
from documents.import_docx import MAX_FILE_SIZE, too_large
from documents.models import InstrumentType, ScheduleRow
from documents.views import SCHEDULE_COLUMNS
from khmer.formats import format_date, format_number
from organisations.models import Organisation


class SizeLimit(FileUploadHandler):
    """Passes an upload's bytes on to the next handlers up to ``limit``, then drops the rest
    and says so (``exceeded``): the page refuses the file without having kept it."""

    def __init__(self, request=None, limit: int = MAX_FILE_SIZE):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            return None  # the handlers after this one get no more of it
        return raw_data

    def file_complete(self, file_size):
        return None


def _check_may_create(user) -> None:
    if not permissions.instrument_policy.user_may(user, "create"):
        raise PermissionDenied(_("Only drafters can create instruments."))


@csrf_exempt  # the CSRF check reads the body: it runs below, after the upload handler is set
def instrument_import(request):
    """The upload form (GET), or the preview of the file posted (POST)."""
    _check_may_create(request.user)
    limit = SizeLimit(request)
    request.upload_handlers.insert(0, limit)
    return _upload(request, limit)


@csrf_protect
def _upload(request, limit: SizeLimit):
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and limit.exceeded:
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", too_large())
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            structure = imports.draft_structure(data["file"].read())
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return _preview(request, form, structure)
    return TemplateResponse(request, "documents/import_upload.html", {"form": form})


def _preview(request, form: ImportUploadForm, structure: dict):
    data = form.cleaned_data
    problems = []
    try:
        imports.check_structure(structure, title_km=data["title_km"])
    except ValidationError as error:
        problems = error.messages
    payload = sign(
        {
            "user": request.user.pk,
            "instrument_type": data["instrument_type"].pk,
            "owning_office": data["owning_office"].pk,
            "title_km": data["title_km"],
            "title_en": data["title_en"],
            "structure": structure,
        }
    )
    if len(payload) > PAYLOAD_MAX:
        problems.append(
            _("This document is too long to import here: the administrator can import it.")
        )
    return TemplateResponse(
        request,
        "documents/import_preview.html",
        {
            "form": form,
            "instrument_type": data["instrument_type"],
            "owning_office": data["owning_office"],
            "title": data["title_km"] or structure["title"],
            "title_en": data["title_en"],
            "outline": imports.outline(structure, get_language()),
            "schedule_columns": SCHEDULE_COLUMNS,
            "numeric_columns": (5, 6, 8),  # staff, budget, date: never broken across lines
            "schedule": _schedule_rows(structure["schedule"]),
            "skipped": structure["skipped"],
            "unplaced": structure["unplaced"],
            "problems": problems,
            "confirm": None
            if problems
            else ImportConfirmForm(initial={"payload": payload}, user=request.user),
        },
    )


def _schedule_rows(rows: list[dict]) -> list[list[str]]:
    """The schedule rows found, each as the schedule page shows its cells."""
    names = {
        ministry.code: ministry.name
        for ministry in Organisation.objects.filter(code__in={r["from_ministry"] for r in rows})
    }
    return [
        [
            row["function_km"],
            names.get(row["from_ministry"], row["from_ministry"]),
            str(ScheduleRow.Level(row["level"]).label),
            row["legal_basis"],
            format_number(row["staff_count"]),
            format_number(row["budget_riel"]),
            row["assets"],
            format_date(date.fromisoformat(row["effective_date"]), long=False)
            if row["effective_date"]
            else "",
        ]
        for row in rows
    ]


@require_POST
def instrument_import_confirm(request):
    """Create the instrument the preview showed; back to the upload page if the preview can
    no longer be used."""
    _check_may_create(request.user)
    form = ImportConfirmForm(request.POST, user=request.user)
    if not form.is_valid():
        for error in form.errors.get("payload", [_("Upload the file again.")]):
            messages.error(request, error)
        return redirect(reverse("documents:import"))
    payload = form.cleaned_data["payload"]
    choices = ImportUploadForm(user=request.user).fields
    instrument_type = InstrumentType.objects.filter(pk=payload.get("instrument_type")).first()
    office = choices["owning_office"].queryset.filter(pk=payload.get("owning_office")).first()
    try:
        instrument = imports.instrument_import(
            user=request.user,
            instrument_type=instrument_type,
            owning_office=office,
            structure=payload.get("structure"),
            title_km=payload.get("title_km", ""),
            title_en=payload.get("title_en", ""),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(reverse("documents:import"))
    messages.success(request, _("The instrument has been created from the Word document."))
    return redirect(reverse("documents:instrument", args=[instrument.pk]))
