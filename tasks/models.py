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


class CalendarDay(models.Model):
    """An administrator's correction to the working-day calendar.

    Cambodian public holidays come from the ``holidays`` package; the government also declares
    extra days off (and, rarely, makes a weekend day a working day). Each such day is a row:
    ``is_working_day`` False adds a holiday, True removes one (or opens a weekend day).
    """

    day = models.DateField(_("day"), unique=True)
    is_working_day = models.BooleanField(_("working day"), default=False)
    name_km = models.CharField(_("name (Khmer)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]

    def __str__(self):
        return str(self.day)
