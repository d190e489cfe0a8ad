"""Reads of a person's notifications."""

from django.db.models import QuerySet

from notifications.models import Notification
from organisations.models import User


def notifications_of(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("instrument")


def unread_count(*, user: User) -> int:
    """Counted through the partial index on unread rows: the bell asks on every page."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preferences_of(*, user: User) -> list[dict]:
    """Each topic with the person's choice (the default where they made none): one query."""
    from notifications.models import Preference, Timing, Topic

    chosen = {p.topic: p for p in Preference.objects.filter(user=user)}
    rows = []
    for topic in Topic:
        preference = chosen.get(topic.value)
        rows.append(
            {
                "topic": topic.value,
                "label": topic.label,
                "timing": preference.timing if preference else Timing.NOW,
                "email": preference.email if preference else True,
                "telegram": preference.telegram if preference else True,
            }
        )
    return rows


def telegram_account_of(*, user: User):
    from notifications.models import TelegramAccount

    return TelegramAccount.objects.filter(user=user).first()
