"""The approval process, read top to bottom as it runs.

Drafting happens outside the process: a draft enters it when its drafter submits it
(``services.process_start``), and a return brings it back to the drafter inside it.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from documents.models import Instrument
from workflows.models import ApprovalProcess
from workflows.views import ResubmitView, ReviewView


class ApprovalFlow(flow.Flow):
    process_class = ApprovalProcess
    process_title = _("Approval of an instrument")
    process_description = _("Internal review of a draft instrument.")
    # Row lock on the process: two people finishing steps of one process queue up.
    lock_impl = lock.SelectForUpdateLock(nowait=False, attempts=1)

    start = flow.StartHandle(this.start_process).Next(this.chief_review)

    chief_review = (
        flow.View(ReviewView.as_view())
        .Annotation(title=_("Office chief review"))
        .Permission("workflows.review_as_office_chief")
        .Next(this.after_chief_review)
    )
    after_chief_review = (
        flow.If(lambda activation: activation.process.approved)
        .Annotation(title=_("Approved by the office chief?"))
        .Then(this.director_review)
        .Else(this.returned)
    )

    director_review = (
        flow.View(ReviewView.as_view())
        .Annotation(title=_("Department director review"))
        .Permission("workflows.review_as_director")
        .Next(this.after_director_review)
    )
    after_director_review = (
        flow.If(lambda activation: activation.process.approved)
        .Annotation(title=_("Approved by the director?"))
        .Then(this.internal_review_passed)
        .Else(this.returned)
    )

    returned = (
        flow.Function(this.mark_returned)
        .Annotation(title=_("Returned to the drafter"))
        .Next(this.revise)
    )
    revise = (
        flow.View(ResubmitView.as_view())
        .Annotation(title=_("Revise the draft"))
        .Assign(lambda activation: activation.process.instrument.lead_drafter)
        .Next(this.resubmitted)
    )
    resubmitted = (
        flow.Function(this.mark_in_review)
        .Annotation(title=_("Back in review"))
        .Next(this.chief_review)
    )

    internal_review_passed = (
        flow.Function(this.mark_reviewed)
        .Annotation(title=_("Internal review passed"))
        .Next(this.end)
    )
    end = flow.End()

    def start_process(self, activation, instrument, user):
        activation.process.instrument = instrument
        activation.task.owner = user
        self._set_status(instrument, Instrument.Status.INTERNAL_REVIEW)
        return activation.process

    def mark_returned(self, activation):
        self._set_status(activation.process.instrument, Instrument.Status.DRAFT)

    def mark_in_review(self, activation):
        self._set_status(activation.process.instrument, Instrument.Status.INTERNAL_REVIEW)

    def mark_reviewed(self, activation):
        self._set_status(activation.process.instrument, Instrument.Status.CONSULTATION)

    @staticmethod
    def _set_status(instrument, status):
        from workflows.services import instrument_set_status

        instrument_set_status(instrument=instrument, status=status)
