"""Writes about people and organisations."""

from datetime import date, datetime, timedelta

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khmer.text import model_text
from organisations import backends, selectors
from organisations.models import Delegation, RoleChange, User
from organisations.roles import ROLE_PERMISSIONS, Role, role_label

# The longest a delegation may last: a year, its first and last days included.
DELEGATION_LONGEST = timedelta(days=365)


@transaction.atomic
def roles_sync(*, using: str = "default") -> None:
    """Make one group per role, holding exactly the permissions ``ROLE_PERMISSIONS`` names."""
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    missing = sorted(wanted - by_name.keys())
    if missing:
        raise LookupError(f"ROLE_PERMISSIONS names unknown permissions: {', '.join(missing)}")
    for role in Role:
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        group.permissions.set([by_name[perm] for perm in ROLE_PERMISSIONS[role]])


def user_set_roles(*, user: User, roles: list[Role]) -> None:
    """Give ``user`` exactly ``roles``, from the command line (seeding, management commands):
    recorded with no one as the author."""
    user_roles_set(
        user=user,
        actor=None,
        groups=list(Group.objects.filter(name__in=[role.value for role in roles])),
    )


def _group_permissions(names: set[str]) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.filter(group__name__in=names).values_list(
            "content_type__app_label", "codename"
        )
    }


def _permission_names(permissions) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in permissions}


def user_roles_check(
    *,
    user: User,
    actor: User | None,
    groups: list[Group] | None = None,
    permissions: list[Permission] | None = None,
) -> tuple[set[str], set[str], set[str], set[str]]:
    """The one answer to "may ``actor`` give ``user`` these roles and permissions?".

    Raises ``PermissionDenied`` (with the reason) unless: ``actor`` is None (the command
    line), or ``actor`` may change people's accounts, is not changing their own roles, may
    manage ``user`` (``backends.may_manage``) and holds themself every permission of each role
    and each permission given or taken away. ``None`` for ``groups``/``permissions`` keeps
    them as they are. Answers (roles before, after, permissions before, after), by name.
    """
    roles_before = set(user.groups.values_list("name", flat=True)) if user.pk else set()
    roles_after = roles_before if groups is None else {group.name for group in groups}
    perms_before = (
        _permission_names(user.user_permissions.select_related("content_type"))
        if user.pk
        else set()
    )
    perms_after = (
        perms_before
        if permissions is None
        else _permission_names(
            Permission.objects.filter(pk__in=[p.pk for p in permissions]).select_related(
                "content_type"
            )
        )
    )
    changed_roles = roles_before ^ roles_after
    changed_perms = perms_before ^ perms_after
    if actor is None or not (changed_roles or changed_perms):
        return roles_before, roles_after, perms_before, perms_after
    from organisations.permissions import user_policy

    if not user_policy.user_may(actor, "change_roles"):
        raise PermissionDenied(_("You may not change people's roles."))
    if actor.pk == user.pk:
        raise PermissionDenied(
            _("Nobody changes their own roles or permissions: ask another administrator.")
        )
    if not user_policy.user_may(actor, "change", user):
        raise PermissionDenied(
            _("This person holds rights you do not hold yourself: you may not change them.")
        )
    refused = sorted(
        role_label(name)
        for name in changed_roles
        if not backends.may_grant(actor, _group_permissions({name}))
    ) + sorted(name for name in changed_perms if not backends.may_grant(actor, {name}))
    if refused:
        raise PermissionDenied(
            _(
                "You may give or take away only a role or permission whose rights you hold "
                "yourself. Not: %(refused)s."
            )
            % {"refused": ", ".join(refused)}
        )
    return roles_before, roles_after, perms_before, perms_after


@transaction.atomic
def user_roles_set(
    *,
    user: User,
    actor: User | None,
    groups: list[Group] | None = None,
    permissions: list[Permission] | None = None,
) -> RoleChange | None:
    """Give ``user`` these roles (groups) and own permissions, if ``user_roles_check``
    allows ``actor`` to; record who changed what, from what to what (``RoleChange``).
    ``actor`` None is the command line. Answers the record, or None when nothing changed."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    before, after, perms_before, perms_after = user_roles_check(
        user=user, actor=actor, groups=groups, permissions=permissions
    )
    if before == after and perms_before == perms_after:
        return None
    if groups is not None:
        user.groups.set(groups)
    if permissions is not None:
        user.user_permissions.set(permissions)
    for cache in ("_role_names", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    user.__dict__.pop("_lekhit_perm_cache", None)
    user.__dict__.pop("_lekhit_rights", None)
    return RoleChange.objects.create(
        person=user,
        changed_by=actor,
        roles_before=sorted(before),
        roles_after=sorted(after),
        permissions_before=sorted(perms_before),
        permissions_after=sorted(perms_after),
    )


def user_set_language(*, user: User, language: str) -> None:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if language not in User.Language.values:
        raise ValidationError({"language": _("Choose one of the proposed values.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


# --- Delegation ------------------------------------------------------------------------


def _may_record_absence_of(actor: User, delegator: User) -> bool:
    """A person records their own absence; someone else (the administrator, for a colleague
    who cannot) only with the right to, and only for someone whose rights they hold
    themself: a delegation hands the delegator's rights to the delegate."""
    from organisations.permissions import user_policy

    return user_policy.user_may(actor, "record_absence", delegator)


def delegation_check(
    *, delegator: User, delegate: User, starts_on, ends_on, actor: User | None = None
) -> None:
    """The rules every delegation meets, on the Away page and in the admin alike.

    The period starts today or later, ends on or after its start, and lasts at most a year;
    the delegate is someone the organisation chart lets act for the delegator
    (``selectors.delegates_eligible``); whoever records it may (``_may_record_absence_of``).
    """
    actor = actor or delegator
    if not _may_record_absence_of(actor, delegator):
        raise PermissionDenied(
            _("You may record the absence only of someone whose rights you hold yourself.")
        )
    errors = {}
    for field, value in (("starts_on", starts_on), ("ends_on", ends_on)):
        if not isinstance(value, date) or isinstance(value, datetime):
            errors[field] = _("Give a date.")
    if errors:
        raise ValidationError(errors)
    if delegate.pk == delegator.pk:
        errors["delegate"] = _("Choose someone else.")
    elif not selectors.delegates_eligible(delegator).filter(pk=delegate.pk).exists():
        errors["delegate"] = _(
            "Choose a colleague of the same organisation or department, or someone who "
            "reports to the person who is away."
        )
    if starts_on < timezone.localdate():
        errors["starts_on"] = _("A delegation starts today or later.")
    if ends_on < starts_on:
        errors["ends_on"] = _("The end must not come before the start.")
    elif ends_on - starts_on > DELEGATION_LONGEST:
        errors["ends_on"] = _("A delegation lasts at most a year.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def delegation_create(
    *,
    delegator: User,
    delegate: User,
    starts_on: date,
    ends_on: date,
    reason: str = "",
    actor: User | None = None,
) -> Delegation:
    """Someone going away names who acts for them (``delegation_check`` says who may be
    named, for how long); ``actor``, when not the delegator, records it for them."""
    actor = actor or delegator
    delegation_check(
        delegator=delegator, delegate=delegate, starts_on=starts_on, ends_on=ends_on, actor=actor
    )
    delegation = Delegation(
        delegator=delegator,
        delegate=delegate,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=model_text(Delegation, "reason", reason),
    )
    delegation._history_user = actor
    delegation.full_clean()
    delegation.save()
    return delegation


@transaction.atomic
def delegation_end(*, delegation: Delegation, user: User) -> bool:
    """End a delegation now: from this moment the delegate no longer acts for the delegator.

    Its period stays as it was granted (``ended_at`` says when it was ended); one already
    over, or already ended, is left as it is. Answers whether anything changed.
    """
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    from organisations.permissions import delegation_policy

    if not delegation_policy.user_may(user, "end", delegation):
        raise PermissionDenied(_("Only the person who is away can end this delegation."))
    if delegation.ended_at is not None or delegation.ends_on < timezone.localdate():
        return False
    delegation.ended_at = timezone.now()
    delegation._history_user = user
    delegation.save(update_fields=["ended_at"])
    return True
