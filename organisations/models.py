from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class BilingualNameMixin(models.Model):
    """A Khmer name (primary) and an English one; ``name`` answers in the active language."""

    name_km = models.CharField(_("name (Khmer)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)

    NAME_FIELDS = ("name_km", "name_en")
    """The fields ``__str__`` reads: what a list that names them needs."""

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "km").startswith("en"):
            return self.name_en or self.name_km
        return self.name_km or self.name_en


class Organisation(BilingualNameMixin):
    """A ministry, institution, department or office, as a tree.

    The tree is shallow (ministry › general department › department › office), so ancestors
    are walked in Python rather than kept in a materialised path.
    """

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        INSTITUTION = "institution", _("Institution")
        GENERAL_DEPARTMENT = "general_department", _("General department")
        DEPARTMENT = "department", _("Department")
        OFFICE = "office", _("Office")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["code"]

    def ancestors(self) -> list["Organisation"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]


class User(AbstractUser):
    """A person: member of one organisation, with roles (groups) and a supervisor."""

    class Language(models.TextChoices):
        KHMER = "km", "ភាសាខ្មែរ"
        ENGLISH = "en", "English"

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    supervisor = models.ForeignKey(
        "self",
        verbose_name=_("supervisor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervisees",
    )
    position = models.CharField(_("position"), max_length=255, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.KHMER
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    NAME_FIELDS = ("first_name", "last_name", "username")
    """The fields ``__str__`` reads: what a list that names people needs of their accounts."""

    def __str__(self):
        return self.display_name(self.first_name, self.last_name, self.username)

    @staticmethod
    def display_name(first_name: str, last_name: str, username: str) -> str:
        """How a person is named: their full name (``get_full_name``), else their username.
        Given the three columns, for a list that reads them without a model per person."""
        return f"{first_name} {last_name}".strip() or username

    def role_names(self) -> set[str]:
        """The user's roles, read once per user object (from its prefetched groups if any)."""
        if not hasattr(self, "_role_names"):
            self._role_names = {group.name for group in self.groups.all()}
        return self._role_names


class Delegation(models.Model):
    """While away, ``delegator`` lets ``delegate`` act for them; the record says "A for B"."""

    delegator = models.ForeignKey(
        User, verbose_name=_("away"), on_delete=models.CASCADE, related_name="delegations_given"
    )
    delegate = models.ForeignKey(
        User,
        verbose_name=_("acting"),
        on_delete=models.CASCADE,
        related_name="delegations_received",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Ending a delegation takes effect at that moment, not at the end of its last day; the
    # period stays as it was granted (``delegation_end``).
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="delegation_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~models.Q(delegate=models.F("delegator")),
                name="delegation_to_someone_else",
            ),
        ]
        indexes = [models.Index(fields=["delegate", "starts_on", "ends_on"])]

    def __str__(self):
        return f"{self.delegate} → {self.delegator} ({self.starts_on} – {self.ends_on})"


class RoleChange(models.Model):
    """Who changed whose roles (groups) and own permissions, from what to what, and when.

    Append-only: written by ``organisations.services.user_roles_set``, never changed or
    deleted; the admin shows it read-only. ``changed_by`` is empty for the command line.
    """

    person = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.PROTECT, related_name="role_changes"
    )
    changed_by = models.ForeignKey(
        User,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)
    roles_before = models.JSONField(_("roles before"), default=list)
    roles_after = models.JSONField(_("roles after"), default=list)
    permissions_before = models.JSONField(_("permissions before"), default=list)
    permissions_after = models.JSONField(_("permissions after"), default=list)

    class Meta:
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.person} ({self.changed_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A role change is recorded once and never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A role change is never deleted.")
