"""The search index: one row per piece a person can find.

A piece is an instrument's title, a provision or a transfer-schedule row of the working draft,
a provision or a schedule row of a version sent for consultation or signed (read from its
snapshot), or a consulted organisation's comment. Each row keeps the text as typed (for the
snippet) and ``keys``: the keys of its words (``search.normalise``), space-joined, in order.

The database searches the keys: on PostgreSQL a ``simple`` tsvector of them (filled by a
trigger from ``keys``, with positions, so phrases match as sequences) with a GIN index, and a
pg_trgm GIN index on ``keys`` for words inside longer words; on SQLite an FTS5 table over
``keys`` kept in step by triggers. Both are made by migration 0001 for their database only.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from documents.models import Instrument, Provision, ScheduleRow, Version
from organisations.models import Organisation
from workflows.models import Comment


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        TITLE = "title", _("Title")
        PROVISION = "provision", _("Provision")
        SCHEDULE_ROW = "schedule_row", _("Transfer schedule row")
        COMMENT = "comment", _("Comment")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.CASCADE, related_name="+"
    )
    # The version whose snapshot the piece comes from; none for the working draft. A comment
    # points at the version its round sent.
    version = models.ForeignKey(
        Version, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The working draft's own rows: a deletion takes the entry with it.
    provision = models.ForeignKey(
        Provision, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    schedule_row = models.ForeignKey(
        ScheduleRow, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The provision the piece is (or the comment is on); a schedule row's own uid.
    provision_uid = models.UUIDField(_("provision"), null=True, blank=True)
    # For a version's provision or a comment: its kind and number when it was sent (the
    # working draft's are numbered when shown, its order may have changed since).
    provision_kind = models.CharField(max_length=16, blank=True)
    provision_number = models.CharField(max_length=16, blank=True)
    # A comment's organisation; a schedule row's ministry.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("text"))
    keys = models.TextField(editable=False)
    vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        indexes = [models.Index(fields=["instrument", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["provision"],
                condition=models.Q(provision__isnull=False),
                name="search_one_per_provision",
            ),
            models.UniqueConstraint(
                fields=["schedule_row"],
                condition=models.Q(schedule_row__isnull=False),
                name="search_one_per_schedule_row",
            ),
            models.UniqueConstraint(
                fields=["comment"],
                condition=models.Q(comment__isnull=False),
                name="search_one_per_comment",
            ),
        ]

    def __str__(self):
        return self.text[:80]
