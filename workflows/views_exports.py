"""The comment–response matrix to download: one round, or every round of the process, as
XLSX or DOCX. A file holds exactly what the reader's matrix page shows them, because both
gather the matrix through ``matrix_read``."""

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from khmer.formats import is_khmer, khmer_digits
from workflows import exports, selectors
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
        shown = khmer_digits(round_number) if is_khmer() else round_number
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
