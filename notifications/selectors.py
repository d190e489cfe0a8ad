"""Reads of a person's notifications."""

from django.db.models import QuerySet

from notifications.models import Notification
from organisations.models import User


def notifications_of(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("instrument")


UNREAD_COUNTED_MOST = 100
"""The bell counts this many unread at most, and says "99+" from there: a chief who let
18,000 pile up over ten years paid 2 ms on every page to count them all."""


def unread_count(*, user: User) -> int:
    """The unread, up to ``UNREAD_COUNTED_MOST``: counted through the partial index on
    unread rows, stopping there, as the bell asks on every page."""
    if not user.is_authenticated:
        return 0
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    return unread[:UNREAD_COUNTED_MOST].count()


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
