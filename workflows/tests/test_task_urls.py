"""Every task URL answers only for the task it names: the URL's node, of the URL's process.

The URLs are read from the resolver: every pattern under the flow that takes a process and a
task, for every node of ``ApprovalFlow`` (``ACTIONS``). Each is requested, GET and POST, with

(a) a task of another node of the same process: each open task, by the person holding it,
    and a finished one by a flow manager (a superuser, whom every other check lets through);
(b) a task of the URL's node, but of another process, by the same people;

and must answer 404 and write nothing: not a task, a process, an audit entry, a version, a
sign-off, a consultation, a deadline or a registration counter changes. The matching URL
still answers its rightful holder (the positive controls).

The processes are built once for the module, in a transaction rolled back at its end; each
test runs in a savepoint of it.
"""

from datetime import date

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from documents.models import Instrument, ReferenceCounter, Version
from organisations.models import Organisation, User
from tasks.models import TaskDeadline
from tasks.tests.conftest import new_instrument
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import (
    ApprovalProcess,
    AuditEntry,
    Comment,
    Consultation,
    Decision,
    NextStep,
    SignOff,
    SignOffDecision,
)

from .conftest import act, internal_approvals, open_round, open_task, open_tasks
from .test_journey import answer_round, consolidate, legal_then_dg, through_internal_review

pytestmark = pytest.mark.django_db


def _task_urls():
    """``(node name, action)`` of every URL under the flow that takes a process and a task."""
    found = []

    def walk(patterns, namespaces):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(
                    entry.url_patterns,
                    namespaces + [entry.namespace] if entry.namespace else namespaces,
                )
            elif isinstance(entry, URLPattern) and {"process_pk", "task_pk"} <= set(
                entry.pattern.converters
            ):
                found.append((namespaces, entry.name))

    walk(get_resolver().url_patterns, [])
    actions = []
    for namespaces, name in found:
        node = ApprovalFlow.instance.node(namespaces[-1], no_obsolete=True)
        assert node is not None, f"a task URL outside any node: {':'.join(namespaces)}:{name}"
        actions.append((node.name, name))
    return sorted(actions)


ACTIONS = _task_urls()


def test_every_node_of_the_flow_has_its_task_urls_under_test():
    assert {name for name, _action in ACTIONS} == {n.name for n in ApprovalFlow.instance.nodes()}
    assert {"execute", "assign", "unassign", "index", "detail", "undo", "cancel", "revive"} <= {
        action for _name, action in ACTIONS
    }


# --- The processes ----------------------------------------------------------------------


def _assign(task, user):
    task = Task.objects.get(pk=task.pk)
    if task.status == STATUS.NEW:
        task.flow_task.activation_class(task).assign(user)
    return Task.objects.get(pk=task.pk)


def _through_consolidation(demo, title):
    process = through_internal_review(demo, new_instrument(demo, title))
    answer_round(demo, process, open_round(demo, process), comment=False)
    return process


def build(demo) -> dict:
    """Processes with a task of every node, and open tasks held by their holders."""
    manager = User.objects.create(
        username="manager",
        organisation=Organisation.objects.get(code="dfr-fr"),
        is_superuser=True,
    )
    state = {"users": {**demo, "manager": manager}, "processes": {}}
    processes = state["processes"]

    # Every node but "rejected", run to the end: a return, a round, a signature, a number.
    ended = services.process_start(instrument=new_instrument(demo, "ended"), user=demo["drafter"])
    act(
        open_task(ended, ApprovalFlow.chief_review),
        demo["chief"],
        services.review_decide,
        decision=Decision.RETURN,
        reason="សូមកែ",
    )
    act(open_task(ended, ApprovalFlow.revise), demo["drafter"], services.draft_resubmit, note="")
    internal_approvals(demo, ended)
    answer_round(demo, ended, open_round(demo, ended), comment=False)
    consolidate(demo, ended, NextStep.LEGAL)
    legal_then_dg(demo, ended, SignOffDecision.APPROVE, "")
    act(
        open_task(ended, ApprovalFlow.register),
        demo["registry"],
        services.instrument_register,
        reference_number="ended-1",
        registered_on=date(2026, 11, 25),
    )
    processes["ended"] = ended

    rejected = _through_consolidation(demo, "rejected")
    consolidate(demo, rejected, NextStep.LEGAL)
    legal_then_dg(demo, rejected, SignOffDecision.REJECT, "ទេ")
    processes["rejected"] = rejected

    # Open tasks, each taken by its holder.
    at_chief = services.process_start(
        instrument=new_instrument(demo, "at_chief"), user=demo["drafter"]
    )
    _assign(open_task(at_chief, ApprovalFlow.chief_review), demo["chief"])
    processes["at_chief"] = at_chief

    consulting = through_internal_review(demo, new_instrument(demo, "consulting"))
    open_round(demo, consulting, codes=("mef", "moh"))
    for task in open_tasks(consulting, ApprovalFlow.organisation_review):
        code = Organisation.objects.get(pk=task.data["organisation_id"]).code
        _assign(task, demo[f"reviewer-{code}"])
    processes["consulting"] = consulting

    processes["consolidating"] = _through_consolidation(demo, "consolidating")

    at_sign_off = _through_consolidation(demo, "at_sign_off")
    consolidate(demo, at_sign_off, NextStep.LEGAL)
    act(
        open_task(at_sign_off, ApprovalFlow.legal_review),
        demo["legal"],
        services.review_decide,
        decision=Decision.APPROVE,
        reason="",
    )
    _assign(open_task(at_sign_off, ApprovalFlow.sign_off), demo["dg"])
    processes["at_sign_off"] = at_sign_off

    at_register = _through_consolidation(demo, "at_register")
    consolidate(demo, at_register, NextStep.LEGAL)
    legal_then_dg(demo, at_register, SignOffDecision.APPROVE, "")
    _assign(open_task(at_register, ApprovalFlow.register), demo["registry"])
    processes["at_register"] = at_register

    # Every open task, with the user holding it.
    state["held"] = [
        (task, task.owner)
        for task in Task.objects.filter(
            process__in=[p.pk for p in processes.values()],
            status=STATUS.ASSIGNED,
        )
        .select_related("owner")
        .order_by("pk")
    ]
    assert {task.flow_task.name for task, _owner in state["held"]} == {
        "chief_review",
        "organisation_review",
        "consolidate",
        "sign_off",
        "register",
    }
    state["mef"] = Organisation.objects.get(code="mef").pk
    # Signed in once: their sessions outlive each test's savepoint.
    state["clients"] = {}
    for user in {user for _task, user in state["held"]} | {manager}:
        client = state["clients"][user.username] = Client(raise_request_exception=False)
        client.force_login(user)
    state["tasks"] = {
        name: list(Task.objects.filter(process=process).order_by("pk"))
        for name, process in processes.items()
    }
    return state


@pytest.fixture(scope="module")
def state(django_db_setup, django_db_blocker):
    get_resolver().url_patterns  # noqa: B018 - viewflow learns its URLs when they load
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            from documents.demo import instrument_types_seed
            from organisations.demo import organisations_seed, users_seed

            organisations = organisations_seed()
            instrument_types_seed()
            users_seed(organisations=organisations)
            yield build({user.username: user for user in User.objects.all()})
            print(f"\nnode × action cases refused: {REFUSED['cases']}")
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- What must not change ---------------------------------------------------------------

WATCHED = [
    Task,
    Process,
    ApprovalProcess,
    AuditEntry,
    SignOff,
    Version,
    ReferenceCounter,
    Instrument,
    Consultation,
    Comment,
    TaskDeadline,
]


def fingerprint() -> tuple:
    """A digest of every row of the tables a step writes: one query."""
    parts = ", ".join(
        f"(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) "  # noqa: S608
        f"FROM {connection.ops.quote_name(model._meta.db_table)} x)"
        for model in WATCHED
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")  # noqa: S608 - table names from the models
        return cursor.fetchone()


class Requests:
    """Requests as each user, answering 500 rather than raising; what each answered."""

    def __init__(self, state):
        self.clients = state["clients"]
        self.failures: list[str] = []
        self.count = 0

    def client(self, user) -> Client:
        return self.clients[user.username]

    def refused(self, node_name, action, process_pk, task, user):
        url = ApprovalFlow.instance.node(node_name).reverse(action, args=[process_pk, task.pk])
        for method in ("get", "post"):
            client = self.client(user)
            response = client.post(url, FORM) if method == "post" else client.get(url)
            if response.status_code == 404:
                self.count += 1
            else:
                self.failures.append(
                    f"{method.upper()} {url} ({task.flow_task.name} task of process "
                    f"{task.process_id}, as {user.username}): {response.status_code}"
                )


# Whatever each step's form asks, so that a POST that got through would complete the step.
FORM = {
    "decision": "approve",
    "reason": "forged",
    "note": "forged",
    "next_step": NextStep.LEGAL,
    "position": "no_objection",
    "remarks": "",
    "reference_number": "FORGED-1",
    "registered_on": "2026-11-25",
    "working_days": "10",
    "silence_rule": "no_objection",
    "organisations": [],  # the key of MEF, once the state is built
}

REFUSED = {"cases": 0}


@pytest.mark.postgres
@pytest.mark.parametrize(("node_name", "action"), ACTIONS, ids=[f"{n}-{a}" for n, a in ACTIONS])
def test_a_task_url_refuses_any_task_but_its_nodes_of_its_process(state, node_name, action):
    """(a) another node's task of the same process, held by the requester: on "execute"
    every open task, elsewhere one in turn, and a finished one as the flow manager; (b) a
    task of this node of another process, as its holder and as the manager. Then the
    matching URL, as the rightful holder, is not refused."""
    FORM["organisations"] = [state["mef"]]
    requests, held, manager = Requests(state), state["held"], state["users"]["manager"]
    before = fingerprint()

    others = [(task, holder) for task, holder in held if task.flow_task.name != node_name]
    if action != "execute":
        others = [others[ACTIONS.index((node_name, action)) % len(others)]]
    for task, holder in others:
        requests.refused(node_name, action, task.process_id, task, holder)
    finished = state["tasks"]["ended"]
    other = next(task for task in reversed(finished) if task.flow_task.name != node_name)
    requests.refused(node_name, action, other.process_id, other, manager)

    own = [(task, holder) for task, holder in held if task.flow_task.name == node_name][:1]
    source = "rejected" if node_name == "rejected" else "ended"
    own.append((next(t for t in state["tasks"][source] if t.flow_task.name == node_name), manager))
    at_chief, ended = state["processes"]["at_chief"].pk, state["processes"]["ended"].pk
    for task, user in own:
        elsewhere = at_chief if task.process_id != at_chief else ended
        requests.refused(node_name, action, elsewhere, task, user)

    assert not requests.failures, "\n".join(requests.failures)
    assert fingerprint() == before, "a refused request wrote something"
    REFUSED["cases"] += requests.count

    # The positive control: the same URL, with its node's task of its process.
    task, user = own[0]
    url = task.flow_task.reverse(action, args=[task.process_id, task.pk])
    response = requests.client(user).get(url)
    assert response.status_code in (200, 302, 403), (url, user.username, response.status_code)


# --- The findings of issue 9, as reported ---------------------------------------------------


def _post(state, username, node, task, data):
    url = node.reverse("execute", args=[task.process_id, task.pk])
    return state["clients"][username].post(url, data)


def _held(state, name, username):
    return next(
        task
        for task, holder in state["held"]
        if task.flow_task.name == name and holder.username == username
    )


@pytest.mark.postgres
def test_the_drafter_cannot_sign_off_with_their_consolidation_task(state):
    consolidation = _held(state, "consolidate", "drafter")
    signed = SignOff.objects.count()

    response = _post(
        state, "drafter", ApprovalFlow.sign_off, consolidation, {"decision": "approve"}
    )

    assert response.status_code == 404
    assert SignOff.objects.count() == signed
    assert not SignOff.objects.filter(signed_by=state["users"]["drafter"]).exists()
    assert Task.objects.get(pk=consolidation.pk).status == STATUS.ASSIGNED
    # Their own task's URL still completes it.
    response = _post(
        state, "drafter", ApprovalFlow.consolidate, consolidation, {"next_step": NextStep.LEGAL}
    )
    assert response.status_code == 302
    assert Task.objects.get(pk=consolidation.pk).status == STATUS.DONE


@pytest.mark.postgres
def test_a_ministry_reviewer_cannot_sign_off_with_their_review_task(state):
    review = _held(state, "organisation_review", "reviewer-mef")
    signed = SignOff.objects.count()

    response = _post(state, "reviewer-mef", ApprovalFlow.sign_off, review, {"decision": "approve"})

    assert response.status_code == 404
    assert SignOff.objects.count() == signed
    assert Task.objects.get(pk=review.pk).status == STATUS.ASSIGNED
    assert not AuditEntry.objects.filter(task_id=review.pk).exists()
    # The director-general's own sign-off task still signs.
    sign_off = _held(state, "sign_off", "dg")
    assert (
        _post(state, "dg", ApprovalFlow.sign_off, sign_off, {"decision": "approve"}).status_code
        == 302
    )
    assert SignOff.objects.filter(process_id=sign_off.process_id).count() == 1


@pytest.mark.postgres
def test_the_chief_cannot_number_a_draft_with_their_review_task(state):
    review = _held(state, "chief_review", "chief")
    counters = list(ReferenceCounter.objects.values_list("pk", "registered").order_by("pk"))

    response = _post(
        state,
        "chief",
        ApprovalFlow.register,
        review,
        {"reference_number": "FORGED-1", "registered_on": "2026-11-25"},
    )

    assert response.status_code == 404
    assert not Instrument.objects.filter(reference_number="FORGED-1").exists()
    assert list(ReferenceCounter.objects.values_list("pk", "registered").order_by("pk")) == counters
    assert Task.objects.get(pk=review.pk).status == STATUS.ASSIGNED
    # The registry's own task still numbers the signed instrument.
    register = _held(state, "register", "registry")
    data = {"reference_number": "REG-2", "registered_on": "2026-11-25"}
    assert _post(state, "registry", ApprovalFlow.register, register, data).status_code == 302
    assert Instrument.objects.filter(reference_number="REG-2").count() == 1


# --- Our own URLs that take a process or a task ---------------------------------------------


def _our_urls():
    """Our patterns (outside viewflow's) that take a process or a task, by name."""
    found = []

    def walk(patterns, namespaces):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "workflow":  # viewflow's, above
                    continue
                walk(entry.url_patterns, namespaces + [entry.namespace] * bool(entry.namespace))
            elif {"process_pk", "task_pk"} & set(entry.pattern.converters):
                found.append((":".join([*namespaces, entry.name]), set(entry.pattern.converters)))

    walk(get_resolver().url_patterns, [])
    return found


@pytest.mark.postgres
def test_our_urls_refuse_a_task_or_round_that_is_not_theirs_and_write_nothing(state):
    """A round is found through the URL's process: a round number of another process is
    404. A task URL of ours takes the task alone: a task the requester may not see, or that
    is not an open human task, is refused."""
    from django.urls import reverse

    ours = _our_urls()
    assert {name for name, _keys in ours} >= {
        "workflows:round_close",
        "workflows:matrix",
        "workflows:matrix_publish",
        "workflows:task_reassign",
        "deadlines:extend",
    }
    processes, users = state["processes"], state["users"]
    before, refused = fingerprint(), 0
    director = Client(raise_request_exception=False)
    director.force_login(users["director"])
    reviewer = state["clients"]["reviewer-moh"]
    for name, keys in ours:
        if keys == {"process_pk", "round_number"}:
            # The ended process had round 1; the one at the chief's review has none.
            url = reverse(name, kwargs={"process_pk": processes["at_chief"].pk, "round_number": 1})
            for response in (director.get(url), director.post(url)):
                assert response.status_code in (404, 405), (url, response.status_code)
                refused += response.status_code == 404
        elif keys == {"task_pk"}:
            data = {"to": users["chief"].pk, "due_on": "2027-01-05", "reason": "forged"}
            for task in state["tasks"]["ended"]:
                url = reverse(name, kwargs={"task_pk": task.pk})
                response = reviewer.post(url, data)  # a process not consulting MoH
                assert response.status_code in (403, 404), (url, response.status_code)
                response = director.post(url, data)  # a finished task
                assert response.status_code in (200, 403, 404), (url, response.status_code)
                refused += 2
        elif keys in ({"process_pk", "file_format"}, {"process_pk", "round_number", "file_format"}):
            # The matrix as a file: a round the process does not have, for the director; every
            # round of a process that did not consult MoH, for its reviewer.
            kwargs = {"process_pk": processes["at_chief"].pk, "file_format": "xlsx"}
            client = reviewer
            if "round_number" in keys:
                kwargs["round_number"], client = 1, director
            response = client.get(reverse(name, kwargs=kwargs))
            assert response.status_code == 404, (name, response.status_code)
            refused += 1
        else:
            pytest.fail(f"{name} takes {keys}: say here what it must refuse")
    assert fingerprint() == before, "a refused request wrote something"
    assert refused
