"""Writes of notifications, and their delivery: in the bell and by e-mail.

Callers hand over a message already decided (who, what kind, about which instrument); this
module writes it in the recipient's language, stores it and mails it. It knows nothing of
deadlines: ``tasks.services`` decides what to send and when, and owns the outbox that makes
each message go exactly once.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications import telegram
from notifications.models import (
    Notification,
    Preference,
    TelegramAccount,
    TelegramPoll,
    Timing,
    Topic,
)
from organisations.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def site_url() -> str:
    """Where links in e-mails point: ``SITE_URL`` when the deployment sets it."""
    return settings.SITE_URL


def message_render(*, template: str, context: dict, language: str) -> Message:
    """Render ``notifications/email/<template>.<language>.txt``: first line title, rest body.

    One template per language (not gettext) because a reminder is prose, and a Khmer
    sentence is not an English one with its words replaced.
    """
    language = language if language in ("km", "en") else "km"
    with translation.override(language):
        text = render_to_string(
            f"notifications/email/{template}.{language}.txt", {**context, "language": language}
        )
    title, _sep, body = text.strip().partition("\n")
    return Message(title=title.strip(), body=body.strip())


def _message_id(key: str) -> str:
    """A Message-ID derived from the delivery key: should the process die between the SMTP
    send and the commit, the retry carries the same Message-ID, which mail servers and
    clients collapse into one message."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "lekhit"
    return f"<{digest}@{domain}>"


def email_send(*, recipient: User, message: Message, url: str = "", key: str = "") -> bool:
    """Mail ``message`` to ``recipient`` in their language; False when they have no address.

    Raises whatever the mail backend raises: the caller decides whether to retry.
    """
    if not recipient.email:
        return False
    language = recipient.language if recipient.language in ("km", "en") else "km"
    with translation.override(language):
        body = render_to_string(
            f"notifications/email/_message.{language}.txt",
            {
                "recipient": recipient,
                "body": message.body,
                "link": f"{site_url()}{url}" if url.startswith("/") else url,
            },
        )
    headers = {"Message-ID": _message_id(key)} if key else {}
    EmailMessage(subject=message.title, body=body, to=[recipient.email], headers=headers).send(
        fail_silently=False
    )
    return True


def notification_create(
    *,
    recipient: User,
    kind: str,
    message: Message,
    url: str = "",
    instrument=None,
    task_id: int | None = None,
    key: str | None = None,
    known_new: bool = False,
    deferred: bool = False,
) -> tuple[Notification, bool]:
    """Store the in-app notification; with a ``key`` already used, return that one instead.

    ``known_new``: the caller holds a lock that proves the key unused (the outbox does), so
    the look-up is skipped; the UNIQUE key would still refuse a second row.
    """
    if key is not None and not known_new:
        existing = Notification.objects.filter(key=key).first()
        if existing is not None:
            return existing, False
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        instrument=instrument,
        task_id=task_id,
        title=message.title[:500],
        body=message.body,
        url=url,
        key=key,
        deferred=deferred,
    )
    return notification, True


def notification_mark_read(*, user: User, notification_id: int) -> int:
    """Mark one of ``user``'s notifications read; an id that names none of theirs marks none."""
    if not isinstance(notification_id, int) or isinstance(notification_id, bool):
        return 0
    return Notification.objects.filter(
        pk=notification_id, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Preferences: when and by which channel each topic reaches a person -----------------


# The outbox's kinds that are events of the process, each its own topic; every other kind
# but the digest (reminders, escalations, the director's question) is about deadlines.
EVENT_TOPICS = frozenset(
    {
        Topic.TASK_ASSIGNED,
        Topic.ROUND_OPENED,
        Topic.DRAFT_RETURNED,
        Topic.MATRIX_PUBLISHED,
        Topic.INSTRUMENT_SIGNED,
    }
)
DIGEST_KIND = "digest"


def topic_of(kind: str) -> str | None:
    """The topic a kind of message belongs to; None for the digest, which is never deferred."""
    if kind == DIGEST_KIND:
        return None
    return kind if kind in EVENT_TOPICS else Topic.REMINDERS


@dataclass(frozen=True)
class Plan:
    """How one message reaches its recipient, besides the bell (always, at once)."""

    deferred: bool  # e-mail and Telegram wait for the morning digest
    email: bool
    telegram: bool  # a Telegram copy goes (the person has linked their account)


def delivery_plan(*, recipient: User, kind: str) -> Plan:
    """The recipient's choice for the topic of ``kind`` (default: at once, e-mail, and
    Telegram once linked). Two queries, whatever the kind."""
    topic = topic_of(kind)
    preference = Preference.objects.filter(user=recipient, topic=topic).first() if topic else None
    linked = TelegramAccount.objects.filter(user=recipient, chat_id__isnull=False).exists()
    if preference is None:
        return Plan(deferred=False, email=True, telegram=linked)
    deferred = preference.timing == Timing.DIGEST
    return Plan(deferred=deferred, email=preference.email, telegram=linked and preference.telegram)


def notification_announce(
    *,
    recipient: User,
    kind: str,
    message: Message,
    url: str = "",
    instrument=None,
    task_id: int | None = None,
    key: str,
) -> tuple[Notification, Plan]:
    """In the bell at once; by e-mail now or in the morning digest, by the recipient's
    preference. The e-mail is the one write that cannot be rolled back, so it comes last:
    anything that fails before it leaves nothing sent, and an e-mail failure raises and
    rolls the notification back. The caller (the outbox) sends the
    Telegram copy the plan asks for, as a row of its own, so that Telegram never holds up
    the e-mail. Call inside the outbox's transaction, the row locked and pending."""
    plan = delivery_plan(recipient=recipient, kind=kind)
    notification, created = notification_create(
        recipient=recipient,
        kind=kind,
        message=message,
        url=url,
        instrument=instrument,
        task_id=task_id,
        key=key,
        known_new=True,
        deferred=plan.deferred,
    )
    if created and plan.email and not plan.deferred:
        email_send(recipient=recipient, message=message, url=url, key=key)
    return notification, plan


def preference_set(*, user: User, topic: str, timing: str, email: bool, telegram: bool):
    """Keep ``user``'s choice for ``topic``; refuses a topic or timing that is not one."""
    if topic not in Topic.values:
        raise ValidationError({"topic": _("Choose a kind of notification.")})
    if timing not in Timing.values:
        raise ValidationError({"timing": _("Choose when to be told.")})
    if not isinstance(email, bool) or not isinstance(telegram, bool):
        raise ValidationError({"email": _("Choose the channels.")})
    preference, _created = Preference.objects.update_or_create(
        user=user, topic=topic, defaults={"timing": timing, "email": email, "telegram": telegram}
    )
    return preference


# --- Telegram ------------------------------------------------------------------------------

CODE_ALPHABET = (
    "ABCDEFGHJKLMNPQRSTUVWXYZ"  # letters only, no I or O: read off a screen in any script
)
CODE_LENGTH = 8


def telegram_code_issue(*, user: User, now: datetime | None = None) -> TelegramAccount:
    """A new one-time code for ``user`` to send the bot (the previous one no longer works)."""
    now = now or timezone.now()
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    account, _created = TelegramAccount.objects.update_or_create(
        user=user,
        defaults={
            "code": code,
            "code_expires_at": now + timedelta(minutes=settings.TELEGRAM_LINK_CODE_MINUTES),
        },
    )
    return account


def telegram_unlink(*, user: User) -> int:
    return TelegramAccount.objects.filter(user=user).update(
        chat_id=None, linked_at=None, code=None, code_expires_at=None
    )


def _code_in(text: str) -> str:
    """The code in what someone sent the bot: ``CODE`` or ``/start CODE`` (the t.me link)."""
    words = text.strip().split()
    return words[-1].upper()[: CODE_LENGTH * 2] if words else ""


def telegram_link(*, chat_id: int, text: str, now: datetime | None = None) -> User | None:
    """Link the account whose code unexpired ``text`` carries to ``chat_id``; None when it
    carries none. A chat linked to someone else before moves to the new account."""
    now = now or timezone.now()
    code = _code_in(text)
    if not code or not isinstance(chat_id, int) or isinstance(chat_id, bool):
        return None
    with transaction.atomic():
        account = (
            TelegramAccount.objects.select_for_update()
            .select_related("user")
            .filter(code=code, code_expires_at__gt=now)
            .first()
        )
        if account is None:
            return None
        TelegramAccount.objects.filter(chat_id=chat_id).exclude(pk=account.pk).update(
            chat_id=None, linked_at=None
        )
        account.chat_id, account.linked_at = chat_id, now
        account.code, account.code_expires_at = None, None
        account.save(update_fields=["chat_id", "linked_at", "code", "code_expires_at"])
    return account.user


def telegram_updates_read() -> int:
    """Read what people sent the bot since the last time, link those who sent a valid code
    and tell them so (in their language). Returns how many were linked. Without a token,
    nothing. The offset moves past each update read, so none is read twice."""
    if not telegram.configured():
        return 0
    poll, _created = TelegramPoll.objects.get_or_create(name="bot")
    linked = 0
    for update in telegram.updates(offset=poll.offset):
        update_id = update.get("update_id")
        if not isinstance(update_id, int):
            continue
        message = update.get("message") or {}
        chat = message.get("chat") or {}
        user = None
        if chat.get("type") == "private" and isinstance(message.get("text"), str):
            user = telegram_link(chat_id=chat.get("id"), text=message["text"])
        TelegramPoll.objects.filter(name="bot").update(offset=update_id + 1)
        if user is None:
            continue
        linked += 1
        language = user.language if user.language in ("km", "en") else "km"
        with translation.override(language):
            reply = _(
                "Lekhit: this Telegram account is now linked to %(name)s. You will receive "
                "here the notifications you chose on your preferences page."
            ) % {"name": user.get_full_name() or user.username}
        try:
            telegram.send_message(chat_id=chat["id"], text=reply)
        except telegram.TelegramError:  # the link holds; the notifications will follow
            logger.warning("could not confirm the Telegram link of user %s", user.pk)
    return linked


def telegram_text(*, notification: Notification) -> str:
    """A notification as a Telegram message: its title, its text, and the link to the step
    (plain text in the recipient's language, as the bell shows it)."""
    parts = [notification.title, notification.body]
    if notification.url:
        link = notification.url
        parts.append(f"{site_url()}{link}" if link.startswith("/") else link)
    return "\n\n".join(part for part in parts if part)


def telegram_send(*, recipient: User, notification: Notification) -> bool:
    """Send ``notification`` to ``recipient``'s linked chat; False when not (or no longer)
    linked or Telegram is not configured. Raises ``TelegramError`` on failure (retried)."""
    if not telegram.configured():
        return False
    chat_id = (
        TelegramAccount.objects.filter(user=recipient, chat_id__isnull=False)
        .values_list("chat_id", flat=True)
        .first()
    )
    if chat_id is None:
        return False
    telegram.send_message(chat_id=chat_id, text=telegram_text(notification=notification))
    return True
