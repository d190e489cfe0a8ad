from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisations.models import BilingualNameMixin, Organisation


class InstrumentType(BilingualNameMixin):
    """A kind of legal instrument (sub-decree, prakas, …): data, edited by the administrator."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    usual_signer_km = models.CharField(_("usual signer (Khmer)"), max_length=255, blank=True)
    usual_signer_en = models.CharField(_("usual signer (English)"), max_length=255, blank=True)
    reference_pattern = models.CharField(
        _("reference number pattern"),
        max_length=100,
        blank=True,
        help_text=_("How the registry numbers it; {number} stands for the sequence number."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("instrument type")
        verbose_name_plural = _("instrument types")
        ordering = ["order", "code"]


class Instrument(models.Model):
    """A legal instrument being drafted, consulted on and signed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        INTERNAL_REVIEW = "internal_review", _("Internal review")
        CONSULTATION = "consultation", _("Consultation")
        CONSOLIDATION = "consolidation", _("Consolidation")
        LEGAL_REVIEW = "legal_review", _("Legal review")
        SIGN_OFF = "sign_off", _("Awaiting sign-off")
        SIGNED = "signed", _("Signed")
        REGISTERED = "registered", _("Registered")
        REJECTED = "rejected", _("Rejected")

    instrument_type = models.ForeignKey(
        InstrumentType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="+"
    )
    title_km = models.CharField(_("title (Khmer)"), max_length=1000)
    title_en = models.CharField(_("title (English)"), max_length=1000, blank=True)
    owning_office = models.ForeignKey(
        Organisation, verbose_name=_("owning office"), on_delete=models.PROTECT, related_name="+"
    )
    lead_drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead drafter"),
        on_delete=models.PROTECT,
        related_name="led_instruments",
    )
    co_drafters = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-drafters"),
        blank=True,
        related_name="co_drafted_instruments",
    )
    sector = models.CharField(_("sector"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    reference_number = models.CharField(_("reference number"), max_length=100, blank=True)
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[co_drafters])

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["-updated_at"]

    def __str__(self):
        return self.title_km

    @property
    def title(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "km").startswith("en") and self.title_en:
            return self.title_en
        return self.title_km
