"""Writes of the API app: a person's own API token (DRF's ``authtoken``: one per user)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from organisations.models import User


def _check_active(user: User) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Only a signed-in, active account has an API token."))


@transaction.atomic
def token_replace(*, user: User) -> Token:
    """A new token for ``user``: the old one, if any, stops working at once."""
    _check_active(user)
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def token_revoke(*, user: User) -> bool:
    """``user``'s token stops working; whether they had one."""
    _check_active(user)
    deleted, _per_model = Token.objects.filter(user=user).delete()
    return bool(deleted)
