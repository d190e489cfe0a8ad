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
