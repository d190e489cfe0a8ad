from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message in a person's bell: stored already written in their language.

    Rendered once, when sent, so that the list page never re-renders templates and shows
    exactly what the e-mail said. ``key`` (when given) makes sending idempotent: whatever
    asks twice for the same key gets the first notification back, never a second one.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # served by the (recipient, -created_at) index below
    )
    kind = models.CharField(_("kind"), max_length=32)
    instrument = models.ForeignKey(
        "documents.Instrument",
        verbose_name=_("instrument"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    task = models.ForeignKey(
        "viewflow.Task",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=500)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(_("delivery key"), max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_by_recipient"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at=None),
                name="notification_unread",
            ),
        ]

    def __str__(self):
        return self.title
