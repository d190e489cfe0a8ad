"""Steps taken at the same instant, on PostgreSQL, with real threads (each its own connection).

The process row is locked (``select_for_update``) for every step, so that simultaneous steps
queue up: three organisations answering together must fire the round's join exactly once, a
form submitted twice must complete its task once, and a step taken again must be refused.
"""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from viewflow.workflow.status import STATUS

from documents import services as documents
from documents.models import Instrument, InstrumentType, Provision
from organisations.models import Organisation
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import AuditEntry, Consultation, Decision, Position

from .conftest import act, internal_approvals, open_task, open_tasks

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CODES = {"mef": "reviewer-mef", "moh": "reviewer-moh", "ncdd-s": "reviewer-ncdd"}


def drafted(demo, title: str):
    """A one-article sub-decree, ready to submit."""
    drafter = demo["drafter"]
    instrument = documents.instrument_create(
        user=drafter,
        instrument_type=InstrumentType.objects.get(code="sub-decree"),
        title_km=title,
        owning_office=Organisation.objects.get(code="dfr-fr"),
    )
    documents.provision_add(
        instrument=instrument, user=drafter, kind=Provision.Kind.ARTICLE, text_km="មាត្រាទីមួយ។"
    )
    return instrument


def submitted(demo, title: str):
    return services.process_start(instrument=drafted(demo, title), user=demo["drafter"])


def in_a_round_of_three(demo, title: str):
    process = submitted(demo, title)
    internal_approvals(demo, process)
    act(
        open_task(process, ApprovalFlow.plan_round),
        demo["drafter"],
        services.round_plan,
        organisations=list(Organisation.objects.filter(code__in=CODES)),
        working_days=10,
        silence_rule="no_objection",
    )
    return process


def run_together(jobs) -> list:
    """Run each job in a thread of its own, all released at once; return what each
    returned or raised, in order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except BaseException as error:  # noqa: BLE001 - reported to the test as a result
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a step never finished (deadlock?)"
    return results


@pytest.mark.parametrize("attempt", range(5))
def test_three_organisations_answering_at_once_close_the_round_once(demo, attempt):
    process = in_a_round_of_three(demo, f"អនុក្រឹត្យ ការប្រកួត {attempt}")
    tasks = {}
    for task in open_tasks(process, ApprovalFlow.organisation_review):
        code = Organisation.objects.get(pk=task.data["organisation_id"]).code
        tasks[code] = task
        # Each ministry's one reviewer holds it from the start: the race is the answer.
        if task.status == STATUS.NEW:
            task.flow_task.activation_class(task).assign(demo[CODES[code]])

    def answer(code):
        def job():
            act(
                tasks[code],
                demo[CODES[code]],
                services.consultation_answer,
                position=Position.COMMENTS,
                remarks="សូមពិនិត្យមាត្រា ១",  # "comments" says something (item 10)
            )
            return "answered"

        return job

    results = run_together([answer(code) for code in CODES])

    assert results == ["answered"] * 3
    process.refresh_from_db()
    assert process.status == STATUS.NEW  # running, not stuck or failed
    tasks_of = process.task_set
    assert tasks_of.filter(flow_task=ApprovalFlow.round_answered).count() == 1
    assert tasks_of.get(flow_task=ApprovalFlow.round_answered).status == STATUS.DONE
    assert tasks_of.filter(flow_task=ApprovalFlow.close_round, status=STATUS.DONE).count() == 1
    assert tasks_of.filter(flow_task=ApprovalFlow.consolidate).count() == 1
    assert tasks_of.filter(status=STATUS.ERROR).count() == 0
    consolidate = open_task(process, ApprovalFlow.consolidate)
    assert consolidate.owner == demo["drafter"]
    assert not Consultation.objects.filter(round__process=process, answered_at=None).exists()
    assert process.rounds.get().closed_at is not None
    assert AuditEntry.objects.filter(process=process, action="round_closed").count() == 1
    assert Instrument.objects.get(pk=process.instrument_id).status == "consolidation"


def test_a_review_form_submitted_twice_at_once_completes_the_task_once(demo):
    process = submitted(demo, "អនុក្រឹត្យ ចុចពីរដង")
    task = open_task(process, ApprovalFlow.chief_review)
    if task.status == STATUS.NEW:  # the one chief holds it from the start
        task.flow_task.activation_class(task).assign(demo["chief"])
    url = task.flow_task.reverse("execute", args=[process.pk, task.pk])
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(demo["chief"])
        clients.append(client)

    def post(client):
        def job():
            response = client.post(url, {"decision": Decision.APPROVE, "reason": ""})
            return response.status_code, response.get("Location", "")

        return job

    answers = run_together([post(client) for client in clients])

    # One completes the step. The other waits on the process's lock and is refused, or (on
    # a busy machine) comes after the first has committed and is sent to the step's page,
    # which says it is done.
    detail = task.flow_task.reverse("detail", args=[process.pk, task.pk])
    done = [a for a in answers if a[0] == 302 and a[1] != detail]
    turned_away = [a for a in answers if a[0] == 403 or a == (302, detail)]
    assert (len(done), len(turned_away)) == (1, 1), answers
    assert process.task_set.filter(flow_task=ApprovalFlow.director_review).count() == 1
    assert AuditEntry.objects.filter(process=process, action="chief_review.approve").count() == 1


def test_two_chiefs_taking_the_same_task_at_once_leave_one_owner(demo):
    from organisations.models import User
    from organisations.roles import Role
    from organisations.services import user_set_roles

    deputy = User.objects.create(username="chief2", organisation=demo["chief"].organisation)
    user_set_roles(user=deputy, roles=[Role.OFFICE_CHIEF])
    process = submitted(demo, "អនុក្រឹត្យ យកពីរនាក់")
    task = open_task(process, ApprovalFlow.chief_review)
    if task.status == STATUS.ASSIGNED:  # back in the office's queue, for two to take at once
        task.flow_task.activation_class(task).unassign()
        task.refresh_from_db()
    url = task.flow_task.reverse("assign", args=[process.pk, task.pk])

    def take(user):
        def job():
            client = Client()
            client.force_login(user)
            return client.post(url).status_code

        return job

    statuses = run_together([take(demo["chief"]), take(deputy)])

    # The loser is refused under the lock (403) or, arriving just after, sent to the step
    # that someone else has taken (302, as ``task_urls._moved_on`` does): which one depends on
    # the machine's timing. What must hold either way: one owner, taken once.
    assert sorted(statuses) in ([302, 302], [302, 403]), statuses
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED and task.owner in (demo["chief"], deputy)
    assert process.task_set.filter(flow_task=ApprovalFlow.chief_review).count() == 1


def test_a_step_taken_again_is_refused(demo):
    process = submitted(demo, "អនុក្រឹត្យ ម្ដងទៀត")
    task = open_task(process, ApprovalFlow.chief_review)
    act(task, demo["chief"], services.review_decide, decision=Decision.APPROVE, reason="")

    with pytest.raises(PermissionDenied):
        act(task, demo["chief"], services.review_decide, decision=Decision.RETURN, reason="ទេ")
    client = Client()
    client.force_login(demo["chief"])
    execute = task.flow_task.reverse("execute", args=[process.pk, task.pk])
    # The finished step's form leads to what was decided; nothing is decided again.
    assert client.post(execute, {"decision": Decision.RETURN, "reason": "ទេ"}).status_code == 302

    task.refresh_from_db()
    assert task.data["decision"] == Decision.APPROVE
    assert process.task_set.filter(flow_task=ApprovalFlow.director_review).count() == 1
    assert not process.task_set.filter(flow_task=ApprovalFlow.revise).exists()
    assert (
        AuditEntry.objects.filter(process=process, action__startswith="chief_review").count() == 1
    )


def test_two_registrations_of_one_type_at_once_never_share_a_number(demo):

    from django.core.exceptions import ValidationError

    from documents.models import ReferenceCounter
    from workflows.tests.test_registry import register, signed

    tasks = [signed(demo, drafted(demo, title)) for title in ("អនុក្រឹត្យ ក", "អនុក្រឹត្យ ខ")]
    number = services.next_reference_number(
        instrument_type=InstrumentType.objects.get(code="sub-decree"), year=2026
    )

    def registering(task):
        def job():
            try:
                register(demo, task, number)
                return "registered"
            except ValidationError as error:
                return error.message_dict["reference_number"][0]

        return job

    outcomes = run_together([registering(task) for task in tasks])
    assert sorted(outcomes) == sorted(["registered", "លេខនេះត្រូវបានប្រើរួចហើយ។"]), outcomes
    assert Instrument.objects.filter(reference_number=number).count() == 1
    assert ReferenceCounter.objects.get().registered == 1
