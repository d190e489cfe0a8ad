"""Permissions that follow from who a person is, not from rows in the permission tables.

- A ministry reviewer may take the consultation tasks addressed to their organisation:
  ``workflows.review_for_organisation_<pk>``. Each consultation task carries that string as
  its viewflow ``owner_permission``, so viewflow's own queue shows it to exactly the right
  people without a table of per-object grants.
- A person acting for a colleague who is away (``Delegation``) holds that colleague's
  permissions too, for the period of the delegation.
"""

from django.contrib.auth.backends import BaseBackend, ModelBackend

from organisations.roles import Role
from organisations.selectors import principals_of

_model_backend = ModelBackend()


def organisation_review_permission(organisation_id: int) -> str:
    return f"workflows.review_for_organisation_{organisation_id}"


class OrganisationBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if not hasattr(user_obj, "_lekhit_perm_cache"):
            perms: set[str] = set()
            principals = principals_of(user_obj)
            for principal in principals:
                if principal.organisation_id and Role.MINISTRY_REVIEWER.value in {
                    group.name for group in principal.groups.all()
                }:
                    perms.add(organisation_review_permission(principal.organisation_id))
            for principal in principals[1:]:
                perms |= _model_backend.get_all_permissions(principal)
            user_obj._lekhit_perm_cache = perms
        return user_obj._lekhit_perm_cache

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)
