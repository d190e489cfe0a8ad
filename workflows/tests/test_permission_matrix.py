"""The permission matrix: every role × every page and action × their own or another object.

``MATRIX`` below is the specification, one line per (action, object), one column per role:

    Y  allowed: 200 or a redirect, and a POST really did what it asks
    N  refused: 403 or 404, and a POST changed nothing
    L  sent to sign in (302 to a login page), and a POST changed nothing

The objects are instruments parked at every step of the process, built once for the module
through the services (``world``): "own" objects are the demo drafter's, ``others_*`` objects
belong to a second drafter of the same office; ``consulting_mef`` consults MEF and NCDD-S,
``consulting_moh`` only MoH. Each row runs in its own transaction, rolled back after it, so a
POST that succeeds changes nothing for the next row.
"""

import re
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.db import transaction
from django.test.utils import override_settings
from django.urls import get_resolver, reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from documents import services as documents
from documents.models import Instrument, InstrumentType, Provision, Version
from organisations.models import Organisation, User
from workflows import services
from workflows.driving import drive
from workflows.flows import ApprovalFlow
from workflows.models import (
    ApprovalProcess,
    Comment,
    Consultation,
    Decision,
    Disposition,
    NextStep,
    Position,
    SignOffDecision,
)

ROLES = {
    "anon": None,
    "drf": "drafter",
    "drf2": "drafter2",
    "chf": "chief",
    "dir": "director",
    "leg": "legal",
    "dg": "dg",
    "reg": "registry",
    "adm": "admin",
    "mef": "reviewer-mef",
    "moh": "reviewer-moh",
    "ncd": "reviewer-ncdd",
}

MATRIX = """
action            object                 anon drf  drf2 chf  dir  leg  dg   reg  adm  mef  moh  ncd
# --- Instrument pages (/documents/): internal staff read every instrument, reviewers none
list              -                      L    Y    Y    Y    Y    Y    Y    Y    Y    N    N    N
editor            draft                  L    Y    Y    Y    Y    Y    Y    Y    Y    N    N    N
editor            others_draft           L    Y    Y    Y    Y    Y    Y    Y    Y    N    N    N
editor            consulting_mef         L    Y    Y    Y    Y    Y    Y    Y    Y    N    N    N
schedule          draft                  L    Y    Y    Y    Y    Y    Y    Y    Y    N    N    N
versions          draft                  L    Y    Y    Y    Y    Y    Y    Y    Y    N    N    N
compare           draft                  L    Y    Y    Y    Y    Y    Y    Y    Y    N    N    N
timeline          draft                  L    Y    Y    Y    Y    Y    Y    Y    Y    N    N    N
# --- Changing the text: its drafters only, and only while it is theirs to change
provision_add     draft                  L    Y    N    N    N    N    N    N    N    N    N    N
provision_add     others_draft           L    N    Y    N    N    N    N    N    N    N    N    N
provision_add     consulting_mef         L    N    N    N    N    N    N    N    N    N    N    N
provision_add     consolidating          L    Y    N    N    N    N    N    N    N    N    N    N
provision_edit    draft                  L    Y    N    N    N    N    N    N    N    N    N    N
provision_edit    others_draft           L    N    Y    N    N    N    N    N    N    N    N    N
provision_edit    at_sign_off            L    N    N    N    N    N    N    N    N    N    N    N
provision_edit    registered             L    N    N    N    N    N    N    N    N    N    N    N
version_save      draft                  L    Y    N    N    N    N    N    N    N    N    N    N
version_save      others_draft           L    N    Y    N    N    N    N    N    N    N    N    N
version_restore   draft                  L    Y    N    N    N    N    N    N    N    N    N    N
version_restore   others_draft           L    N    Y    N    N    N    N    N    N    N    N    N
version_restore   registered             L    N    N    N    N    N    N    N    N    N    N    N
# --- The process's own pages: internal staff, and the organisations consulted
process_page      draft                  L    Y    Y    Y    Y    Y    Y    Y    Y    N    N    N
process_page      consulting_mef         L    Y    Y    Y    Y    Y    Y    Y    Y    Y    N    Y
process_page      consulting_moh         L    Y    Y    Y    Y    Y    Y    Y    Y    N    Y    N
matrix            consulting_mef         L    Y    Y    Y    Y    Y    Y    Y    Y    Y    N    Y
matrix            consulting_moh         L    Y    Y    Y    Y    Y    Y    Y    Y    N    Y    N
vf_process        consulting_mef         L    Y    Y    Y    Y    Y    Y    Y    Y    Y    N    Y
vf_process        consulting_moh         L    Y    Y    Y    Y    Y    Y    Y    Y    N    Y    N
vf_process        at_chief               L    Y    Y    Y    Y    Y    Y    Y    Y    N    N    N
vf_chart          consulting_mef         L    Y    Y    Y    Y    Y    Y    Y    Y    Y    N    Y
vf_chart          consulting_moh         L    Y    Y    Y    Y    Y    Y    Y    Y    N    Y    N
# a consulted organisation's task: the department and that organisation only (not NCDD-S,
# consulted in the same round)
vf_task           consulting_mef         L    Y    Y    Y    Y    Y    Y    Y    Y    Y    N    N
vf_task           consulting_moh         L    Y    Y    Y    Y    Y    Y    Y    Y    N    Y    N
changes           consulting_mef         L    Y    Y    Y    Y    Y    Y    Y    Y    Y    N    N
submit            draft                  L    Y    N    N    N    N    N    N    N    N    N    N
submit            others_draft           L    N    Y    N    N    N    N    N    N    N    N    N
# --- Comments: the consulted organisation's reviewers write; the drafters answer
comment_add       consulting_mef         L    N    N    N    N    N    N    N    N    Y    N    N
comment_add       consulting_moh         L    N    N    N    N    N    N    N    N    N    Y    N
comment_delete    consulting_mef         L    N    N    N    N    N    N    N    N    Y    N    N
comment_delete    consulting_moh         L    N    N    N    N    N    N    N    N    N    Y    N
comment_respond   consolidating          L    Y    N    N    N    N    N    N    N    N    N    N
comment_respond   others_consolidating   L    N    Y    N    N    N    N    N    N    N    N    N
matrix_publish    consolidating          L    N    N    N    Y    N    N    N    N    N    N    N
round_close       consulting_mef         L    N    N    N    Y    N    N    N    N    N    N    N
task_reassign     at_plan                L    N    N    Y    Y    N    N    N    N    N    N    N
# --- Taking a task from the queue: whoever holds the step's role (or organisation)
assign            at_chief               L    N    N    Y    N    N    N    N    N    N    N    N
assign            at_director            L    N    N    N    Y    N    N    N    N    N    N    N
assign            consulting_mef         L    N    N    N    N    N    N    N    N    Y    N    N
assign            consulting_moh         L    N    N    N    N    N    N    N    N    N    Y    N
assign            at_legal               L    N    N    N    N    Y    N    N    N    N    N    N
assign            at_sign_off            L    N    N    N    N    N    Y    N    N    N    N    N
assign            at_register            L    N    N    N    N    N    N    Y    N    N    N    N
# --- Opening a task's form: only the person who holds it
execute           at_chief               L    N    N    Y    N    N    N    N    N    N    N    N
execute           at_director            L    N    N    N    Y    N    N    N    N    N    N    N
execute           at_revise              L    Y    N    N    N    N    N    N    N    N    N    N
execute           at_plan                L    Y    N    N    N    N    N    N    N    N    N    N
execute           others_at_plan         L    N    Y    N    N    N    N    N    N    N    N    N
execute           consulting_mef         L    N    N    N    N    N    N    N    N    Y    N    N
execute           consulting_moh         L    N    N    N    N    N    N    N    N    N    Y    N
execute           consolidating          L    Y    N    N    N    N    N    N    N    N    N    N
execute           others_consolidating   L    N    Y    N    N    N    N    N    N    N    N    N
execute           at_legal               L    N    N    N    N    Y    N    N    N    N    N    N
execute           at_sign_off            L    N    N    N    N    N    Y    N    N    N    N    N
execute           at_register            L    N    N    N    N    N    N    Y    N    N    N    N
# --- Everyone's own lists, the public verification page, the admin
inbox             -                      L    Y    Y    Y    Y    Y    Y    Y    Y    Y    Y    Y
queue             -                      L    Y    Y    Y    Y    Y    Y    Y    Y    Y    Y    Y
vf_process_list   -                      L    Y    Y    Y    Y    Y    Y    Y    Y    Y    Y    Y
vf_task_list      -                      L    Y    Y    Y    Y    Y    Y    Y    Y    Y    Y    Y
vf_dashboard      -                      L    Y    Y    Y    Y    Y    Y    Y    Y    Y    Y    Y
verify            registered             Y    Y    Y    Y    Y    Y    Y    Y    Y    Y    Y    Y
admin             -                      L    L    L    L    L    L    L    L    Y    L    L    L
"""


# Cells where the application did not do what the matrix says; each hole closed is taken off
# this list (strict: a row fails as soon as its hole is closed). None is open now.
KNOWN_HOLES: dict[tuple[str, str, str], str] = {}


def _rows():
    lines = [line.split() for line in MATRIX.strip().splitlines()]
    header, lines = lines[0], [line for line in lines[1:] if line and line[0] != "#"]
    assert header[2:] == list(ROLES), "the columns are the roles, in order"
    for action, obj, *cells in lines:
        assert len(cells) == len(ROLES), f"{action} {obj}: one cell per role"
        for role, expected in zip(ROLES, cells, strict=True):
            hole = KNOWN_HOLES.get((role, action, obj))
            marks = [pytest.mark.xfail(strict=True, reason=hole)] if hole else []
            yield pytest.param(
                role, action, obj, expected, id=f"{action}-{obj}-{role}", marks=marks
            )


# --- The world: an instrument at every step, built once for the module --------------------

# Who holds each queued step once taken (for "execute"): the step's one demo person.
HOLDERS = {
    "chief_review": "chief",
    "director_review": "director",
    "legal_review": "legal",
    "sign_off": "dg",
    "register": "registry",
}


@dataclass
class Parked:
    """One instrument of the world and the open task it waits on (if any)."""

    instrument: Instrument
    process: ApprovalProcess | None = None
    task: Task | None = None
    extra: dict = field(default_factory=dict)


class Builder:
    def __init__(self, users):
        self.users = users
        self.sub_decree = InstrumentType.objects.get(code="sub-decree")
        self.office = Organisation.objects.get(code="dfr-fr")

    def draft(self, name: str, owner="drafter") -> Parked:
        user = self.users[owner]
        instrument = documents.instrument_create(
            user=user,
            instrument_type=self.sub_decree,
            title_km=f"អនុក្រឹត្យសាកល្បង {name}",
            owning_office=self.office,
        )
        chapter = documents.provision_add(
            instrument=instrument, user=user, kind=Provision.Kind.CHAPTER, heading_km="ទូទៅ"
        )
        for text in ("មាត្រាទីមួយ។", "មាត្រាទីពីរ។"):
            documents.provision_add(
                instrument=instrument,
                user=user,
                kind=Provision.Kind.ARTICLE,
                parent=chapter,
                text_km=text,
            )
        version = documents.version_create(instrument=instrument, user=user, label="ពង្រាងទី១")
        instrument.refresh_from_db()
        return Parked(instrument, extra={"version": version})

    def review(self, parked: Parked, node, username, decision=Decision.APPROVE, reason=""):
        drive(
            parked.process,
            node,
            self.users[username],
            decision=decision,
            reason=reason,
        )

    def start(self, name, owner="drafter", until="chief_review") -> Parked:
        """A submitted instrument, taken as far as ``until`` (a step's name)."""
        parked = self.draft(name, owner)
        parked.process = services.process_start(
            instrument=parked.instrument, user=self.users[owner]
        )
        if until == "revise":
            self.review(parked, ApprovalFlow.chief_review, "chief", Decision.RETURN, "សូមកែ")
        elif until != "chief_review":
            self.review(parked, ApprovalFlow.chief_review, "chief")
            if until != "director_review":
                self.review(parked, ApprovalFlow.director_review, "director")
        return parked

    def consult(self, parked: Parked, owner, codes, *, comment=True) -> None:
        round_ = drive(
            parked.process,
            ApprovalFlow.plan_round,
            self.users[owner],
            organisations=list(Organisation.objects.filter(code__in=codes)),
            working_days=10,
            silence_rule="no_objection",
        )
        parked.extra["round"] = round_
        article = next(p for p in round_.version.snapshot["provisions"] if p["kind"] == "article")
        for consultation in round_.consultations.select_related("organisation"):
            code = consultation.organisation.code
            reviewer = self.users[f"reviewer-{code.split('-')[0]}"]
            parked.extra[f"consultation_{code}"] = consultation
            if comment:
                parked.extra[f"comment_{code}"] = services.comment_add(
                    consultation=consultation,
                    user=reviewer,
                    text=f"មតិរបស់ {code}",
                    provision_uid=article["uid"],
                )

    def answer_round(self, parked: Parked, owner) -> None:
        for consultation in parked.extra["round"].consultations.select_related("organisation"):
            code = consultation.organisation.code
            drive(
                parked.process,
                ApprovalFlow.organisation_review,
                self.users[f"reviewer-{code.split('-')[0]}"],
                where={"consultation_id": consultation.pk},
                position=Position.COMMENTS,
            )
        for comment in services.unanswered_comments(process=parked.process):
            services.comment_respond(
                comment=comment,
                user=self.users[owner],
                disposition=Disposition.ACCEPTED,
                response="បានកែ",
            )

    def finish(self, parked: Parked, owner, until) -> None:
        """From consolidation on, to ``until``: legal_review, sign_off, register or the end."""
        drive(
            parked.process,
            ApprovalFlow.consolidate,
            self.users[owner],
            next_step=NextStep.LEGAL,
        )
        if until == "legal_review":
            return
        self.review(parked, ApprovalFlow.legal_review, "legal")
        if until == "sign_off":
            return
        drive(
            parked.process,
            ApprovalFlow.sign_off,
            self.users["dg"],
            decision=SignOffDecision.APPROVE,
            reason="",
        )
        if until == "register":
            return
        drive(
            parked.process,
            ApprovalFlow.register,
            self.users["registry"],
            reference_number="លេខ ៩៩ អនក.បក",
            registered_on=date(2026, 1, 5),
        )


def build_world() -> dict[str, Parked]:
    from documents.demo import instrument_types_seed
    from organisations.demo import organisations_seed, users_seed
    from organisations.roles import Role
    from organisations.services import user_set_roles

    organisations = organisations_seed()
    instrument_types_seed()
    users_seed(organisations=organisations)
    drafter2 = User.objects.create(username="drafter2", organisation=organisations["dfr-fr"])
    user_set_roles(user=drafter2, roles=[Role.DRAFTER])
    users = {user.username: user for user in User.objects.all()}
    build = Builder(users)

    world = {
        "draft": build.draft("draft"),
        "others_draft": build.draft("others_draft", owner="drafter2"),
        "at_chief": build.start("at_chief"),
        "at_director": build.start("at_director", until="director_review"),
        "at_revise": build.start("at_revise", until="revise"),
        "at_plan": build.start("at_plan", until="plan_round"),
        "others_at_plan": build.start("others_at_plan", owner="drafter2", until="plan_round"),
    }
    for name, owner, codes in [
        ("consulting_mef", "drafter", ["mef", "ncdd-s"]),
        ("consulting_moh", "drafter2", ["moh"]),
    ]:
        world[name] = build.start(name, owner=owner, until="plan_round")
        build.consult(world[name], owner, codes)
    for name, owner, until in [
        ("consolidating", "drafter", "consolidate"),
        ("others_consolidating", "drafter2", "consolidate"),
        ("at_legal", "drafter", "legal_review"),
        ("at_sign_off", "drafter", "sign_off"),
        ("at_register", "drafter", "register"),
        ("registered", "drafter", "end"),
    ]:
        world[name] = parked = build.start(name, owner=owner, until="plan_round")
        build.consult(parked, owner, ["mef", "ncdd-s"])
        build.answer_round(parked, owner)
        if until != "consolidate":
            build.finish(parked, owner, until)

    for name, parked in world.items():
        parked.instrument.refresh_from_db()
        if parked.process is None:
            continue
        open_tasks = parked.process.task_set.filter(
            status__in=[STATUS.NEW, STATUS.ASSIGNED], flow_task_type="HUMAN"
        )
        if name.startswith("consulting_"):
            code = name.removeprefix("consulting_")
            consultation = parked.extra[f"consultation_{code}"]
            parked.task = open_tasks.get(pk=consultation.task_id)
        elif open_tasks:
            parked.task = open_tasks.get()
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once, inside a transaction that is rolled back when the module is done; each
    test runs in a savepoint of it (pytest-django's ``db``)."""
    get_resolver().url_patterns  # noqa: B018 - viewflow learns its URLs when they load
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- What each action does ----------------------------------------------------------------


@dataclass
class Action:
    """A page or action: its request, and for a POST, how to tell that it happened."""

    url: object  # (world, obj, user) -> str
    data: object = None  # (world, obj, user) -> dict; a POST when given
    happened: object = None  # (world, obj, user) -> bool
    prepare: object = None  # (world, obj) -> None, before the request


def _doc(name):
    return lambda w, o, u: reverse(f"documents:{name}", args=[w[o].instrument.pk])


def _articles(w, o):
    return Provision.objects.filter(instrument=w[o].instrument, kind=Provision.Kind.ARTICLE)


def _article(w, o):
    return _articles(w, o).order_by("pk").first()


def _versions(w, o):
    return Version.objects.filter(instrument=w[o].instrument).count()


def _comment_of(w, o) -> Comment:
    code = "mef" if o == "consulting_mef" or "consolidating" in o else "moh"
    return w[o].extra[f"comment_{code}"]


def _consultation_of(w, o) -> Consultation:
    return w[o].extra["consultation_mef" if o == "consulting_mef" else "consultation_moh"]


def _round(w, o):
    return w[o].extra["round"]


def _task_url(view):
    return lambda w, o, u: w[o].task.flow_task.reverse(view, args=[w[o].process.pk, w[o].task.pk])


def _take_for_holder(w, o):
    """Before "execute": the step's holder has taken a queued task from the queue."""
    task = Task.objects.get(pk=w[o].task.pk)
    if task.status == STATUS.NEW:
        holder = (
            HOLDERS.get(task.flow_task.name)
            or {
                "consulting_mef": "reviewer-mef",
                "consulting_moh": "reviewer-moh",
            }[o]
        )
        task.flow_task.activation_class(task).assign(User.objects.get(username=holder))


def _in_the_queue(w, o):
    """Before "assign": the step waits in its queue, as a step meant for several people does
    (the world's demo people are one per role, so the flow gave each step to its one holder)."""
    Task.objects.filter(pk=w[o].task.pk).update(owner=None, status=STATUS.NEW, assigned=None)


NEW_TEXT = "អត្ថបទថ្មី។"

ACTIONS = {
    "list": Action(lambda w, o, u: reverse("documents:index")),
    "editor": Action(_doc("instrument")),
    "schedule": Action(_doc("schedule")),
    "versions": Action(_doc("versions")),
    "compare": Action(_doc("compare")),
    "timeline": Action(_doc("timeline")),
    "provision_add": Action(
        _doc("provision_add"),
        data=lambda w, o, u: {
            "parent": Provision.objects.get(
                instrument=w[o].instrument, kind=Provision.Kind.CHAPTER
            ).pk,
            "kind": "article",
            "text_km": NEW_TEXT,
        },
        happened=lambda w, o, u: _articles(w, o).filter(text_km=NEW_TEXT).exists(),
    ),
    "provision_edit": Action(
        lambda w, o, u: reverse(
            "documents:provision_edit", args=[w[o].instrument.pk, _article(w, o).pk]
        ),
        data=lambda w, o, u: {"text_km": NEW_TEXT, "lock_version": _article(w, o).lock_version},
        happened=lambda w, o, u: _article(w, o).text_km == NEW_TEXT,
    ),
    "version_save": Action(
        _doc("version_save"),
        data=lambda w, o, u: {"label": "កំណែសាកល្បង"},
        happened=lambda w, o, u: _versions(w, o) > w[o].extra["versions_before"],
        prepare=lambda w, o: w[o].extra.update(versions_before=_versions(w, o)),
    ),
    "version_restore": Action(
        lambda w, o, u: reverse(
            "documents:version_restore", args=[w[o].instrument.pk, w[o].extra["version"].pk]
        ),
        data=lambda w, o, u: {},
        happened=lambda w, o, u: _versions(w, o) > w[o].extra["versions_before"],
        prepare=lambda w, o: w[o].extra.update(versions_before=_versions(w, o)),
    ),
    "process_page": Action(
        lambda w, o, u: reverse("workflows:instrument_process", args=[w[o].instrument.pk])
    ),
    "matrix": Action(
        lambda w, o, u: reverse("workflows:matrix", args=[w[o].process.pk, 1]),
    ),
    "vf_process": Action(
        lambda w, o, u: ApprovalFlow.instance.reverse("process_detail", args=[w[o].process.pk])
    ),
    "vf_chart": Action(
        lambda w, o, u: ApprovalFlow.instance.reverse("process_chart", args=[w[o].process.pk])
    ),
    "vf_task": Action(_task_url("detail")),
    "changes": Action(
        lambda w, o, u: reverse("workflows:changes_since", args=[w[o].extra["round_2_mef"].pk]),
        prepare=lambda w, o: _second_round_for_mef(w, o),
    ),
    "submit": Action(
        lambda w, o, u: reverse("workflows:submit", args=[w[o].instrument.pk]),
        data=lambda w, o, u: {},
        happened=lambda w, o, u: w[o].instrument.processes.exists(),
    ),
    "comment_add": Action(
        lambda w, o, u: reverse("workflows:comment_add", args=[_consultation_of(w, o).pk]),
        data=lambda w, o, u: {"text": "មតិថ្មី"},
        happened=lambda w, o, u: _consultation_of(w, o).comments.filter(text="មតិថ្មី").exists(),
    ),
    "comment_delete": Action(
        lambda w, o, u: reverse("workflows:comment_delete", args=[_comment_of(w, o).pk]),
        data=lambda w, o, u: {},
        happened=lambda w, o, u: not Comment.objects.filter(pk=_comment_of(w, o).pk).exists(),
    ),
    "comment_respond": Action(
        lambda w, o, u: reverse("workflows:comment_respond", args=[_comment_of(w, o).pk]),
        data=lambda w, o, u: {
            "disposition": Disposition.REJECTED,
            "response": "មិនយល់ព្រម",
            "lock_version": Comment.objects.get(pk=_comment_of(w, o).pk).lock_version,
        },
        happened=lambda w, o, u: (
            Comment.objects.get(pk=_comment_of(w, o).pk).disposition == Disposition.REJECTED
        ),
    ),
    "matrix_publish": Action(
        lambda w, o, u: reverse("workflows:matrix_publish", args=[w[o].process.pk, 1]),
        data=lambda w, o, u: {},
        happened=lambda w, o, u: (
            type(_round(w, o)).objects.get(pk=_round(w, o).pk).matrix_published_at is not None
        ),
    ),
    "round_close": Action(
        lambda w, o, u: reverse("workflows:round_close", args=[w[o].process.pk, 1]),
        data=lambda w, o, u: {},
        happened=lambda w, o, u: (
            type(_round(w, o)).objects.get(pk=_round(w, o).pk).closed_at is not None
        ),
    ),
    "task_reassign": Action(
        lambda w, o, u: reverse("workflows:task_reassign", args=[w[o].task.pk]),
        data=lambda w, o, u: {"to": User.objects.get(username="drafter2").pk},
        happened=lambda w, o, u: Task.objects.get(pk=w[o].task.pk).owner.username == "drafter2",
    ),
    "assign": Action(
        _task_url("assign"),
        prepare=_in_the_queue,
        data=lambda w, o, u: {},
        happened=lambda w, o, u: Task.objects.filter(
            pk=w[o].task.pk, status=STATUS.ASSIGNED, owner=u
        ).exists(),
    ),
    "execute": Action(_task_url("execute"), prepare=_take_for_holder),
    "inbox": Action(lambda w, o, u: reverse("workflow:inbox")),
    "queue": Action(lambda w, o, u: reverse("workflow:queue")),
    "vf_process_list": Action(lambda w, o, u: ApprovalFlow.instance.reverse("process_list")),
    "vf_task_list": Action(lambda w, o, u: ApprovalFlow.instance.reverse("task_list")),
    "vf_dashboard": Action(lambda w, o, u: ApprovalFlow.instance.reverse("index")),
    "verify": Action(
        lambda w, o, u: reverse("verify") + f"?sha256={w[o].process.sign_off.sha256}",
    ),
    "admin": Action(lambda w, o, u: reverse("admin:index")),
}


def _second_round_for_mef(w, o):
    """The "what changed" page compares the versions an organisation saw in two rounds:
    take consulting_mef through consolidation to a second round with MEF only."""
    parked = w[o]
    users = {u.username: u for u in User.objects.all()}
    builder = Builder(users)
    builder.answer_round(parked, "drafter")
    drive(
        parked.process,
        ApprovalFlow.consolidate,
        users["drafter"],
        next_step=NextStep.ROUND,
    )
    second = drive(
        parked.process,
        ApprovalFlow.plan_round,
        users["drafter"],
        organisations=[Organisation.objects.get(code="mef")],
        working_days=5,
        silence_rule="no_objection",
    )
    parked.extra["round_2_mef"] = second.consultations.get()


def _outcome(response) -> str:
    if response.status_code in (403, 404):
        return "N"
    if response.status_code == 302 and "/login/" in response.url:
        return "L"
    if response.status_code in (200, 302):
        return "Y"
    return f"HTTP {response.status_code}"


@pytest.mark.parametrize(("role", "action", "obj", "expected"), list(_rows()))
def test_permission_matrix(world, db, client, role, action, obj, expected):
    spec = ACTIONS[action]
    user = User.objects.get(username=ROLES[role]) if ROLES[role] else None
    if spec.prepare:
        spec.prepare(world, obj)
    if user is not None:
        client.force_login(user)
    url = spec.url(world, obj, user)
    if spec.data is None:
        response = client.get(url)
        observed = _outcome(response)
    else:
        response = client.post(url, spec.data(world, obj, user))
        observed = _outcome(response)
        happened = spec.happened(world, obj, user)
        if observed == "Y" and not happened:
            observed = f"{response.status_code} but nothing happened"
        elif observed != "Y" and happened:
            observed = f"{observed} but it happened"
    assert observed == expected, f"{ROLES[role]} → {action} on {obj}: {url}"


# --- What the lists and the matrix show -------------------------------------------------

CONSULTED = {
    "reviewer-mef": {
        "consulting_mef",
        "consolidating",
        "others_consolidating",
        "at_legal",
        "at_sign_off",
        "at_register",
        "registered",
    },
    "reviewer-moh": {"consulting_moh"},
}
CONSULTED["reviewer-ncdd"] = CONSULTED["reviewer-mef"]

LISTS = {
    "viewflow process list": lambda: ApprovalFlow.instance.reverse("process_list"),
    "viewflow task list": lambda: ApprovalFlow.instance.reverse("task_list"),
    "viewflow dashboard": lambda: ApprovalFlow.instance.reverse("index"),
    "queue": lambda: reverse("workflow:queue"),
    "inbox": lambda: reverse("workflow:inbox"),
}


def _list_params():
    for page in sorted(LISTS):
        for username in sorted(CONSULTED):
            yield pytest.param(page, username, id=f"{page}-{username}")


@pytest.mark.parametrize(("page", "username"), list(_list_params()))
def test_a_reviewers_lists_name_no_process_that_did_not_consult_them(
    world, db, client, page, username
):
    client.force_login(User.objects.get(username=username))
    body = client.get(LISTS[page]()).content.decode()
    for name, parked in world.items():
        if parked.process is not None and name not in CONSULTED[username]:
            pk = parked.process.pk
            assert f"/approval/{pk}/" not in body, f"{page} links to {name}"
            assert not re.search(rf"#{pk}/\d", body), f"{page} lists a task of {name}"
            assert parked.instrument.title_km not in body, f"{page} names {name}"


@pytest.mark.parametrize("username", sorted(CONSULTED))
def test_the_process_list_names_every_process_that_consulted_them(world, db, client, username):
    client.force_login(User.objects.get(username=username))
    body = client.get(ApprovalFlow.instance.reverse("process_list")).content.decode()
    for name in CONSULTED[username]:
        assert f"/approval/{world[name].process.pk}/" in body, name


def _matrix_text(client, username, parked) -> str:
    client.force_login(User.objects.get(username=username))
    url = reverse("workflows:matrix", args=[parked.process.pk, 1])
    return client.get(url).content.decode()


@pytest.mark.parametrize(
    ("username", "sees", "does_not_see"),
    [
        ("reviewer-mef", ["mef"], ["ncdd-s"]),
        ("reviewer-ncdd", ["ncdd-s"], ["mef"]),
        ("drafter", ["mef", "ncdd-s"], []),
        ("director", ["mef", "ncdd-s"], []),
    ],
)
def test_until_the_matrix_is_published_a_reviewer_sees_their_own_comments_only(
    world, db, client, username, sees, does_not_see
):
    for name in ("consulting_mef", "consolidating"):
        body = _matrix_text(client, username, world[name])
        for code in sees:
            assert world[name].extra[f"comment_{code}"].text in body, (name, code)
        for code in does_not_see:
            assert world[name].extra[f"comment_{code}"].text not in body, (name, code)


def test_once_published_every_consulted_organisation_sees_the_whole_matrix(world, db, client):
    parked = world["consolidating"]
    services.matrix_publish(
        consultation_round=parked.extra["round"], user=User.objects.get(username="director")
    )
    for username in ("reviewer-mef", "reviewer-ncdd"):
        body = _matrix_text(client, username, parked)
        for code in ("mef", "ncdd-s"):
            assert parked.extra[f"comment_{code}"].text in body, (username, code)
            assert parked.extra[f"comment_{code}"].response in body, (username, code)
    client.force_login(User.objects.get(username="reviewer-moh"))
    url = reverse("workflows:matrix", args=[parked.process.pk, 1])
    assert client.get(url).status_code == 404  # not consulted: published or not


def test_the_process_page_shows_a_reviewer_only_their_own_organisations_answer(world, db, client):
    client.force_login(User.objects.get(username="reviewer-mef"))
    parked = world["consulting_mef"]
    page = client.get(reverse("workflows:instrument_process", args=[parked.instrument.pk]))
    consultations = [c for r in page.context["rounds"] for c in r.consultations.all()]
    assert [c.organisation.code for c in consultations] == ["mef"]
