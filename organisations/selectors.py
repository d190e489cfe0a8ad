"""Reads about people: who acts for whom today, and who may."""

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from khmer.db import khmer_order
from organisations.models import Organisation, User


def _ended_by(on: date) -> datetime:
    """A delegation ended at or before this moment is not in force on day ``on``: today, now
    (ending takes effect at once); a day gone or to come, its start."""
    if on == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(on, time.min))


def delegations_in_force(on: date, *, prefix: str = "") -> Q:
    """Delegations in force on day ``on``: within their period and not ended before it."""
    return Q(
        **{f"{prefix}starts_on__lte": on, f"{prefix}ends_on__gte": on},
    ) & (Q(**{f"{prefix}ended_at__isnull": True}) | Q(**{f"{prefix}ended_at__gt": _ended_by(on)}))


def delegation_in_force(
    *, starts_on: date, ends_on: date, ended_at: datetime | None, on: date
) -> bool:
    """``delegations_in_force`` for one delegation already read."""
    return starts_on <= on <= ends_on and (ended_at is None or ended_at > _ended_by(on))


def unwrapped(person):
    """The user object itself, where ``request.user`` is a lazy proxy of it: what is kept on
    the object for the request (its rights, say) must be kept on the user, not on the proxy,
    whose own ``__dict__`` would never hold it."""
    if isinstance(person, LazyObject):
        if person._wrapped is empty:
            person._setup()
        return person._wrapped
    return person


def principals_of(user: User, *, on: date | None = None) -> list[User]:
    """The people ``user`` may act for on a day: themself, then whoever delegated to them.

    Cached on the user object (not on ``request.user``'s proxy of it, which other callers
    see through), so one request asks the database once.
    """
    user = unwrapped(user)
    on = on or timezone.localdate()
    cache = user.__dict__.setdefault("_principals", {})
    if on not in cache:
        delegators = (
            User.objects.filter(
                delegations_in_force(on, prefix="delegations_given__"),
                delegations_given__delegate=user,
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


def unit_ids(organisation_id: int | None) -> set[int]:
    """The organisation and every unit under it (the tree is a few levels deep): one query a
    level."""
    if organisation_id is None:
        return set()
    found, frontier = {organisation_id}, {organisation_id}
    while frontier:
        frontier = (
            set(Organisation.objects.filter(parent__in=frontier).values_list("pk", flat=True))
            - found
        )
        found |= frontier
    return found


def _department_of(organisation: Organisation) -> Organisation | None:
    chain = [*organisation.ancestors(), organisation]
    return next((o for o in chain if o.kind == Organisation.Kind.DEPARTMENT), None)


def delegates_eligible(delegator: User) -> QuerySet[User]:
    """Who may act for ``delegator`` while they are away, as the organisation chart says:

    - a colleague of the same organisation (office, department, general department,
      ministry), or of the same department (its offices stand in for one another);
    - someone who reports to them directly and works in their organisation or under it (the
      rank just below: the director-general names a deputy director-general or a department
      director; a department director, one of the department's office chiefs).

    Never themself, never an inactive account or someone outside the tree.
    """
    organisation = delegator.organisation
    people = User.objects.filter(is_active=True, organisation__isnull=False).exclude(
        pk=delegator.pk
    )
    if organisation is None:
        return people.none()
    units = {organisation.pk}
    department = _department_of(organisation)
    if department is not None:
        units |= unit_ids(department.pk)
    return people.filter(
        Q(organisation__in=units)
        | Q(supervisor=delegator, organisation__in=unit_ids(organisation.pk))
    )


def people_choices() -> list[tuple[int, str]]:
    """The active people (not the superusers) as a filter's choices, ``(pk, name)``, in Khmer
    order of their names: one narrow query and no model per person (300 people's whole rows
    and models were two thirds of the instrument list's filters)."""
    rows = (
        User.objects.filter(is_active=True, is_superuser=False)
        .order_by(khmer_order("first_name"), khmer_order("last_name"), "username")
        .values_list("pk", "first_name", "last_name", "username")
    )
    return [(pk, User.display_name(first, last, username)) for pk, first, last, username in rows]
