"""Who may do what in the approval process: processes, their steps (viewflow's tasks),
consultation rounds, consultations, comments and the versions sent.

Pages, services, viewflow's lists, detail pages and task nodes, and the admin ask these
policies and nothing else. Internal staff (``documents.permissions``: whoever holds
``documents.view_instrument``) see the whole process; a consulted organisation's ministry
reviewer (the role, turned into a right on their organisation by ``organisations.backends``)
only their organisation's consultations, tasks and comments, and the whole matrix once the
director publishes it.

Delegation works the same for every step: someone acting for B (``organisations.policies``)
holds B's rights on B's steps — the tasks B holds, or that wait in a queue for a right B
holds — and on the rounds of B's unit, no more. Nobody acts through a delegation on a step of
an instrument they drafted (separation of duties); on their own steps they act as themself.
"""

from django.db.models import Exists, OuterRef, Q
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from documents.models import Instrument, Version
from documents.permissions import InstrumentPolicy
from organisations.backends import (
    acting_for_task,
    organisation_review_permission,
    reviewed_organisations,
)
from organisations.models import User
from organisations.policies import Policy
from organisations.roles import Role
from organisations.selectors import unit_ids, unwrapped
from workflows.models import ApprovalProcess, Comment, Consultation, ConsultationRound

REVIEW_AS_DIRECTOR = "workflows.review_as_director"
REASSIGN_TASK = "workflows.reassign_task"
CHANGE_INSTRUMENT = "documents.change_instrument"
OPEN = (STATUS.NEW, STATUS.ASSIGNED)

internal = InstrumentPolicy.is_internal


def unit_led_by(person) -> set[int]:
    """The organisation ``person`` leads as a chief or director, with everything under it:
    read once per user object (a page asks it of every open step)."""
    person = unwrapped(person)
    if "_lekhit_unit" not in person.__dict__:
        person._lekhit_unit = unit_ids(person.organisation_id)
    return person._lekhit_unit


def _drafted_by(user, process_id) -> bool:
    return (
        Instrument.objects.filter(processes__pk=process_id)
        .filter(Q(lead_drafter=user) | Q(co_drafters=user))
        .exists()
    )


def _drafted_by_filter(user) -> Q:
    drafted = Instrument.objects.filter(Q(lead_drafter=user) | Q(co_drafters=user))
    return Q(process__approvalprocess__instrument__in=drafted.values("pk"))


MANAGE_PROCESS = "workflows.manage_approvalprocess"


class ProcessPolicy(Policy):
    model = ApprovalProcess
    actions = ("view", "view_record", "view_record_any", "manage", "manage_any")
    delegable = frozenset({"view"})
    without_object = frozenset({"view_record_any", "manage_any"})

    # manage: viewflow's flow manager (cancel, undo, revive a step) — no role gives it, a
    # superuser holds it (as every right)
    def may_manage_any(self, person):
        return person.is_superuser or MANAGE_PROCESS in self.rights(person)

    def may_manage(self, person, process):
        return self.may_manage_any(person)

    def manage_objects(self, person):
        if self.may_manage_any(person):
            return ApprovalProcess.objects.all()
        return ApprovalProcess.objects.none()

    def may_view(self, person, process):
        return internal(person) or (
            Consultation.objects.filter(
                round__process=process, organisation__in=reviewed_organisations(person)
            ).exists()
        )

    def view_objects(self, person):
        if internal(person):
            return ApprovalProcess.objects.all()
        # EXISTS, not a DISTINCT join: the pager counts the processes without first
        # gathering every consultation of the organisation.
        consulted = Consultation.objects.filter(
            round__process=OuterRef("pk"), organisation__in=reviewed_organisations(person)
        )
        return ApprovalProcess.objects.filter(Exists(consulted))

    def lends(self, user, principal, action, process):
        return not internal(principal)  # what B's consultations showed B

    def lent_objects(self, user, principal, action):
        return Q() if not internal(principal) else Q(pk__in=[])

    # view_record: the audit trail, open steps, reasons and officials' names, the working
    # draft, the process's own viewflow pages — internal staff only
    def may_view_record(self, person, process):
        return internal(person)

    def view_record_objects(self, person):
        return ApprovalProcess.objects.all() if internal(person) else ApprovalProcess.objects.none()

    # view_record_any: the same record on pages of no one process (the board of open steps,
    # a chart, the API's answers): internal staff only
    def may_view_record_any(self, person):
        return internal(person)


class TaskPolicy(Policy):
    """A step of the process (viewflow's task): open its pages, take it from its queue,
    complete it, give it to someone else, or be someone who could hold it."""

    model = Task
    actions = ("view", "take", "complete", "reassign", "hold")
    delegable = frozenset({"view", "take", "complete", "reassign"})

    # B's steps: the tasks B holds, and those waiting in a queue for a right B holds
    def lends(self, user, principal, action, task):
        if action in ("take", "complete") and _drafted_by(user, task.process_id):
            return False
        if task.owner_id is not None:
            return task.owner_id == principal.pk
        return bool(task.owner_permission) and task.owner_permission in self.rights(principal)

    def lent_objects(self, user, principal, action):
        steps = Q(owner=principal) | Q(
            owner__isnull=True, owner_permission__in=self.rights(principal)
        )
        if action in ("take", "complete"):
            steps &= ~_drafted_by_filter(user)
        return steps

    # view: internal staff every step; a reviewer their organisation's consultation tasks
    def may_view(self, person, task):
        return internal(person) or (
            Consultation.objects.filter(
                task_id=task.pk, organisation__in=reviewed_organisations(person)
            ).exists()
        )

    def view_objects(self, person):
        if internal(person):
            return Task.objects.all()
        return Task.objects.filter(
            pk__in=Consultation.objects.filter(
                organisation__in=reviewed_organisations(person), task__isnull=False
            ).values("task_id")
        )

    # take: a task still in its queue, by whoever holds the right it asks for
    def may_take(self, person, task):
        if task.owner_id is not None:
            return False
        return not task.owner_permission or task.owner_permission in self.rights(person)

    def take_objects(self, person):
        return Task.objects.filter(owner__isnull=True).filter(
            Q(owner_permission__isnull=True)
            | Q(owner_permission="")
            | Q(owner_permission__in=self.rights(person))
        )

    # complete: the task's holder — not one they took through a delegation, on their draft
    def may_complete(self, person, task):
        if task.owner_id != person.pk:
            return False
        lent = acting_for_task(person, task) is not None
        return not (lent and _drafted_by(person, task.process_id))

    def complete_objects(self, person):
        return Task.objects.filter(owner=person)

    # reassign: an office chief or the director, an open step of their unit (or in a queue)
    def may_reassign(self, person, task):
        if REASSIGN_TASK not in self.rights(person):
            return False
        if task.status not in OPEN or task.flow_task_type != "HUMAN":
            return False
        return task.owner_id is None or task.owner.organisation_id in unit_led_by(person)

    def reassign_objects(self, person):
        if REASSIGN_TASK not in self.rights(person):
            return Task.objects.none()
        return Task.objects.filter(status__in=OPEN, flow_task_type="HUMAN").filter(
            Q(owner__isnull=True) | Q(owner__organisation__in=unit_led_by(person))
        )

    def reassign_unit(self, user, task) -> set[int]:
        """Where ``user`` may give ``task``: the unit of whoever they reassign it as."""
        principal = self.acting_for(user, "reassign", task) or user
        return unit_led_by(principal)

    # hold: could this person be given the task (by their own rights, never a delegation's)
    def may_hold(self, person, task):
        if task.owner_permission:
            return task.owner_permission in self.rights(person)
        return CHANGE_INSTRUMENT in self.rights(person)  # the lead drafter's steps

    def hold_objects(self, person):
        rights = self.rights(person)
        held = Q(owner_permission__in=rights)
        if CHANGE_INSTRUMENT in rights:
            held |= Q(owner_permission__isnull=True) | Q(owner_permission="")
        return Task.objects.filter(held)

    def holders(self, task):
        """The people ``task`` is meant for: whoever could hold it by their own rights
        (``hold``), a superuser aside (one holds every right, and is meant for no step of
        its own). A step in a queue with one of them is theirs from the start (the flow
        assigns it); with several it waits for one of them to take it. ``[]`` for a step of
        no queue (the lead drafter's, which the flow gives them)."""
        permission = task.owner_permission
        if not permission:
            return User.objects.none()
        people = User.objects.filter(is_active=True, is_superuser=False)
        review_prefix = organisation_review_permission(0)[:-1]
        if permission.startswith(review_prefix):
            # ``organisations.backends``: the ministry reviewer role, in that organisation
            return people.filter(
                organisation_id=int(permission[len(review_prefix) :]),
                groups__name=Role.MINISTRY_REVIEWER.value,
            ).distinct()
        app_label, _, codename = permission.partition(".")
        granted = {"content_type__app_label": app_label, "codename": codename}
        return people.filter(
            Q(**{f"groups__permissions__{k}": v for k, v in granted.items()})
            | Q(**{f"user_permissions__{k}": v for k, v in granted.items()})
        ).distinct()


class RoundPolicy(Policy):
    """A consultation round: see its answers, close what is left of it, publish its matrix."""

    model = ConsultationRound
    actions = ("view", "view_answers", "close", "publish_matrix")
    delegable = frozenset({"view", "view_answers", "close", "publish_matrix"})

    def _of_unit(self, principal) -> Q:
        """The rounds of B's unit: instruments owned by B's organisation or under it."""
        return Q(instrument__owning_office__in=unit_led_by(principal)) | Q(
            instrument__owning_office__isnull=True
        )

    def lends(self, user, principal, action, consultation_round):
        if action in ("view", "view_answers"):  # what was sent to B's organisation
            return not internal(principal)
        office = consultation_round.instrument.owning_office_id
        return office is None or office in unit_led_by(principal)

    def lent_objects(self, user, principal, action):
        if action in ("view", "view_answers"):
            return Q() if not internal(principal) else Q(pk__in=[])
        return self._of_unit(principal)

    def may_view(self, person, consultation_round):
        return (
            internal(person)
            or consultation_round.consultations.filter(
                organisation__in=reviewed_organisations(person)
            ).exists()
        )

    def view_objects(self, person):
        if internal(person):
            return ConsultationRound.objects.all()
        return ConsultationRound.objects.filter(
            consultations__organisation__in=reviewed_organisations(person)
        ).distinct()

    # view_answers: the drafters' answers — internal staff at once, the consulted
    # organisations once the matrix is published
    def may_view_answers(self, person, consultation_round):
        if internal(person):
            return True
        return consultation_round.matrix_published_at is not None and self.may_view(
            person, consultation_round
        )

    def view_answers_objects(self, person):
        if internal(person):
            return ConsultationRound.objects.all()
        return self.view_objects(person).filter(matrix_published_at__isnull=False)

    # close / publish_matrix: the director
    def may_close(self, person, consultation_round):
        return REVIEW_AS_DIRECTOR in self.rights(person)

    def close_objects(self, person):
        if REVIEW_AS_DIRECTOR in self.rights(person):
            return ConsultationRound.objects.all()
        return ConsultationRound.objects.none()

    may_publish_matrix = may_close
    publish_matrix_objects = close_objects


class ConsultationPolicy(Policy):
    """One organisation's consultation in a round: see it, comment and answer on it."""

    model = Consultation
    actions = ("view", "comment")
    delegable = frozenset({"view", "comment"})

    def lends(self, user, principal, action, consultation):
        return consultation.organisation_id in reviewed_organisations(principal)

    def lent_objects(self, user, principal, action):
        return Q(organisation__in=reviewed_organisations(principal))

    def may_view(self, person, consultation):
        return internal(person) or consultation.organisation_id in reviewed_organisations(person)

    def view_objects(self, person):
        if internal(person):
            return Consultation.objects.all()
        return Consultation.objects.filter(organisation__in=reviewed_organisations(person))

    # comment: the consulted organisation's reviewers (not a superuser as such)
    def may_comment(self, person, consultation):
        return consultation.organisation_id in reviewed_organisations(person)

    def comment_objects(self, person):
        return Consultation.objects.filter(organisation__in=reviewed_organisations(person))


class CommentPolicy(Policy):
    """A consulted organisation's comment: who reads it, who deletes it."""

    model = Comment
    actions = ("view", "delete")
    delegable = frozenset({"view"})

    def lends(self, user, principal, action, comment):
        return not internal(principal)

    def lent_objects(self, user, principal, action):
        return Q() if not internal(principal) else Q(pk__in=[])

    def _published_to(self, person) -> Q:
        """Comments of a round whose matrix is published, to an organisation it consulted."""
        consulted = Consultation.objects.filter(
            round=OuterRef("consultation__round"), organisation__in=reviewed_organisations(person)
        )
        return Q(consultation__round__matrix_published_at__isnull=False) & Q(Exists(consulted))

    def may_view(self, person, comment):
        return self.view_objects(person).filter(pk=comment.pk).exists()

    def view_objects(self, person):
        if internal(person):
            return Comment.objects.all()
        mine = reviewed_organisations(person)
        return Comment.objects.filter(
            Q(consultation__organisation__in=mine) | self._published_to(person)
        )

    # delete: its author, a reviewer of the organisation
    def may_delete(self, person, comment):
        return comment.author_id == person.pk and comment.consultation.organisation_id in (
            reviewed_organisations(person)
        )

    def delete_objects(self, person):
        return Comment.objects.filter(
            author=person, consultation__organisation__in=reviewed_organisations(person)
        )


class VersionPolicy(Policy):
    """A frozen version of an instrument's text: internal staff every one; anyone else the
    versions sent to an organisation whose consultations they see — never the text signed
    after the consultation, which is public on ``/verify/<sha256>/`` instead."""

    model = Version
    actions = ("view",)
    delegable = frozenset({"view"})

    def lends(self, user, principal, action, version):
        return not internal(principal)

    def lent_objects(self, user, principal, action):
        return Q() if not internal(principal) else Q(pk__in=[])

    def may_view(self, person, version):
        return internal(person) or self.view_objects(person).filter(pk=version.pk).exists()

    def view_objects(self, person):
        if internal(person):
            return Version.objects.all()
        return Version.objects.filter(
            pk__in=Consultation.objects.filter(
                organisation__in=reviewed_organisations(person)
            ).values("round__version")
        )


process_policy = ProcessPolicy()
task_policy = TaskPolicy()
round_policy = RoundPolicy()
consultation_policy = ConsultationPolicy()
comment_policy = CommentPolicy()
version_policy = VersionPolicy()
