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
    # In the bell at once, by e-mail and Telegram in the next morning digest (the recipient's
    # preference for its kind); ``digested_at`` says when that digest went.
    deferred = models.BooleanField(_("kept for the morning digest"), default=False)
    digested_at = models.DateTimeField(_("sent in the digest"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The list's order, its tie-breaker included, so that ORDER BY … LIMIT 25 reads
            # 25 index entries instead of sorting all of a heavy recipient's rows.
            models.Index(
                fields=["recipient", "-created_at", "-id"], name="notification_list_order"
            ),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at=None),
                name="notification_unread",
            ),
            models.Index(
                fields=["recipient"],
                condition=models.Q(deferred=True, digested_at=None),
                name="notification_for_digest",
            ),
        ]

    def __str__(self):
        return self.title


class Topic(models.TextChoices):
    """What a person chooses how to hear about: each event of the process, and the deadlines'
    reminders and escalations together."""

    TASK_ASSIGNED = "task_assigned", _("A task for me (assigned, or waiting for my role)")
    ROUND_OPENED = "round_opened", _("A consultation opened for my organisation")
    DRAFT_RETURNED = "draft_returned", _("A draft of mine returned, with the reason")
    MATRIX_PUBLISHED = "matrix_published", _("A comment–response matrix published")
    INSTRUMENT_SIGNED = "instrument_signed", _("An instrument signed")
    REMINDERS = "reminders", _("Deadlines: reminders and escalations")


class Timing(models.TextChoices):
    NOW = "now", _("Immediately")
    DIGEST = "digest", _("In the morning digest")


class Preference(models.Model):
    """How one person hears about one topic; no row means: immediately, by e-mail and (once
    linked) on Telegram. The bell always shows it, at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        db_index=False,  # served by the UNIQUE (user, topic)
    )
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)
    timing = models.CharField(_("when"), max_length=16, choices=Timing.choices, default=Timing.NOW)
    email = models.BooleanField(_("by e-mail"), default=True)
    telegram = models.BooleanField(_("on Telegram"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="one_preference_per_topic")
        ]

    def __str__(self):
        return f"{self.user_id} · {self.topic}"


class TelegramAccount(models.Model):
    """A person's Telegram chat with the deployment's bot, once linked by a one-time code
    they send to the bot; while not linked, the code on offer and when it expires."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="telegram",
    )
    chat_id = models.BigIntegerField(_("Telegram chat"), null=True, blank=True, unique=True)
    linked_at = models.DateTimeField(_("linked"), null=True, blank=True)
    code = models.CharField(_("link code"), max_length=16, null=True, blank=True, unique=True)
    code_expires_at = models.DateTimeField(_("code expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("Telegram account")
        verbose_name_plural = _("Telegram accounts")

    def __str__(self):
        return str(self.user_id)


class TelegramPoll(models.Model):
    """Where the reading of the bot's updates has got to (Bot API ``getUpdates`` offset)."""

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    offset = models.BigIntegerField(_("next update"), default=0)

    class Meta:
        verbose_name = _("Telegram poll")
        verbose_name_plural = _("Telegram polls")

    def __str__(self):
        return f"{self.name}: {self.offset}"
