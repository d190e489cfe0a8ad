"""Who may do what to which instrument: the instrument policy, for pages, services, the admin
and viewflow's lists alike.

A right is a permission (``organisations.roles``); these rules say on which instruments it is
used. Internal staff (whoever holds ``documents.view_instrument``) read every instrument; a
consulted ministry's reviewer reads none here (``workflows.permissions`` gives them what was
sent to them). Only an instrument's drafters (named on it: that is the right) change its
text, and only while it is theirs to change. None of these is lent by a delegation: a
delegate acts on the absent person's steps (``workflows.permissions``), not on their drafts —
save an instrument's header (``view_header``), which a reviewer's delegate reads as the
reviewer does.
"""

from django.db.models import Q
from viewflow.workflow.status import STATUS

from documents.models import Instrument
from organisations.backends import reviewed_organisations
from organisations.policies import Policy

EDITABLE_STATUSES = {Instrument.Status.DRAFT, Instrument.Status.CONSOLIDATION}

VIEW_INSTRUMENT = "documents.view_instrument"
ADD_INSTRUMENT = "documents.add_instrument"


class InstrumentPolicy(Policy):
    model = Instrument
    actions = ("view", "view_header", "create", "edit", "save_version", "submit", "draft")
    without_object = frozenset({"create"})
    delegable = frozenset({"view_header"})

    @classmethod
    def is_internal(cls, person) -> bool:
        """Whether ``person`` works in the department (reads every instrument)."""
        return VIEW_INSTRUMENT in cls.rights(person)

    @staticmethod
    def is_drafter_of(person, instrument: Instrument) -> bool:
        if instrument.lead_drafter_id == person.pk:
            return True
        return instrument.co_drafters.filter(pk=person.pk).exists()

    def _drafts(self, person) -> Q:
        return Q(lead_drafter=person) | Q(co_drafters=person)

    # view: internal staff, every instrument
    def may_view(self, person, instrument):
        return self.is_internal(person)

    def view_objects(self, person):
        return Instrument.objects.all() if self.is_internal(person) else Instrument.objects.none()

    # view_header: its type and title, and its process page — internal staff every one; a
    # ministry reviewer (or their delegate) those whose process consulted their
    # organisation, never the working draft (that is ``view``)
    def may_view_header(self, person, instrument):
        return self.is_internal(person) or (
            instrument.rounds.filter(
                consultations__organisation__in=reviewed_organisations(person)
            ).exists()
        )

    def view_header_objects(self, person):
        if self.is_internal(person):
            return Instrument.objects.all()
        # From the consultations, by the round's own instrument: a ministry consulted now and
        # then is listed its 926 instruments (at ten years of data) by an index probe for each
        # (``round_instrument_version``), 7 ms, where the way through the process joined every
        # round (17).
        return Instrument.objects.filter(
            rounds__consultations__organisation__in=reviewed_organisations(person)
        ).distinct()

    def lends(self, user, principal, action, instrument):
        return action == "view_header" and not self.is_internal(principal)

    def lent_objects(self, user, principal, action):
        if action == "view_header" and not self.is_internal(principal):
            return Q()
        return Q(pk__in=[])

    # create: whoever holds the drafter's right to add instruments
    def may_create(self, person):
        return ADD_INSTRUMENT in self.rights(person)

    # edit (its text, its schedule, restoring a version): its drafters — being named one is
    # the right, whatever their role (a legal officer can be a co-drafter) — while theirs
    def may_edit(self, person, instrument):
        return instrument.status in EDITABLE_STATUSES and self.is_drafter_of(person, instrument)

    def edit_objects(self, person):
        return Instrument.objects.filter(
            self._drafts(person), status__in=EDITABLE_STATUSES
        ).distinct()

    # save_version: freezing the working draft as a named version — as edit
    may_save_version = may_edit
    save_version_objects = edit_objects

    # submit: its drafters, a draft not already in a process
    def may_submit(self, person, instrument):
        return (
            instrument.status == Instrument.Status.DRAFT
            and self.is_drafter_of(person, instrument)
            and not instrument.processes.filter(status=STATUS.NEW).exists()
        )

    def submit_objects(self, person):
        return (
            Instrument.objects.filter(self._drafts(person), status=Instrument.Status.DRAFT)
            .exclude(processes__status=STATUS.NEW)
            .distinct()
        )

    # draft: be one of its drafters (to submit it, answer its comments, freeze a version)
    def may_draft(self, person, instrument):
        return self.is_drafter_of(person, instrument)

    def draft_objects(self, person):
        return Instrument.objects.filter(self._drafts(person)).distinct()


instrument_policy = InstrumentPolicy()
