"""The index follows every save, in the saving transaction: receivers of the documents' and
the comments' own signals (the lower apps know nothing of search).

A Word draft's import writes its rows in bulk too, and says so (``documents.signals.
draft_written``): the draft is indexed again.

Deletions need no receiver: an entry of the working draft or of a comment is deleted with its
row (its foreign key cascades). The one write of text that sends no signal per row — restoring
a version, which inserts the provisions and the schedule in bulk — ends with a version of
reason "restored", whose receiver indexes the working draft again.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from documents.models import Instrument, Provision, ScheduleRow, Version
from documents.signals import draft_written
from search import indexing
from workflows.models import Comment


@receiver(post_save, sender=Instrument, dispatch_uid="search_instrument")
def instrument_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not {"title_km", "title_en"} & set(update_fields)):
        return
    indexing.index_title(instance)


@receiver(post_save, sender=Provision, dispatch_uid="search_provision")
def provision_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (
        update_fields is not None and not set(indexing.PROVISION_FIELDS) & set(update_fields)
    ):
        return
    indexing.index_provision(instance)


@receiver(post_save, sender=ScheduleRow, dispatch_uid="search_schedule_row")
def schedule_row_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.index_schedule_row(instance)


@receiver(post_save, sender=Comment, dispatch_uid="search_comment")
def comment_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.index_comment(instance)


@receiver(post_save, sender=Version, dispatch_uid="search_version")
def version_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw or not created:
        return
    if instance.reason == Version.Reason.RESTORED:
        indexing.index_draft(instance.instrument)
    indexing.index_version(instance)


@receiver(draft_written, dispatch_uid="search_draft_written")
def draft_bulk_written(sender, instrument, **kwargs):
    indexing.index_draft(instrument)
