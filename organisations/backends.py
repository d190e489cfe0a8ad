"""The permission backend: the one mechanism through which rights are held.

Every right is a permission: a role is a group holding its permissions (``organisations.roles``),
and the per-object rules that use them are each app's policy (``<app>/permissions.py``, on
``organisations.policies``). Two kinds of permission follow from who a person is, not from rows
in the permission tables:

- A ministry reviewer (the role) may take the consultation tasks addressed to their
  organisation: ``workflows.review_for_organisation_<pk>``. Each consultation task carries
  that string as its viewflow ``owner_permission``, so viewflow's own queue shows it to
  exactly the right people without a table of per-object grants.
- A person acting for a colleague who is away (``Delegation``) holds that colleague's
  permissions too, for the period of the delegation, as far as viewflow's queue asks
  (``user.has_perm``); what they may do with them, object by object, the policies say.

``rights_of`` answers what a person holds themself (the policies lend a delegator's rights per
object, on the delegator's own objects only). And the rules about rights themselves, which the
user and delegation policies (``organisations.permissions``) ask:

- ``own_permissions``: what a person holds themself (their roles and own permissions), never
  what a delegation lends them. Only that can be given to someone else.
- ``may_grant``: nobody gives or takes a right they do not hold themself (a superuser holds
  every right).
- ``may_manage``: nobody changes the account (name, password, roles) of someone who holds a
  right they do not: resetting the director-general's password would make anyone the
  director-general.
- ``delegated_by``: whom a person acts for when a right they use is only lent to them.
"""

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q

from organisations.roles import Role
from organisations.selectors import principals_of, unwrapped

_model_backend = ModelBackend()


def organisation_review_permission(organisation_id: int) -> str:
    return f"workflows.review_for_organisation_{organisation_id}"


def rights_of(person) -> set[str]:
    """Every right ``person`` holds themself: their roles' and own permissions (all of them
    for a superuser) and their organisation's review right, never a delegation's. Nothing
    for an anonymous or inactive account. Read once per user object."""
    if person is None or person.is_anonymous or not person.is_active:
        return set()
    person = unwrapped(person)
    if "_lekhit_rights" not in person.__dict__:
        person._lekhit_rights = set(_model_backend.get_all_permissions(person)) | (
            _review_permissions(person)
        )
    return person._lekhit_rights


def remember_rights(people) -> None:
    """Read the rights of many people at once, as ``rights_of`` would one by one: two
    queries (their roles' permissions, their own), whatever their number. Pass them with
    their ``groups`` prefetched (the review right reads them)."""
    pending = [
        person
        for person in map(unwrapped, people)
        if person.is_active and not person.is_anonymous and "_lekhit_rights" not in person.__dict__
    ]
    ids = [person.pk for person in pending if not person.is_superuser]
    held: dict[int, set[str]] = {pk: set() for pk in ids}
    if ids:
        for via in ("group__user", "user"):
            rows = Permission.objects.filter(**{f"{via}__in": ids}).values_list(
                via, "content_type__app_label", "codename"
            )
            for user_id, app_label, codename in rows:
                held[user_id].add(f"{app_label}.{codename}")
    everything = None
    for person in pending:
        if person.is_superuser:
            if everything is None:
                everything = _permission_names(Permission.objects.all())
            rights = set(everything)
        else:
            rights = held[person.pk]
        person._lekhit_rights = rights | _review_permissions(person)


def reviewed_organisations(person) -> set[int]:
    """The organisations whose consultations ``person`` answers by their own rights."""
    prefix = organisation_review_permission(0)[:-1]
    return {int(perm[len(prefix) :]) for perm in rights_of(person) if perm.startswith(prefix)}


def _permission_names(permissions) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in permissions.values_list("content_type__app_label", "codename")
    }


def held_permissions(user) -> set[str]:
    """Every permission ``user``'s roles and own grants give, active or not (an inactive
    account keeps its rights for the day it is reactivated); all of them for a superuser."""
    if user.is_superuser:
        return _permission_names(Permission.objects.all())
    return _permission_names(
        Permission.objects.filter(Q(group__user=user) | Q(user=user)).distinct()
    )


def own_permissions(user) -> set[str]:
    """What ``user`` holds themself, for the rights they may give: never a delegation's."""
    if user is None or user.is_anonymous or not user.is_active:
        return set()
    return held_permissions(user)


def may_grant(actor, permissions: set[str]) -> bool:
    """Whether ``actor`` holds every one of ``permissions`` themself (a superuser does)."""
    if actor is None or actor.is_anonymous or not actor.is_active:
        return False
    return actor.is_superuser or permissions <= own_permissions(actor)


def may_manage(actor, person) -> bool:
    """Whether ``actor`` may change ``person``'s account: a superuser may change anyone's;
    anyone else only the account of someone who is not a superuser and holds no right that
    ``actor`` lacks."""
    if actor is None or actor.is_anonymous or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    return not person.is_superuser and may_grant(actor, held_permissions(person))


class OrganisationBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if not hasattr(user_obj, "_lekhit_perm_cache"):
            perms: set[str] = set()
            principals = principals_of(user_obj)
            for principal in principals:
                perms |= _review_permissions(principal)
            for principal in principals[1:]:
                perms |= _model_backend.get_all_permissions(principal)
            user_obj._lekhit_perm_cache = perms
        return user_obj._lekhit_perm_cache

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)


def _review_permissions(principal) -> set[str]:
    """The ministry reviewer role's right, on their own organisation's consultations (the one
    role whose right depends on the person's organisation; a superuser is no ministry's
    reviewer unless given the role)."""
    if (
        principal.organisation_id
        and principal.is_active
        and Role.MINISTRY_REVIEWER.value in principal.role_names()
    ):
        return {organisation_review_permission(principal.organisation_id)}
    return set()


_backend = OrganisationBackend()


def delegated_by(user, permission: str | None):
    """Whom ``user`` acts for when they use ``permission``: None when they hold it themself
    (or it needs none), else the first person whose delegation in force lends it to them."""
    if not permission or user is None or user.is_anonymous:
        return None
    principals = principals_of(user)
    if len(principals) == 1:  # no delegation in force: nothing is lent
        return None
    if permission in _model_backend.get_all_permissions(user) or permission in (
        _review_permissions(principals[0])
    ):
        return None
    for principal in principals[1:]:
        if permission in _model_backend.get_all_permissions(
            principal
        ) or permission in _review_permissions(principal):
            return principal
    return None


def acting_for_task(user, task):
    """Whom ``user`` acts for on ``task``: the task's owner when it is held by someone
    ``user`` stands in for, or the person whose right to take it from the queue is lent to
    ``user``; None when they act as themself."""
    if task.owner_id is not None and task.owner_id != user.pk:
        return next((p for p in principals_of(user)[1:] if p.pk == task.owner_id), None)
    return delegated_by(user, task.owner_permission)
