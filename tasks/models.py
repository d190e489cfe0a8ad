from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """When beat last sent, and a worker last ran, the periodic heartbeat job.

    Kept in the database (not the cache) so that the web process sees what the worker and beat
    processes wrote, with or without Redis.
    """

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    sent_at = models.DateTimeField(_("sent by beat"))
    received_at = models.DateTimeField(_("run by a worker"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return self.name
