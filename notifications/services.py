"""Writes of notifications, and their delivery: in the bell and by e-mail.

Callers hand over a message already decided (who, what kind, about which instrument); this
module writes it in the recipient's language, stores it and mails it. It knows nothing of
deadlines: ``tasks.services`` decides what to send and when, and owns the outbox that makes
each message go exactly once.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications.models import Notification
from organisations.models import User


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
    )
    return notification, True


def notification_deliver(
    *,
    recipient: User,
    kind: str,
    message: Message,
    url: str = "",
    instrument=None,
    task_id: int | None = None,
    key: str | None = None,
    known_new: bool = False,
) -> Notification:
    """In the bell, then by e-mail, in that order: the e-mail is the one write that cannot be
    rolled back, so it comes last and anything that fails before it leaves nothing sent.
    Call inside a transaction: an e-mail failure raises and rolls the notification back."""
    notification, created = notification_create(
        recipient=recipient,
        kind=kind,
        message=message,
        url=url,
        instrument=instrument,
        task_id=task_id,
        key=key,
        known_new=known_new,
    )
    if created:
        email_send(recipient=recipient, message=message, url=url, key=key or "")
    return notification


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
