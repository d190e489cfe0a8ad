"""Every human step, completed through the service layer by two threads at the same instant,
takes effect once.

Web forms are queued by viewflow's view, which takes the process lock before it reads the
task; services are called from jobs, the benchmark and the coming API, through
``services.task_activation``. Each test drives one process to a step, then two threads
(each its own connection, released together) call ``task_activation`` and the step's
service on the same task, as the same person: one completes it, the other is refused in
the user's language, and the step's effect (next task, audit entry, version, sign-off,
registration) is there once.
"""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from viewflow.workflow.models import Task

from documents.models import ReferenceCounter, Version
from organisations.models import Organisation
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import AuditEntry, Decision, NextStep, Position, SignOff, SignOffDecision

from .conftest import act, open_task, open_tasks
from .test_concurrency import run_together, submitted

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CODES = {"mef": "reviewer-mef", "moh": "reviewer-moh", "ncdd-s": "reviewer-ncdd"}


def _review(decision=Decision.APPROVE, reason=""):
    return services.review_decide, {"decision": decision, "reason": reason}


def _consultation_task(process, code):
    organisation = Organisation.objects.get(code=code)
    return next(
        task
        for task in open_tasks(process, ApprovalFlow.organisation_review)
        if task.data["organisation_id"] == organisation.pk
    )


# The steps in the order one process takes them: (name, node, who, service and arguments,
# the next node, how many of its tasks one completion creates, whether a version is frozen,
# the audit actions one completion writes).
STEPS = [
    ("chief_review_return", "chief_review", "chief", _review(Decision.RETURN, "សូមកែ"),
     "revise", 1, 0, ["chief_review.return"]),
    ("revise", "revise", "drafter", (services.draft_resubmit, {"note": ""}),
     "chief_review", 1, 1, ["resubmitted"]),
    ("chief_review", "chief_review", "chief", _review(), "director_review", 1, 0,
     ["chief_review.approve"]),
    ("director_review", "director_review", "director", _review(), "plan_round", 1, 0,
     ["director_review.approve"]),
    ("plan_round", "plan_round", "drafter", (services.round_plan, {"working_days": 10,
     "silence_rule": "no_objection"}), "organisation_review", 3, 1, ["round_opened"]),
    ("organisation_review", "organisation_review:mef", "reviewer-mef",
     (services.consultation_answer, {"position": Position.NO_OBJECTION}),
     "round_answered", 1, 0, ["consultation_answered"]),
    ("organisation_review_last", "organisation_review:ncdd-s", "reviewer-ncdd",
     (services.consultation_answer, {"position": Position.NO_OBJECTION}),
     "consolidate", 1, 0, ["consultation_answered", "round_closed"]),
    ("consolidate", "consolidate", "drafter",
     (services.consolidation_finish, {"next_step": NextStep.LEGAL}),
     "legal_review", 1, 1, ["consolidated"]),
    ("legal_review", "legal_review", "legal", _review(), "sign_off", 1, 0,
     ["legal_review.approve"]),
    ("sign_off", "sign_off", "dg",
     (services.sign_off_decide, {"decision": SignOffDecision.APPROVE, "reason": ""}),
     "register", 1, 1, ["sign_off.approve"]),
    ("register", "register", "registry",
     (services.instrument_register,
      {"reference_number": "លេខ ១", "registered_on": date(2026, 11, 25)}),
     "end", 1, 0, ["registered"]),
]  # fmt: skip


def _task(process, node):
    name, _sep, code = node.partition(":")
    if code:
        return _consultation_task(process, code)
    return open_task(process, getattr(ApprovalFlow, name))


def _arguments(kwargs):
    if "working_days" in kwargs:
        return {**kwargs, "organisations": list(Organisation.objects.filter(code__in=CODES))}
    return kwargs


def _complete(demo, process, step):
    _name, node, username, (service, kwargs), *_rest = step
    act(_task(process, node), demo[username], service, **_arguments(kwargs))


def _before(demo, process, index):
    """The process, its steps up to ``STEPS[index]`` done one after the other."""
    for step in STEPS[:index]:
        _complete(demo, process, step)
        if step[0] == "organisation_review":  # the round's other organisation answers
            act(
                _consultation_task(process, "moh"),
                demo["reviewer-moh"],
                services.consultation_answer,
                position=Position.NO_OBJECTION,
            )


@pytest.mark.parametrize("index", range(len(STEPS)), ids=[step[0] for step in STEPS])
def test_a_step_completed_by_two_threads_at_once_takes_effect_once(demo, index):
    name, node, username, (service, kwargs), next_node, created, versions, actions = STEPS[index]
    process = submitted(demo, f"អនុក្រឹត្យ ពីរដង {name}")
    _before(demo, process, index)
    task, user = _task(process, node), demo[username]
    if task.owner_id is None:  # taken beforehand, as from the queue: the race is the step
        task.flow_task.activation_class(task).assign(user)
    arguments = _arguments(kwargs)
    last_task = Task.objects.order_by("-pk").values_list("pk", flat=True).first()
    audit = AuditEntry.objects.count()
    version_count = Version.objects.filter(instrument_id=process.instrument_id).count()
    sign_offs = SignOff.objects.count()

    def complete():
        act(task, user, service, **arguments)
        return "done"

    results = run_together([complete, complete])

    assert sorted(map(str, results)) != ["done", "done"], f"{name}: completed twice"
    assert results.count("done") == 1, results
    (refusal,) = [result for result in results if result != "done"]
    assert isinstance(refusal, PermissionDenied | ValidationError), repr(refusal)
    with translation.override("km"):
        assert str(refusal) == translation.gettext(
            "This task is not assigned to you, or is already done."
        )
    new = Task.objects.filter(process=process, pk__gt=last_task)
    assert new.filter(flow_task=getattr(ApprovalFlow, next_node)).count() == created
    assert sorted(
        AuditEntry.objects.order_by("pk")[audit:].values_list("action", flat=True)
    ) == sorted(actions)
    assert (
        Version.objects.filter(instrument_id=process.instrument_id).count()
        == version_count + versions
    )
    if name == "sign_off":
        assert SignOff.objects.count() == sign_offs + 1
    if name == "register":
        assert ReferenceCounter.objects.get().registered == 1
