"""Who may see and change which instrument: one place answers for views, services and lists.

A role says what kind of thing a person does; these rules say on which instruments.
"""

from django.db.models import Q, QuerySet

from documents.models import Instrument
from organisations.models import User
from organisations.roles import Role

# Roles of the department and the general department: they see every instrument.
INTERNAL_ROLES = {
    Role.DRAFTER,
    Role.OFFICE_CHIEF,
    Role.DIRECTOR,
    Role.LEGAL_REVIEWER,
    Role.DIRECTOR_GENERAL,
    Role.REGISTRY,
    Role.ADMINISTRATOR,
}
EDITABLE_STATUSES = {Instrument.Status.DRAFT, Instrument.Status.CONSOLIDATION}


def is_internal(user: User) -> bool:
    return user.is_authenticated and bool(user.role_names() & {r.value for r in INTERNAL_ROLES})


def instruments_visible_to(user: User) -> QuerySet[Instrument]:
    """Internal staff see all instruments; anyone else none (consultation grants more later)."""
    instruments = Instrument.objects.all()
    if is_internal(user):
        return instruments
    return instruments.none()


def is_drafter_of(user: User, instrument: Instrument) -> bool:
    if instrument.lead_drafter_id == user.pk:
        return True
    return instrument.co_drafters.filter(pk=user.pk).exists()


def can_view(user: User, instrument: Instrument) -> bool:
    return instruments_visible_to(user).filter(pk=instrument.pk).exists()


def can_create(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.DRAFTER)


def can_edit(user: User, instrument: Instrument) -> bool:
    """Only its drafters, and only while the text is theirs to change (draft, consolidation)."""
    return (
        user.is_authenticated
        and instrument.status in EDITABLE_STATUSES
        and is_drafter_of(user, instrument)
    )


def editable_by(user: User) -> Q:
    return Q(lead_drafter=user) | Q(co_drafters=user)
