"""Reads about people: who acts for whom today."""

from datetime import date

from django.utils import timezone

from organisations.models import User


def principals_of(user: User, *, on: date | None = None) -> list[User]:
    """The people ``user`` may act for on a day: themself, then whoever delegated to them.

    Cached on the user object, so one request asks the database once.
    """
    on = on or timezone.localdate()
    cache = user.__dict__.setdefault("_principals", {})
    if on not in cache:
        delegators = (
            User.objects.filter(
                delegations_given__delegate=user,
                delegations_given__starts_on__lte=on,
                delegations_given__ends_on__gte=on,
                is_active=True,
            )
            .select_related("organisation")
            .prefetch_related("groups")
            .distinct()
        )
        cache[on] = [user, *delegators]
    return cache[on]


def acting_for(user: User, owner: User | None) -> User | None:
    """Whom ``user`` acts for when completing a task held by ``owner`` (None: themself)."""
    if owner is None or owner.pk == user.pk:
        return None
    for principal in principals_of(user)[1:]:
        if principal.pk == owner.pk:
            return principal
    return None
