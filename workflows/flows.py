"""The approval process, read top to bottom as it runs.

Drafting happens outside the process: a draft enters it when its drafter submits it
(``services.process_start``). Returns loop back to the drafter, never end the process; only the
director-general's rejection does. A draft the director-general returns is revised by the
drafter (consolidation), approved again by the department director, checked again by the legal
reviewer, and only then goes back to the director-general. Every step's work — checks,
versions, audit — is done by ``workflows.services``; the nodes here only say who does what
next.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from organisations.backends import organisation_review_permission
from workflows import nodes, permissions, selectors, services, views
from workflows.models import ApprovalProcess, Decision, NextStep, SignOffDecision
from workflows.task_urls import guard_task_urls


def _after_a_return_by_the_director_general(activation):
    """The condition "the consolidation just finished revised a draft the director-general
    returned": the consolidation task was created by the sign-off's gateway."""
    consolidation = getattr(activation, "previous_task", None) or activation.task.previous.get()
    return consolidation.previous.filter(flow_task=ApprovalFlow.after_sign_off).exists()


def _after_consultation(activation):
    """The condition "the director approves a draft already consulted on": the text has been
    through a round (so it came back after the director-general returned it) and goes on to
    legal review, not to a first consultation."""
    return activation.process.rounds.exists()


def _lead_drafter(activation):
    return activation.process.instrument.lead_drafter


def _decided(key, value):
    """The condition "the step just done decided ``value``": each human step's service keeps
    what was decided in its task's data (``decision``, ``next_step``). The step hands its
    task to the gateway after it (``nodes.ViewActivation``); else (a gateway revived by an
    administrator) it is read back: a gateway has one task before it."""

    def condition(activation):
        previous = getattr(activation, "previous_task", None) or activation.task.previous.get()
        return previous.data.get(key) == value

    return condition


def _both(first, second):
    def condition(activation):
        return first(activation) and second(activation)

    return condition


class ApprovalFlow(flow.Flow):
    process_class = ApprovalProcess
    process_title = _("Approval of an instrument")
    process_description = _(
        "Internal review, consultation of the ministries concerned, consolidation, legal "
        "review, sign-off by the director-general and registration."
    )
    # A row lock on the process (SELECT ... FOR UPDATE, waited for): two people finishing
    # steps of one process queue up, so that the join of a consultation round sees every
    # answer exactly once. Each step reads its task once this lock is held
    # (``services.task_activation``). On SQLite the IMMEDIATE transaction is the lock.
    lock_impl = lock.SelectForUpdateLock(nowait=False, attempts=1)

    start = (
        flow.StartHandle(this.start_process)
        .Annotation(title=_("Submitted for review"))
        .Next(this.chief_review)
    )

    # --- Internal review --------------------------------------------------------------
    chief_review = (
        nodes.View(views.ReviewView.as_view())
        .Annotation(title=_("Office chief review"))
        .Permission("workflows.review_as_office_chief")
        .Assign(this.sole_holder)
        .onCreate(this.task_created)
        .Next(this.after_chief_review)
    )
    after_chief_review = (
        flow.If(_decided("decision", Decision.APPROVE))
        .Annotation(title=_("Approved by the office chief?"))
        .Then(this.director_review)
        .Else(this.revise)
    )
    director_review = (
        nodes.View(views.ReviewView.as_view())
        .Annotation(title=_("Department director review"))
        .Permission("workflows.review_as_director")
        .Assign(this.sole_holder)
        .onCreate(this.task_created)
        .Next(this.after_director_review)
    )
    # Approved before any consultation: the ministries are consulted. Approved after the
    # director-general returned the consulted text (see after_consolidation): legal review.
    after_director_review = (
        flow.Switch()
        .Annotation(title=_("Approved by the director?"))
        .Case(this.legal_review, _both(_decided("decision", Decision.APPROVE), _after_consultation))
        .Case(this.plan_round, _decided("decision", Decision.APPROVE))
        .Default(this.revise)
    )
    revise = (
        nodes.View(views.ResubmitView.as_view())
        .Annotation(title=_("Revise the draft"))
        .Assign(_lead_drafter)
        .onCreate(this.task_created)
        .Next(this.chief_review)
    )

    # --- Consultation rounds ----------------------------------------------------------
    plan_round = (
        nodes.View(views.PlanRoundView.as_view())
        .Annotation(title=_("Choose the organisations to consult"))
        .Assign(_lead_drafter)
        .onCreate(this.task_created)
        .Next(this.consult)
    )
    consult = (
        nodes.ForEach()
        .Annotation(title=_("Consult each organisation"))
        .Next(this.organisation_review, data_source=this.consulted_organisations)
    )
    organisation_review = (
        nodes.View(views.OrganisationReviewView.as_view())
        .Annotation(title=_("Review by a consulted organisation"))
        .Permission(
            lambda activation: organisation_review_permission(
                activation.task.data["organisation_id"]
            )
        )
        .Assign(this.sole_holder)
        .onCreate(this.consultation_task_created)
        .Next(this.round_answered)
    )
    round_answered = flow.Join().Annotation(title=_("All have answered")).Next(this.close_round)
    close_round = (
        flow.Function(this.round_closed)
        .Annotation(title=_("Close the round"))
        .Next(this.consolidate)
    )
    consolidate = (
        nodes.View(views.ConsolidateView.as_view())
        .Annotation(title=_("Answer every comment and revise"))
        .Assign(_lead_drafter)
        .onCreate(this.task_created)
        .Next(this.after_consolidation)
    )
    # A draft the director-general returned goes back through the department director, who
    # answers for the department's text to the director-general, before legal review.
    after_consolidation = (
        flow.Switch()
        .Annotation(title=_("Another round?"))
        .Case(this.plan_round, _decided("next_step", NextStep.ROUND))
        .Case(this.director_review, _after_a_return_by_the_director_general)
        .Default(this.legal_review)
    )

    # --- Legal review and sign-off ----------------------------------------------------
    legal_review = (
        nodes.View(views.ReviewView.as_view())
        .Annotation(title=_("Legal review"))
        .Permission("workflows.review_legal")
        .Assign(this.sole_holder)
        .onCreate(this.task_created)
        .Next(this.after_legal_review)
    )
    after_legal_review = (
        flow.If(_decided("decision", Decision.APPROVE))
        .Annotation(title=_("Approved by the legal reviewer?"))
        .Then(this.sign_off)
        .Else(this.consolidate)
    )
    sign_off = (
        nodes.View(views.SignOffView.as_view())
        .Annotation(title=_("Sign-off by the director-general"))
        .Permission("workflows.sign_off")
        .Assign(this.sole_holder)
        .onCreate(this.task_created)
        .Next(this.after_sign_off)
    )
    after_sign_off = (
        flow.Switch()
        .Annotation(title=_("Signed?"))
        .Case(this.register, _decided("decision", SignOffDecision.APPROVE))
        .Case(this.consolidate, _decided("decision", SignOffDecision.RETURN))
        .Default(this.rejected)
    )
    register = (
        nodes.View(views.RegisterView.as_view())
        .Annotation(title=_("Number and archive"))
        .Permission("workflows.register")
        .Assign(this.sole_holder)
        .onCreate(this.task_created)
        .Next(this.end)
    )
    rejected = flow.End().Annotation(title=_("Rejected"))
    end = flow.End().Annotation(title=_("Registered"))

    # --- Callbacks: each hands over to a service -------------------------------------

    def start_process(self, activation, instrument, user):
        return services.on_process_started(activation=activation, instrument=instrument, user=user)

    def sole_holder(self, activation):
        """A step meant for one person is theirs at once; for several, it waits in the
        queue of each of them (``selectors.sole_holder``)."""
        return selectors.sole_holder(task=activation.task)

    def task_created(self, activation):
        services.on_task_created(activation=activation)

    def consulted_organisations(self, activation):
        return services.round_branches(process=activation.process)

    def consultation_task_created(self, activation):
        services.on_consultation_task_created(activation=activation)

    def round_closed(self, activation):
        services.on_round_closed(activation=activation)

    def _get_urls(self):
        """Viewflow's URLs of the flow and of every node, each task URL answering only for a
        task of its node and its process (``workflows.task_urls``)."""
        return guard_task_urls(type(self), super()._get_urls())

    def has_view_permission(self, user, obj=None):
        """Viewflow asks this for every page of the flow: whoever works in the process may
        open its pages (``organisations.permissions``: a role in it, or acting for someone
        who has one); a given process or task only those its policy lets see it
        (``workflows.permissions``; the viewset refuses every task URL on the same answer)."""
        from viewflow.workflow.models import Task

        from organisations.permissions import user_policy

        if not user_policy.user_may(user, "work_in_process"):
            return False
        if obj is None:
            return True
        if isinstance(obj, Task):
            return permissions.task_policy.user_may(user, "view", obj)
        return permissions.process_policy.user_may(user, "view", _ours(obj))

    def has_manage_permission(self, user, obj=None):
        """Viewflow's flow manager (cancel, undo, revive steps): ``ProcessPolicy.manage``."""
        if obj is None:
            return permissions.process_policy.user_may(user, "manage_any")
        return permissions.process_policy.user_may(user, "manage", _ours(obj))


def _ours(process):
    """Viewflow hands its own ``Process`` row at times: the policy is about ours."""
    if isinstance(process, ApprovalProcess):
        return process
    return ApprovalProcess.objects.get(pk=process.pk)
