"""Celery jobs of the process. Each takes plain values, calls one service, owns its retries."""

from celery import shared_task
from django.core.exceptions import ValidationError


@shared_task(name="workflows.round_close", ignore_result=True)
def round_close(round_id: int) -> int:
    """Close a round past its deadline through the process's own service and lock (enqueued by
    time's sweep, through ``workflows.deadlines.rounds_at_deadline``)."""
    from workflows.deadlines import round_close_at_deadline

    return round_close_at_deadline(round_id=round_id)


@shared_task(
    name="workflows.signed_pdf_keep",
    ignore_result=True,
    autoretry_for=(ValidationError,),
    retry_backoff=30,
    max_retries=8,
)
def signed_pdf_keep(version_id: int) -> None:
    """Print a signed version's PDF and keep it (enqueued by the sign-off after its commit);
    nothing to do if a download kept it first. Retried while the printer fails."""
    from documents.export_pdf import version_pdf_keep
    from documents.models import Version

    version = Version.objects.filter(pk=version_id).first()
    if version is not None:
        version_pdf_keep(version=version)
