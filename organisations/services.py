"""Writes about people and organisations."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from organisations.models import User
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
    if language not in User.Language.values:
        raise ValueError(f"unsupported language {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
