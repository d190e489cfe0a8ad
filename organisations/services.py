"""Writes about people and organisations."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from organisations.models import Delegation, User
from organisations.roles import ROLE_PERMISSIONS, Role


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
    groups = Group.objects.filter(name__in=[role.value for role in roles])
    user.groups.set(groups)
    user.__dict__.pop("_role_names", None)


def user_set_language(*, user: User, language: str) -> None:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if language not in User.Language.values:
        raise ValidationError({"language": _("Choose one of the proposed values.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def delegation_create(
    *, delegator: User, delegate: User, starts_on, ends_on, reason: str = ""
) -> Delegation:
    """Someone going away names who acts for them; the colleague must be in the same
    organisation (or, for the department's people, the same department)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if delegate.pk == delegator.pk:
        raise ValidationError({"delegate": _("Choose someone else.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end must not come before the start.")})
    if delegate.organisation_id is None or not (
        delegate.organisation_id == delegator.organisation_id
        or _same_department(delegate.organisation, delegator.organisation)
    ):
        raise ValidationError({"delegate": _("Choose a colleague of your own organisation.")})
    delegation = Delegation(
        delegator=delegator, delegate=delegate, starts_on=starts_on, ends_on=ends_on, reason=reason
    )
    delegation._history_user = delegator
    delegation.full_clean()
    delegation.save()
    return delegation


def _same_department(a, b) -> bool:
    def department(organisation):
        chain = [*organisation.ancestors(), organisation]
        return next((o.pk for o in chain if o.kind == o.Kind.DEPARTMENT), None)

    return (
        a is not None
        and b is not None
        and department(a) is not None
        and department(a) == department(b)
    )


def delegation_end(*, delegation: Delegation, user: User) -> None:
    from django.core.exceptions import PermissionDenied
    from django.utils import timezone

    if delegation.delegator_id != user.pk:
        raise PermissionDenied
    today = timezone.localdate()
    if delegation.starts_on > today:
        delegation._history_user = user
        delegation.delete()
    else:
        delegation.ends_on = max(delegation.starts_on, today)
        delegation._history_user = user
        delegation.save(update_fields=["ends_on"])
