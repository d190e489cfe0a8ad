"""The comment–response matrix to download: one round, or every round of the process, as
XLSX or DOCX. A file holds exactly what the reader's matrix page shows them, because both
gather the matrix through ``matrix_read``. And the comparison page's table (តារាងប្រៀបធៀប),
with the reasons from the matrix answers the reader may see."""

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from documents import export_pdf
from documents import selectors as documents
from documents.models import Version
from documents.permissions import instrument_policy
from documents.views_exports import pdf_unavailable
from khmer.formats import reader_digits
from workflows import exports, exports_comparison, selectors
from workflows.models import ApprovalProcess, ConsultationRound
from workflows.permissions import comment_policy, process_policy, round_policy


@dataclass(frozen=True)
class MatrixRead:
    """The matrix as one reader may see it."""

    process: ApprovalProcess
    rounds: list[ConsultationRound]
    rows: list[dict]  # selectors.matrix_rows
    answers_shown: frozenset[int]  # the rounds (by number) whose answers the reader may see
    results_pending: frozenset[int]  # of those, the rounds with no resulting text to show yet


def matrix_read(user, *, process_pk: int, round_number: int | None = None) -> MatrixRead:
    """One round's matrix (every round's when ``round_number`` is None), as ``user`` may see
    it. Outside the department: before the director publishes a round's matrix, only the
    reader's own organisation's comments, without the drafters' answers; the resulting text
    only ever from a frozen version, never the working draft. 404 for a process the user may
    not see, or a round it does not have."""
    process = get_object_or_404(process_policy.queryset(user, "view"), pk=process_pk)
    rounds = process.rounds.select_related("version", "instrument__instrument_type")
    if round_number is None:
        rounds = list(rounds.order_by("number"))
    else:
        rounds = [get_object_or_404(rounds, number=round_number)]
    comments = comment_policy.queryset(user, "view").filter(consultation__round__in=rounds)
    results = {}
    working_draft = None  # asked once, and only if some answers are to be shown
    for consultation_round in rounds:
        if round_policy.user_may(user, "view_answers", consultation_round):
            if working_draft is None:
                working_draft = process_policy.user_may(user, "view_record", process)
            results[consultation_round.number] = selectors.round_result(
                consultation_round=consultation_round, working_draft=working_draft
            )
    return MatrixRead(
        process=process,
        rounds=rounds,
        rows=selectors.matrix_rows(comments, language=get_language(), results=results),
        answers_shown=frozenset(results),
        results_pending=frozenset(n for n, result in results.items() if result is None),
    )


FORMATS = {
    "xlsx": (
        exports.matrix_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "docx": (
        exports.matrix_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}


@require_GET
def matrix_export(request, process_pk: int, file_format: str, round_number: int | None = None):
    """The matrix page's rows as a file: of one round, or of all the process's rounds (with
    no ``round_number``), with the headings in the reader's language."""
    if file_format not in FORMATS:
        raise Http404
    build, content_type = FORMATS[file_format]
    read = matrix_read(request.user, process_pk=process_pk, round_number=round_number)
    if round_number is None:
        scope, name = _("All rounds"), "all-rounds"
    else:
        shown = reader_digits(round_number)
        scope, name = _("Round %(round)s") % {"round": shown}, f"round-{round_number}"
    content = build(
        exports.MatrixFile(
            title=read.process.instrument.title,
            scope=scope,
            made_on=timezone.localdate(),
            lines=exports.matrix_lines(read.rows, answers_shown=read.answers_shown),
        )
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, f"matrix-{read.process.pk}-{name}.{file_format}"
    )
    return response


# --- The comparison table -----------------------------------------------------------------


def comparison_answers(
    user, *, instrument, old_version, new_version, uids: set[str]
) -> dict[str, list[exports_comparison.Answer]]:
    """The drafters' answers that give the reasons for the changes between two versions
    (None: the working draft), by provision uid: the answered comments of the rounds that
    sent a version from the older of the two up to (not including) the newer, on that
    provision or whose answer says it changed it. Only the comments ``user`` may see, of
    rounds whose answers they may see, as in their matrix. One query."""
    numbers = [version.number for version in (old_version, new_version) if version is not None]
    if not numbers:  # the working draft against itself: no round between
        return {}
    lowest = min(numbers)
    highest = max(numbers) if len(numbers) == 2 else None  # None: up to the working draft
    rounds = round_policy.queryset(user, "view_answers").filter(
        instrument=instrument, version__number__gte=lowest
    )
    if highest is not None:
        rounds = rounds.filter(version__number__lt=highest)
    comments = (
        comment_policy.queryset(user, "view")
        .filter(consultation__round__in=rounds)
        .exclude(disposition="")
        .select_related("consultation__organisation")
        .order_by("consultation__round__number", "consultation__organisation__code", "pk")
    )
    answers: dict[str, list[exports_comparison.Answer]] = {}
    for comment in comments:
        answer = exports_comparison.Answer(
            organisation=str(comment.consultation.organisation),
            disposition=comment.get_disposition_display(),
            response=comment.response,
        )
        about = {str(uid) for uid in comment.changed_provisions}
        if comment.provision_uid is not None:
            about.add(str(comment.provision_uid))
        for uid in sorted(about & uids):
            answers.setdefault(uid, []).append(answer)
    return answers


def _version_name(version) -> str:
    if version is None:
        return _("Working draft")
    return str(version)  # its number in the reader's digits, its name in their language


@require_GET
def comparison_export(request, pk: int, file_format: str = "docx"):
    """The comparison page's two texts (``?a=`` and ``?b=``, a version's pk or "draft",
    defaulting as the page does) as the comparison table: the changed provisions, or every
    one with ``?all=1``; as DOCX, or as PDF (``file_format``). For whoever may open the
    page; 404 otherwise, or for a version of another instrument."""
    instrument = get_object_or_404(instrument_policy.queryset(request.user, "view"), pk=pk)
    latest = Version.objects.filter(instrument=instrument).order_by("-number").values("pk").first()
    a = request.GET.get("a") or (str(latest["pk"]) if latest else "draft")
    b = request.GET.get("b") or "draft"
    snapshots = documents.snapshots_to_compare(instrument=instrument, keys=[a, b])
    if snapshots is None:
        raise Http404
    (_old, old_version), (_new, new_version) = snapshots[a], snapshots[b]
    comparison = documents.comparison_of(snapshots[a], snapshots[b])
    every = request.GET.get("all") == "1"
    rows = [row for row in comparison.provisions if every or exports_comparison.is_changed(row)]
    today = timezone.localdate()
    build = (
        exports_comparison.comparison_pdf
        if file_format == "pdf"
        else (exports_comparison.comparison_docx)
    )
    comparison_file = exports_comparison.ComparisonFile(
        title=instrument.title,
        old=_version_name(old_version),
        old_date=old_version.created_at if old_version else today,
        new=_version_name(new_version),
        new_date=new_version.created_at if new_version else today,
        rows=rows,
        answers=comparison_answers(
            request.user,
            instrument=instrument,
            old_version=old_version,
            new_version=new_version,
            uids={row.uid for row in rows},
        ),
    )
    try:
        content = build(comparison_file)
    except export_pdf.RenderError:
        return pdf_unavailable(request, instrument=instrument, version=new_version)
    content_type = "application/pdf" if file_format == "pdf" else FORMATS["docx"][1]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, f"comparison-{instrument.pk}-{a}-{b}.{file_format}"
    )
    return response


@require_GET
def version_docx(request, pk: int, version_pk: int):
    """A version as DOCX in the official layout, to whoever may see that version (the version
    policy's ``view``): a consulted ministry's reviewer gets the versions sent to them, as the
    process page offers them. 404 to anyone else, or for a version of another instrument.
    ``?language=en`` for the English layout."""
    from documents.views_exports import docx_download
    from workflows.permissions import version_policy

    version = get_object_or_404(
        version_policy.queryset(request.user, "view").select_related("instrument__instrument_type"),
        pk=version_pk,
        instrument_id=pk,
    )
    return docx_download(request, instrument=version.instrument, version=version)


@require_GET
def version_pdf(request, pk: int, version_pk: int):
    """As ``version_docx``, as PDF: a signed version's is the PDF kept at the signature."""
    from documents.views_exports import pdf_download
    from workflows.permissions import version_policy

    version = get_object_or_404(
        version_policy.queryset(request.user, "view").select_related("instrument__instrument_type"),
        pk=version_pk,
        instrument_id=pk,
    )
    return pdf_download(request, instrument=version.instrument, version=version)
