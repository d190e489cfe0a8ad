# ruff: noqa: E501 - the table below is read as a table: one line per action and object
"""Every action of every policy, for every role, on their own and on another's object,
delegated and not: the answer expected is in ``TABLE``.

Columns are people. Those without ``>`` act with their own rights only (no delegation in
force for them); ``a>b`` is ``a`` acting for ``b`` (a delegation from ``b`` in force today):

    drf     the drafter (of ``draft``, ``own_review``, ``at_director``, ``held``, ``consulting``)
    drf2>chf  a second drafter of the same office (of ``draft2``, ``other_review``), acting for
            the office chief — who may therefore take the chief's steps, but not on a draft
            of their own (separation of duties)
    chf dir leg dg reg adm   the office chief, the director, legal, the director-general,
            the registry, the administrator
    ddir>dir  the director's deputy (no role of their own), acting for the director: the
            director's rights on the director's steps (``at_director``'s and ``held``'s
            tasks and deadlines, the round of the director's unit), not on the chief's
    ddg>dg  the deputy director-general (no role), acting for the director-general
    mef moh  the ministry reviewers of MEF (consulted by ``consulting``) and of MoH (not)
    hmoh    the head of MoH: no role in the process
    hmef>mef  the head of MEF, acting for MEF's reviewer

Y: ``user_may`` says yes; N: no. For an action on objects, ``queryset(user, action)`` must
agree on each object, for each person.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from documents import services as documents
from documents.models import Instrument, InstrumentType, Provision, Version
from documents.permissions import instrument_policy
from organisations import services as people
from organisations.models import Delegation, Organisation, User
from organisations.permissions import delegation_policy, user_policy
from organisations.roles import Role
from tasks.models import TaskDeadline
from tasks.permissions import deadline_policy
from workflows import selectors, services
from workflows.flows import ApprovalFlow
from workflows.models import Comment, Consultation
from workflows.permissions import (
    comment_policy,
    consultation_policy,
    process_policy,
    round_policy,
    task_policy,
    version_policy,
)
from workflows.tests.conftest import act, internal_approvals, open_round, open_task

POLICIES = {
    "instrument": instrument_policy,
    "process": process_policy,
    "task": task_policy,
    "round": round_policy,
    "consultation": consultation_policy,
    "comment": comment_policy,
    "version": version_policy,
    "deadline": deadline_policy,
    "user": user_policy,
    "delegation": delegation_policy,
}

PEOPLE = {
    "drf": "drafter",
    "drf2>chf": "drafter2",
    "chf": "chief",
    "dir": "director",
    "ddir>dir": "deputy-director",
    "leg": "legal",
    "dg": "dg",
    "ddg>dg": "deputy-dg",
    "reg": "registry",
    "adm": "admin",
    "mef": "reviewer-mef",
    "moh": "reviewer-moh",
    "hmoh": "head-moh",
    "hmef>mef": "head-mef",
}

TABLE = """
action                    object              drf drf2>chf chf dir ddir>dir leg dg ddg>dg reg adm mef moh hmoh hmef>mef
# --- Instruments: internal staff read every one (a consulted reviewer, its header); only its
# drafters change it, while theirs
instrument.view           draft               Y   Y        Y   Y   N        Y   Y  N      Y   Y   N   N   N    N
instrument.view           consulting          Y   Y        Y   Y   N        Y   Y  N      Y   Y   N   N   N    N
instrument.view_header    draft               Y   Y        Y   Y   N        Y   Y  N      Y   Y   N   N   N    N
instrument.view_header    consulting          Y   Y        Y   Y   N        Y   Y  N      Y   Y   Y   N   N    Y
instrument.create         -                   Y   Y        N   N   N        N   N  N      N   N   N   N   N    N
instrument.edit           draft               Y   N        N   N   N        N   N  N      N   N   N   N   N    N
instrument.edit           draft2              N   Y        N   N   N        N   N  N      N   N   N   N   N    N
instrument.edit           own_review          N   N        N   N   N        N   N  N      N   N   N   N   N    N
instrument.save_version   draft               Y   N        N   N   N        N   N  N      N   N   N   N   N    N
instrument.save_version   consulting          N   N        N   N   N        N   N  N      N   N   N   N   N    N
instrument.submit         draft               Y   N        N   N   N        N   N  N      N   N   N   N   N    N
instrument.submit         draft2              N   Y        N   N   N        N   N  N      N   N   N   N   N    N
instrument.submit         own_review          N   N        N   N   N        N   N  N      N   N   N   N   N    N
instrument.draft          own_review          Y   N        N   N   N        N   N  N      N   N   N   N   N    N
instrument.draft          other_review        N   Y        N   N   N        N   N  N      N   N   N   N   N    N
# --- Processes: a reviewer (or their delegate) only one that consulted their organisation
process.view              own_review          Y   Y        Y   Y   N        Y   Y  N      Y   Y   N   N   N    N
process.view              consulting          Y   Y        Y   Y   N        Y   Y  N      Y   Y   Y   N   N    Y
process.view_record       consulting          Y   Y        Y   Y   N        Y   Y  N      Y   Y   N   N   N    N
process.view_record_any   -                   Y   Y        Y   Y   N        Y   Y  N      Y   Y   N   N   N    N
process.manage            consulting          N   N        N   N   N        N   N  N      N   N   N   N   N    N
process.manage_any        -                   N   N        N   N   N        N   N  N      N   N   N   N   N    N
# --- Steps: the chief's (queued), the director's (queued, and held by the director), MEF's
task.view                 chief_own           Y   Y        Y   Y   N        Y   Y  N      Y   Y   N   N   N    N
task.view                 director_queued     Y   Y        Y   Y   Y        Y   Y  N      Y   Y   N   N   N    N
task.view                 mef_review          Y   Y        Y   Y   N        Y   Y  N      Y   Y   Y   N   N    Y
task.take                 chief_own           N   Y        Y   N   N        N   N  N      N   N   N   N   N    N
task.take                 chief_other         N   N        Y   N   N        N   N  N      N   N   N   N   N    N
task.take                 director_queued     N   N        N   Y   Y        N   N  N      N   N   N   N   N    N
task.take                 director_held       N   N        N   N   N        N   N  N      N   N   N   N   N    N
task.take                 mef_review          N   N        N   N   N        N   N  N      N   N   Y   N   N    Y
task.complete             director_held       N   N        N   Y   Y        N   N  N      N   N   N   N   N    N
task.complete             chief_own           N   N        N   N   N        N   N  N      N   N   N   N   N    N
task.reassign             chief_own           N   Y        Y   Y   N        N   N  N      N   N   N   N   N    N
task.reassign             director_queued     N   N        Y   Y   Y        N   N  N      N   N   N   N   N    N
task.reassign             director_held       N   N        N   Y   Y        N   N  N      N   N   N   N   N    N
task.reassign             mef_review          N   N        Y   Y   N        N   N  N      N   N   N   N   N    N
task.hold                 chief_own           N   N        Y   N   N        N   N  N      N   N   N   N   N    N
task.hold                 director_queued     N   N        N   Y   N        N   N  N      N   N   N   N   N    N
task.hold                 mef_review          N   N        N   N   N        N   N  N      N   N   Y   N   N    N
# --- Deadlines: a director or the DG any; a delegate of one, on that person's steps only
deadline.extend           chief_own           N   N        N   Y   N        N   Y  N      N   N   N   N   N    N
deadline.extend           director_queued     N   N        N   Y   Y        N   Y  N      N   N   N   N   N    N
deadline.extend           director_held       N   N        N   Y   Y        N   Y  N      N   N   N   N   N    N
deadline.extend           mef_review          N   N        N   Y   N        N   Y  N      N   N   N   N   N    N
# --- The round: the director closes it and publishes its matrix (their delegate too: it is
# a round of the director's unit); the answers, to the organisations once published
round.view                round               Y   Y        Y   Y   N        Y   Y  N      Y   Y   Y   N   N    Y
round.view_answers        round               Y   Y        Y   Y   N        Y   Y  N      Y   Y   N   N   N    N
round.close               round               N   N        N   Y   Y        N   N  N      N   N   N   N   N    N
round.publish_matrix      round               N   N        N   Y   Y        N   N  N      N   N   N   N   N    N
# --- MEF's consultation and comment: its reviewers (and their delegate), never another's
consultation.view         mef                 Y   Y        Y   Y   N        Y   Y  N      Y   Y   Y   N   N    Y
consultation.comment      mef                 N   N        N   N   N        N   N  N      N   N   Y   N   N    Y
comment.view              mef                 Y   Y        Y   Y   N        Y   Y  N      Y   Y   Y   N   N    Y
comment.delete            mef                 N   N        N   N   N        N   N  N      N   N   Y   N   N    N
# --- Versions: the one sent to MEF, and one never sent
version.view              sent                Y   Y        Y   Y   N        Y   Y  N      Y   Y   Y   N   N    Y
version.view              unsent              Y   Y        Y   Y   N        Y   Y  N      Y   Y   N   N   N    N
# --- People: rights over rights are one's own, never lent
user.change               drafter             N   N        N   N   N        N   N  N      N   N   N   N   N    N
user.change               head_moh            N   N        N   N   N        N   N  N      N   Y   N   N   N    N
user.change_roles         -                   N   N        N   N   N        N   N  N      N   Y   N   N   N    N
user.record_absence       drafter             Y   N        N   N   N        N   N  N      N   N   N   N   N    N
user.record_absence       head_moh            N   N        N   N   N        N   N  N      N   Y   N   N   Y    N
user.name_as_delegate     drafter             N   Y        Y   Y   Y        Y   N  N      Y   Y   N   N   N    N
user.work_in_process      -                   Y   Y        Y   Y   Y        Y   Y  Y      Y   Y   Y   Y   N    Y
delegation.end            director_away       N   N        N   Y   N        N   N  N      N   N   N   N   N    N
delegation.end            mef_away            N   N        N   N   N        N   N  N      N   Y   Y   N   N    N
delegation.end_any        -                   N   N        N   N   N        N   N  N      N   Y   N   N   N    N
"""


def _rows():
    lines = [line for line in TABLE.strip().splitlines() if not line.startswith("#")]
    header = lines[0].split()
    columns = header[2:]
    assert columns == list(PEOPLE), "the table's columns are the people above, in order"
    for line in lines[1:]:
        action, obj, *answers = line.split()
        assert len(answers) == len(columns), line
        policy, action = action.split(".")
        yield policy, action, obj, dict(zip(columns, answers, strict=True))


def _instrument(user, title):
    instrument = documents.instrument_create(
        user=user,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km=title,
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    documents.provision_add(
        instrument=instrument, user=user, kind=Provision.Kind.ARTICLE, text_km="មាត្រា ១។"
    )
    instrument.refresh_from_db()
    return instrument


def _delegate(delegator, delegate):
    today = timezone.localdate()
    return people.delegation_create(
        delegator=delegator, delegate=delegate, starts_on=today, ends_on=today + timedelta(7)
    )


@pytest.fixture
def world(demo):
    dfr, dfr_fr = (Organisation.objects.get(code=code) for code in ("dfr", "dfr-fr"))
    drafter2 = User.objects.create(
        username="drafter2", organisation=dfr_fr, supervisor=demo["chief"]
    )
    people.user_set_roles(user=drafter2, roles=[Role.DRAFTER])
    deputy = User.objects.create(
        username="deputy-director", organisation=dfr, supervisor=demo["director"]
    )
    drafter = demo["drafter"]

    draft = _instrument(drafter, "សេចក្តីព្រាង")
    draft2 = _instrument(drafter2, "សេចក្តីព្រាងទី២")
    own_review = _instrument(drafter, "កំពុងពិនិត្យ")
    own_process = services.process_start(instrument=own_review, user=drafter)
    other_review = _instrument(drafter2, "កំពុងពិនិត្យទី២")
    other_process = services.process_start(instrument=other_review, user=drafter2)
    at_director = services.process_start(instrument=_instrument(drafter, "នាយក"), user=drafter)
    act(
        open_task(at_director, ApprovalFlow.chief_review),
        demo["chief"],
        services.review_decide,
        decision="approve",
        reason="",
    )
    held = services.process_start(instrument=_instrument(drafter, "កាន់"), user=drafter)
    act(
        open_task(held, ApprovalFlow.chief_review),
        demo["chief"],
        services.review_decide,
        decision="approve",
        reason="",
    )
    consulting = _instrument(drafter, "ពិគ្រោះ")
    consulting_process = services.process_start(instrument=consulting, user=drafter)
    internal_approvals(demo, consulting_process)
    consultation_round = open_round(demo, consulting_process, codes=("mef",))
    mef = Consultation.objects.get(round=consultation_round)
    comment = services.comment_add(consultation=mef, user=demo["reviewer-mef"], text="យោបល់")

    director_away = _delegate(demo["director"], deputy)
    _delegate(demo["dg"], demo["deputy-dg"])
    _delegate(demo["chief"], drafter2)
    mef_away = _delegate(demo["reviewer-mef"], demo["head-mef"])

    # The steps "queued" wait in their queue, as a step meant for several people does (the
    # demo has one person per role, to whom the flow gives each step at once).
    for queued in (
        open_task(own_process, ApprovalFlow.chief_review),
        open_task(other_process, ApprovalFlow.chief_review),
        open_task(at_director, ApprovalFlow.director_review),
        open_task(held, ApprovalFlow.director_review),
        mef.task,
    ):
        Task.objects.filter(pk=queued.pk).update(owner=None, status=STATUS.NEW, assigned=None)
    held_task = open_task(held, ApprovalFlow.director_review)
    held_task.flow_task.activation_class(held_task).assign(demo["director"])

    tasks = {
        "chief_own": open_task(own_process, ApprovalFlow.chief_review),
        "chief_other": open_task(other_process, ApprovalFlow.chief_review),
        "director_queued": open_task(at_director, ApprovalFlow.director_review),
        "director_held": open_task(held, ApprovalFlow.director_review),
        "mef_review": mef.task,
    }
    unsent = Version.objects.filter(instrument=own_review).get()
    objects = {
        "instrument": {
            "draft": draft,
            "draft2": draft2,
            "own_review": Instrument.objects.get(pk=own_review.pk),
            "other_review": Instrument.objects.get(pk=other_review.pk),
            "consulting": Instrument.objects.get(pk=consulting.pk),
        },
        "process": {"own_review": own_process, "consulting": consulting_process},
        "task": tasks,
        "deadline": {
            name: TaskDeadline.objects.get(task_id=task.pk) for name, task in tasks.items()
        },
        "round": {"round": consultation_round},
        "consultation": {"mef": mef},
        "comment": {"mef": Comment.objects.get(pk=comment.pk)},
        "version": {"sent": consultation_round.version, "unsent": unsent},
        "user": {"drafter": drafter, "head_moh": demo["head-moh"]},
        "delegation": {
            "director_away": Delegation.objects.get(pk=director_away.pk),
            "mef_away": Delegation.objects.get(pk=mef_away.pk),
        },
    }
    return objects


def _fresh(obj):
    """The object as a page or a job would read it: from the database, nothing cached."""
    return type(obj)._default_manager.get(pk=obj.pk)


def test_the_table_names_every_action_of_every_policy():
    named = {(policy, action) for policy, action, _obj, _answers in _rows()}
    every = {(name, action) for name, policy in POLICIES.items() for action in policy.actions}
    assert every - named == set(), "actions without a line in the table"
    assert named - every == set(), "lines for actions no policy has"


def test_every_policy_action_for_every_role_own_and_others_delegated_or_not(world):
    wrong = []
    for policy_name, action, obj_name, answers in _rows():
        policy = POLICIES[policy_name]
        obj = None if obj_name == "-" else _fresh(world[policy_name][obj_name])
        for column, expected in answers.items():
            user = User.objects.get(username=PEOPLE[column])  # nothing cached from before
            may = policy.user_may(user, action, obj)
            if may != (expected == "Y"):
                wrong.append(f"{policy_name}.{action} {obj_name} {column}: {'Y' if may else 'N'}")
            if obj is not None:
                listed = policy.queryset(user, action).filter(pk=obj.pk).exists()
                if listed != may:
                    wrong.append(
                        f"{policy_name}.{action} {obj_name} {column}: queryset says "
                        f"{'Y' if listed else 'N'}, user_may {'Y' if may else 'N'}"
                    )
    assert not wrong, "\n".join(wrong)


def test_a_delegate_acts_for_the_director_on_the_directors_steps_and_the_audit_says_so(world):
    """Through the services: the deputy extends the deadline of the director's step and
    reassigns it, each recorded as acting for the director; the chief's step they may not."""
    from django.core.exceptions import PermissionDenied

    from tasks.calendar import add_working_days
    from workflows.deadlines import deadline_extend
    from workflows.models import AuditEntry

    deputy = User.objects.get(username="deputy-director")
    director = User.objects.get(username="director")
    queued = _fresh(world["task"]["director_queued"])
    due = TaskDeadline.objects.get(task=queued).due_on
    later = add_working_days(max(due, timezone.localdate()), 2)
    deadline_extend(task=queued, user=deputy, due_on=later, reason="ក្នុងនាមនាយក")
    entry = AuditEntry.objects.filter(action="deadline_extended", task=queued).get()
    assert (entry.actor, entry.acting_for) == (deputy, director)

    chief_own = _fresh(world["task"]["chief_own"])
    with pytest.raises(PermissionDenied):
        deadline_extend(task=chief_own, user=deputy, due_on=later, reason="ក្នុងនាមនាយក")
    with pytest.raises(PermissionDenied):
        services.task_reassign(task=chief_own, user=deputy, to=User.objects.get(username="chief"))

    held = _fresh(world["task"]["director_held"])
    legal = User.objects.get(username="legal")
    assert task_policy.user_may(deputy, "reassign", held)
    assert (
        legal not in selectors.reassign_candidates(tasks=[held], user=deputy)[held.pk]
    )  # not a director
    director_two = User.objects.create(
        username="director-two", organisation=director.organisation, supervisor=director
    )
    people.user_set_roles(user=director_two, roles=[Role.DIRECTOR])
    assert director_two in selectors.reassign_candidates(tasks=[held], user=deputy)[held.pk]
    services.task_reassign(task=held, user=deputy, to=director_two)
    entry = AuditEntry.objects.filter(action="reassigned", task=held).get()
    assert (entry.actor, entry.acting_for) == (deputy, director)
    assert _fresh(held).owner == director_two


def test_an_unknown_action_or_a_wrong_object_is_a_mistake_not_a_no(world):
    drafter = User.objects.get(username="drafter")
    with pytest.raises(ValueError):
        instrument_policy.user_may(drafter, "sign", world["instrument"]["draft"])
    with pytest.raises(ValueError):
        instrument_policy.user_may(drafter, "edit", world["round"]["round"])
    with pytest.raises(ValueError):
        instrument_policy.user_may(drafter, "edit")
    with pytest.raises(ValueError):
        instrument_policy.user_may(drafter, "create", world["instrument"]["draft"])
    with pytest.raises(ValueError):
        instrument_policy.queryset(drafter, "create")


def test_nobody_signed_out_or_inactive_may_anything(world):
    from django.contrib.auth.models import AnonymousUser

    drafter = User.objects.get(username="drafter")
    User.objects.filter(pk=drafter.pk).update(is_active=False)
    inactive = User.objects.get(pk=drafter.pk)
    draft = world["instrument"]["draft"]
    for person in (AnonymousUser(), inactive, None):
        assert not instrument_policy.user_may(person, "view", draft)
        assert not instrument_policy.user_may(person, "create")
        assert not instrument_policy.queryset(person, "edit").exists()


def test_viewflows_queue_and_inbox_list_what_the_task_policy_lets_one_take_and_complete(
    world, client
):
    """Acting for the chief, the second drafter's queue holds the chief's review of the
    drafter's text but not of their own (separation of duties); acting for the director,
    the deputy's inbox holds the task the director has taken."""
    from django.urls import reverse

    def listed(username, view, task):
        client.force_login(User.objects.get(username=username))
        # The row links to the task (its number is printed in the reader's digits).
        link = f"/{task.flow_task.name}/{task.pk}/"
        return link in client.get(reverse(view)).content.decode()

    tasks = world["task"]
    assert listed("drafter2", "workflow:queue", tasks["chief_own"])
    assert not listed("drafter2", "workflow:queue", tasks["chief_other"])
    assert listed("chief", "workflow:queue", tasks["chief_other"])
    assert listed("deputy-director", "workflow:inbox", tasks["director_held"])
    assert listed("director", "workflow:inbox", tasks["director_held"])
    assert not listed("chief", "workflow:inbox", tasks["director_held"])
