"""Celery jobs of the process. Each takes plain values, calls one service, owns its retries."""

from celery import shared_task


@shared_task(name="workflows.round_close", ignore_result=True)
def round_close(round_id: int) -> int:
    """Close a round past its deadline through the process's own service and lock (enqueued by
    time's sweep, through ``workflows.deadlines.rounds_at_deadline``)."""
    from workflows.deadlines import round_close_at_deadline

    return round_close_at_deadline(round_id=round_id)
