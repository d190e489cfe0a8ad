import re
import uuid
from functools import cache

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from documents.errors import ImmutableVersionError
from khmer.formats import reader_digits
from organisations.models import BilingualNameMixin, Organisation

# The names the process gives the versions it saves, in the language of whoever acted then;
# shown in the reader's language (``Version.display_label``).
AUTOMATIC_VERSION_LABELS = [
    gettext_noop("Submitted for review"),
    gettext_noop("Resubmitted for review"),
    gettext_noop("Consolidated text"),
    gettext_noop("Signed"),
]
NUMBERED_VERSION_LABELS = {
    "consultation": gettext_noop("Sent for consultation, round %(number)s"),
    "restored": gettext_noop("Restored from version %(number)s"),
}
_DIGITS = re.compile(r"[0-9០-៩]+")


@cache
def _automatic_label(label: str) -> str | None:
    """The message a stored automatic label was written from, in any of our languages."""
    for msgid in AUTOMATIC_VERSION_LABELS:
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                if gettext(msgid) == label:
                    return msgid
    return None


def in_reading_language(khmer: str, english: str) -> str:
    """A text kept in both languages, as the reader reads: the English in English where
    there is one, else the Khmer (the instrument's own language)."""
    if (get_language() or "km").startswith("en") and english:
        return english
    return khmer


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

    # The official layout (``documents.export_docx``): what the printed instrument says that
    # differs from type to type. Blank: the fallback each help text gives.
    class DatePosition(models.TextChoices):
        END = "end", _("After the text, above the signature")
        TOP = "top", _("At the top, under the national heading")

    title_word_km = models.CharField(
        _("title word (Khmer)"),
        max_length=100,
        blank=True,
        help_text=_("The word the document is headed with (អនុក្រឹត្យ…); blank: the name."),
    )
    title_word_en = models.CharField(
        _("title word (English)"),
        max_length=100,
        blank=True,
        help_text=_("Blank: the English name."),
    )
    deciding_word_km = models.CharField(
        _("deciding word (Khmer)"),
        max_length=100,
        blank=True,
        help_text=_("The word between the preamble and the text (សម្រេច, ប្រកាស…); blank: សម្រេច."),
    )
    deciding_word_en = models.CharField(
        _("deciding word (English)"),
        max_length=100,
        blank=True,
        help_text=_("Blank: “Decides”."),
    )
    issuing_authority_km = models.CharField(
        _("issuing authority (Khmer)"),
        max_length=255,
        blank=True,
        help_text=_("Written at the top left (រាជរដ្ឋាភិបាល, ក្រសួងមហាផ្ទៃ…); blank: none."),
    )
    issuing_authority_en = models.CharField(
        _("issuing authority (English)"),
        max_length=255,
        blank=True,
        help_text=_("Blank: the Khmer one."),
    )
    date_position = models.CharField(
        _("where the dates stand"),
        max_length=8,
        choices=DatePosition.choices,
        default=DatePosition.END,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("instrument type")
        verbose_name_plural = _("instrument types")
        ordering = ["order", "code"]


class ReferenceCounter(models.Model):
    """How many instruments of a type the registry has numbered in a year.

    The next reference number is read from this one row, not counted over every registered
    instrument; registering takes the row's lock, so two registrations of one type queue up
    and never see the same count.
    """

    instrument_type = models.ForeignKey(
        InstrumentType,
        verbose_name=_("instrument type"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    registered = models.PositiveIntegerField(_("registered"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument_type", "year"], name="one_reference_counter_per_type_year"
            )
        ]

    def __str__(self):
        return f"{self.instrument_type} {self.year}: {self.registered}"


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
    # Who receives the signed instrument (កន្លែងទទួល), one per line, printed under the signer.
    recipients_km = models.TextField(_("recipients (Khmer)"), max_length=4000, blank=True)
    recipients_en = models.TextField(_("recipients (English)"), max_length=4000, blank=True)
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    reference_number = models.CharField(_("reference number"), max_length=100, blank=True)
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("edit counter"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[co_drafters])

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        # Newest first, the pk breaking ties, so that the list's ORDER BY … LIMIT walks one
        # index and stops at its page.
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["-updated_at", "-id"], name="instrument_list_order")]
        constraints = [
            # The registry never gives one number twice within a type.
            models.UniqueConstraint(
                fields=["instrument_type", "reference_number"],
                condition=~models.Q(reference_number=""),
                name="reference_number_unique_per_type",
            )
        ]

    def __str__(self):
        return self.title_km

    def get_status_display(self) -> str:
        """The status's name in the reader's language, as Django's would give it, without
        rebuilding the field's every choice on each call (80 µs, once a row of a list)."""
        try:
            return str(self.Status(self.status).label)
        except ValueError:
            return str(self.status)

    @property
    def title(self) -> str:
        return in_reading_language(self.title_km, self.title_en)


class Provision(models.Model):
    """One piece of an instrument's text: a preamble line, chapter, section, article, paragraph
    or annex.

    ``uid`` is the provision's identity: it survives edits, moves and renumbering, and is what
    comments, responses and comparisons attach to. Numbers ("មាត្រា ១២") are never stored:
    they are computed from the order (``documents.numbering``).
    """

    class Kind(models.TextChoices):
        PREAMBLE = "preamble_item", _("Preamble reference")
        PART = "part", _("Part")
        CHAPTER = "chapter", _("Chapter")
        SECTION = "section", _("Section")
        ARTICLE = "article", _("Article")
        PARAGRAPH = "paragraph", _("Paragraph")
        ANNEX = "annex", _("Annex")

    uid = models.UUIDField(_("identity"), default=uuid.uuid4, unique=True, editable=False)
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument"),
        on_delete=models.CASCADE,
        related_name="provisions",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    position = models.PositiveIntegerField(_("position among its siblings"))
    heading_km = models.CharField(_("heading (Khmer)"), max_length=500, blank=True)
    heading_en = models.CharField(_("heading (English)"), max_length=500, blank=True)
    text_km = models.TextField(_("text (Khmer)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    cites = models.ForeignKey(
        Instrument,
        verbose_name=_("cites"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cited_by",
        help_text=_("For a preamble reference: the instrument it cites, if it is in Lekhit."),
    )
    lock_version = models.PositiveIntegerField(_("edit counter"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        ordering = ["instrument", "parent_id", "position"]
        indexes = [models.Index(fields=["instrument", "parent", "position"])]

    def __str__(self):
        return self.heading_km or self.text_km[:60] or str(self.uid)


class ScheduleRow(models.Model):
    """One function transferred by the instrument: the rows of its transfer schedule (annex)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Capital / province")
        DISTRICT = "district", _("Municipality / district / khan")
        COMMUNE = "commune", _("Commune / sangkat")

    uid = models.UUIDField(_("identity"), default=uuid.uuid4, unique=True, editable=False)
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument"),
        on_delete=models.CASCADE,
        related_name="schedule_rows",
    )
    position = models.PositiveIntegerField(_("order"))
    function_km = models.TextField(_("function transferred (Khmer)"), max_length=2000)
    function_en = models.TextField(_("function transferred (English)"), max_length=2000, blank=True)
    from_ministry = models.ForeignKey(
        Organisation,
        verbose_name=_("from ministry"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.CharField(_("to level"), max_length=16, choices=Level.choices)
    legal_basis = models.TextField(_("legal basis"), max_length=2000, blank=True)
    staff_count = models.PositiveIntegerField(_("staff"), default=0)
    budget_riel = models.PositiveBigIntegerField(_("budget (riel)"), default=0)
    assets = models.TextField(_("assets"), max_length=2000, blank=True)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("edit counter"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transfer schedule row")
        verbose_name_plural = _("transfer schedule rows")
        ordering = ["instrument", "position"]

    def __str__(self):
        return self.function_km[:80]

    @property
    def function(self) -> str:
        return in_reading_language(self.function_km, self.function_en)


class Version(models.Model):
    """A named, immutable snapshot of the whole instrument (text and schedule).

    The database itself refuses to update or delete a version (triggers added in migration
    0004), so no code path — admin, shell, bug — can change what was sent or signed.
    """

    class Reason(models.TextChoices):
        MANUAL = "manual", _("Saved by hand")
        SUBMITTED = "submitted", _("Submitted for review")
        CONSULTATION = "consultation", _("Sent for consultation")
        SIGNED = "signed", _("Signed")
        RESTORED = "restored", _("Restored from an earlier version")

    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    label = models.CharField(_("name"), max_length=255)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    snapshot = models.JSONField(_("snapshot"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    restored_from = models.ForeignKey(
        "self",
        verbose_name=_("restored from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("made"), auto_now_add=True)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="version_number_unique")
        ]

    def __str__(self):
        return gettext("Version %(number)s: %(label)s") % {
            "number": reader_digits(self.number),
            "label": self.display_label,
        }

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableVersionError(_("A saved version can never be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableVersionError(_("A saved version can never be deleted."))

    @property
    def display_label(self) -> str:
        """The version's name in the reader's language when the process named it (a name
        typed by hand stays as typed)."""
        if self.reason == self.Reason.MANUAL:
            return self.label
        numbered = NUMBERED_VERSION_LABELS.get(self.reason)
        if numbered:
            number = _DIGITS.search(self.label)
            if not number:
                return self.label
            value = number.group().translate(str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789"))
            return gettext(numbered) % {"number": reader_digits(value)}
        msgid = _automatic_label(self.label)
        return gettext(msgid) if msgid else self.label


class VersionPdf(models.Model):
    """The PDF of a signed version, printed once at the sign-off and kept: every later
    download of that version gives these very bytes, the file the registry filed.

    Like a version, the database refuses to change or delete it (migration 0010)."""

    version = models.OneToOneField(
        Version, verbose_name=_("version"), on_delete=models.PROTECT, related_name="pdf"
    )
    content = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("made"), auto_now_add=True)

    class Meta:
        verbose_name = _("signed PDF")
        verbose_name_plural = _("signed PDFs")

    def __str__(self):
        return str(self.version)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableVersionError(_("A signed version's PDF can never be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableVersionError(_("A signed version's PDF can never be deleted."))
