"""The shape of every app's permission policy: one object per model answers, for each action a
person does to it, "may this person do it to this object?" and "to which objects may they?".

Modelled on Wagtail's ``permission_policies``: ``user_may(user, action, obj)`` is its
``user_has_permission_for_instance`` (without an object, ``user_has_permission``) and
``queryset(user, action)`` its ``instances_user_has_permission_for``.

Rights come from one mechanism, the permissions a person holds (``backends.rights_of``: their
roles' and their own, and the consultation right their organisation gives a ministry
reviewer). A policy writes each action's rule once, for a person and their own rights:

- ``may_<action>(person, obj)`` and ``<action>_objects(person)`` (a queryset) for an action on
  objects, or ``may_<action>(person)`` alone for one that takes none (create).

Delegation is the base's business, the same for every action a policy lists in
``delegable``: someone acting for B (a delegation in force) may do what B's rights let B do,
on B's own objects only (``lends``/``lent_objects``: B's steps, B's rounds), never on
everyone's; an action without an object (opening the process pages at all) as B could. An
action not in ``delegable`` is done with one's own rights alone.
"""

from django.db.models import Model, Q, QuerySet

from organisations import backends
from organisations.selectors import principals_of


class Policy:
    model: type[Model]
    # Every action this policy answers for, named for what a person does.
    actions: tuple[str, ...] = ()
    # The actions a delegate may do for the person away, on that person's objects.
    delegable: frozenset[str] = frozenset()
    # The actions that take no object (``may_<action>(person)`` only).
    without_object: frozenset[str] = frozenset()

    # --- The two questions --------------------------------------------------------------

    def user_may(self, user, action: str, obj=None) -> bool:
        """May ``user`` do ``action`` (to ``obj``)?"""
        return next(self._as_whom(user, action, obj), None) is not None

    def queryset(self, user, action: str) -> QuerySet:
        """The objects ``user`` may do ``action`` to."""
        self._check(action, None)
        if action in self.without_object:
            raise ValueError(f"{action!r} is done to no object: ask user_may")
        objects = getattr(self, f"{action}_objects")
        if not self._signed_in(user):
            return self.model._default_manager.none()
        mine = objects(user)
        lent = [
            (principal, objects(principal).filter(self.lent_objects(user, principal, action)))
            for principal in self._delegators(user, action)
        ]
        if not lent:
            return mine
        either = Q(pk__in=mine.values("pk"))
        for _principal, theirs in lent:
            either |= Q(pk__in=theirs.values("pk"))
        return self.model._default_manager.filter(either)

    def acting_for(self, user, action: str, obj=None):
        """Whom ``user`` acts for when doing ``action`` to ``obj``: None when their own rights
        let them (or they may not at all), else the person away whose rights they use."""
        principal = next(self._as_whom(user, action, obj), None)
        return None if principal is None or principal.pk == user.pk else principal

    # --- What a policy writes ---------------------------------------------------------

    def lends(self, user, principal, action: str, obj) -> bool:
        """Whether ``obj`` is ``principal``'s own, so that ``user``, acting for them, may use
        their rights on it. By default nothing is."""
        return False

    def lent_objects(self, user, principal, action: str) -> Q:
        """``lends`` as a filter on this policy's model."""
        return Q(pk__in=[])

    @staticmethod
    def rights(person) -> set[str]:
        """What ``person`` holds themself (roles, own grants, their organisation's review
        right): never a delegation's, which the base adds per object."""
        return backends.rights_of(person)

    # --- Machinery --------------------------------------------------------------------

    @staticmethod
    def _signed_in(user) -> bool:
        return user is not None and user.is_authenticated and user.is_active

    def _check(self, action: str, obj) -> None:
        """Refuse an action this policy does not know, or an object of another model: a
        caller's mistake, not a "no"."""
        if action not in self.actions:
            raise ValueError(f"{type(self).__name__} knows no action {action!r}")
        if action in self.without_object:
            if obj is not None:
                raise ValueError(f"{action!r} takes no object")
        elif obj is not None and not isinstance(obj, self.model):
            raise ValueError(f"{action!r} is done to a {self.model.__name__}, not {obj!r}")

    def _delegators(self, user, action: str):
        if action not in self.delegable:
            return []
        return principals_of(user)[1:]

    def _as_whom(self, user, action: str, obj):
        """The people as whom ``user`` may do ``action`` to ``obj``: themself first, then each
        person away whose rights on their own object a delegation lends ``user``."""
        self._check(action, obj)
        if not self._signed_in(user):
            return
        rule = getattr(self, f"may_{action}")
        if action in self.without_object:  # a delegate holds B's right to do it at all
            yield from (p for p in [user, *self._delegators(user, action)] if rule(p))
            return
        if obj is None:  # "on some object": their own rights on any, or a delegator's
            raise ValueError(f"{action!r} is done to an object: give it")
        if rule(user, obj):
            yield user
        for principal in self._delegators(user, action):
            if self.lends(user, principal, action, obj) and rule(principal, obj):
                yield principal
