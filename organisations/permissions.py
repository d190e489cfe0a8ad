"""Who may do what to people's accounts and absences: the user and delegation policies, which
the services (``organisations.services``), the Away page and the admin ask.

Rights over rights are one's own: a delegation lends its delegate the absent person's steps
(``workflows.permissions``) and with them the process's pages, never the right to change
accounts, roles or delegations.
"""

from django.db.models import Q

from organisations import backends
from organisations.models import Delegation, User
from organisations.policies import Policy
from organisations.selectors import delegates_eligible

CHANGE_USER = "organisations.change_user"
ADD_DELEGATION = "organisations.add_delegation"
CHANGE_DELEGATION = "organisations.change_delegation"
VIEW_PROCESS = "workflows.view_approvalprocess"


class UserPolicy(Policy):
    model = User
    actions = ("change", "change_roles", "record_absence", "work_in_process", "name_as_delegate")
    without_object = frozenset({"change_roles", "work_in_process"})
    # Acting for someone with a role in the process opens its pages (each step there is
    # then the task policy's to allow); nothing about accounts is ever lent.
    delegable = frozenset({"work_in_process"})

    # change: an account (name, password, roles) of someone who holds no right the actor lacks
    def may_change(self, person, account):
        return CHANGE_USER in self.rights(person) and backends.may_manage(person, account)

    def change_objects(self, person):
        if CHANGE_USER not in self.rights(person):
            return User.objects.none()
        return User.objects.filter(
            pk__in=[u.pk for u in User.objects.all() if backends.may_manage(person, u)]
        )

    # change_roles: change people's roles at all (which ones: ``backends.may_grant``)
    def may_change_roles(self, person):
        return CHANGE_USER in self.rights(person)

    # record_absence: for themself, or (the administrator) for someone they may manage
    def may_record_absence(self, person, delegator):
        if person.pk == delegator.pk:
            return True
        return ADD_DELEGATION in self.rights(person) and backends.may_manage(person, delegator)

    def record_absence_objects(self, person):
        if ADD_DELEGATION not in self.rights(person):
            return User.objects.filter(pk=person.pk)
        return User.objects.filter(
            pk__in=[u.pk for u in User.objects.all() if self.may_record_absence(person, u)]
        )

    # name_as_delegate: whom a person away may name to act for them (the Away page's list):
    # whom the organisation chart lets (``selectors.delegates_eligible``)
    def may_name_as_delegate(self, person, candidate):
        return delegates_eligible(person).filter(pk=candidate.pk).exists()

    def name_as_delegate_objects(self, person):
        return delegates_eligible(person)

    # work_in_process: has a role in the approval process (their inbox is their home page)
    def may_work_in_process(self, person):
        return VIEW_PROCESS in self.rights(person)


class DelegationPolicy(Policy):
    model = Delegation
    actions = ("end", "end_any")
    without_object = frozenset({"end_any"})

    # end: the person away, or the administrator for someone they may manage
    def may_end(self, person, delegation):
        if delegation.delegator_id == person.pk:
            return True
        return CHANGE_DELEGATION in self.rights(person) and backends.may_manage(
            person, delegation.delegator
        )

    def end_objects(self, person):
        if CHANGE_DELEGATION not in self.rights(person):
            return Delegation.objects.filter(delegator=person)
        return Delegation.objects.filter(
            Q(delegator=person)
            | Q(pk__in=[d.pk for d in Delegation.objects.all() if self.may_end(person, d)])
        )

    # end_any: the admin's "End now" action, offered to whoever may end others' delegations
    def may_end_any(self, person):
        return CHANGE_DELEGATION in self.rights(person)


user_policy = UserPolicy()
delegation_policy = DelegationPolicy()
