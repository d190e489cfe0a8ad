"""Bad input at the service layer (issue 9, item 10): a clear, translated refusal, and nothing
written. First the reproductions of the issue, then hypothesis feeding every public service of
documents, workflows, tasks, organisations and notifications hostile values (wrong types, None,
huge strings and numbers, past, future and impossible dates, control characters, non-NFC
Khmer) for the arguments people's input reaches: the only outcomes allowed are success or a
refusal (ValidationError, PermissionDenied, or the editor's EditConflict / NotEditable), and a
refused call leaves every table as it was.

The objects a service works on (the user, the instrument, the task) are real and valid: they
come from look-ups, never from what someone typed. Each example runs in a savepoint rolled back
after it, so that every example starts from the same state. Bounded and derandomised for CI.
"""

from datetime import date, datetime, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from viewflow.workflow.models import Process, Task

from documents import services as documents
from documents.errors import EditConflict, NotEditable
from documents.models import InstrumentType, Provision, ScheduleRow, Version
from notifications import services as notifications
from organisations import services as organisations
from organisations.models import Organisation
from tasks.calendar import is_working_day
from tasks.models import TaskDeadline
from workflows import services
from workflows.deadlines import deadline_extend
from workflows.flows import ApprovalFlow
from workflows.models import (
    Comment,
    Consultation,
    ConsultationRound,
    Decision,
    Disposition,
    NextStep,
    Position,
    SignOffDecision,
    SilenceRule,
)
from workflows.tests.conftest import _flow_urls_loaded, act, instrument, open_round, open_task
from workflows.tests.test_journey import answer_round, consolidate, review_task_of
from workflows.tests.test_pages import in_consultation

__all__ = ["_flow_urls_loaded", "in_consultation", "instrument"]  # fixtures

REFUSED = (ValidationError, PermissionDenied, EditConflict, NotEditable)
APPS = ("documents", "workflows", "tasks", "organisations", "notifications")

# --- Hostile values -------------------------------------------------------------------------

KHMER = st.text(alphabet=st.characters(min_codepoint=0x1780, max_codepoint=0x17FF), max_size=20)
CONTROL = st.text(alphabet=st.characters(max_codepoint=0x1F), min_size=1, max_size=5)
TEXTS = st.one_of(
    st.text(max_size=30),
    KHMER,
    CONTROL,
    st.sampled_from(
        [
            "",
            "   ",
            "x\x00y",
            "\ud800",  # a lone surrogate: not a character
            "ក\u17dd\u17d2ខ",  # non-NFC Khmer
            "អត្រា x<y ហើយ y>z",
            "<script>alert(1)</script>",
            "ក" * 20_001,
            "x" * 100_001,
        ]
    ),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 10**20, 2**63]),
    st.floats(allow_nan=True, allow_infinity=True),
)
DATES = st.one_of(
    st.dates(),
    st.datetimes(),
    st.sampled_from(["2026-02-30", "ten", "", date.min, date.max]),
)
WRONG = st.one_of(
    st.none(),
    st.booleans(),
    NUMBERS,
    DATES,
    TEXTS,
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.binary(max_size=5),
)


def hostile(*valid):
    """Sometimes one of the valid values, mostly anything at all."""
    return st.one_of(st.sampled_from(valid), WRONG) if valid else WRONG


FUZZ = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# --- What a refusal must leave as it was ------------------------------------------------------


def _models():
    models = [m for label in APPS for m in apps.get_app_config(label).get_models()]
    return [*models, Process, Task]


def state(*rows) -> dict:
    """Every table's row count (in one query), and the full values of the ``rows`` concerned."""
    tables = sorted({model._meta.db_table for model in _models()})
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")  # noqa: S608 - table names from the models
        counts = dict(zip(tables, cursor.fetchone(), strict=True))
    values = [list(type(row)._base_manager.filter(pk=row.pk).values()) for row in rows]
    return {"counts": counts, "rows": values}


def attempt(call, *rows):
    """Run ``call`` in a savepoint rolled back afterwards; a refusal must have written nothing."""
    with transaction.atomic():
        before = state(*rows)
        try:
            call()
        except REFUSED as refusal:
            assert state(*rows) == before, f"refused ({refusal}) after writing"
        transaction.set_rollback(True)


def fuzz(call, *rows, **strategies):
    """Call ``call(**kwargs)`` with ``kwargs`` drawn from ``strategies``."""

    @FUZZ
    @given(st.fixed_dictionaries(strategies))
    def run(kwargs):
        attempt(lambda: call(**kwargs), *rows)

    run()


def stepped(task, user, service):
    """A step's service, called as the task page calls it (``task_activation`` first)."""

    def call(**kwargs):
        act(task, user, service, **kwargs)

    return call


# --- The reproductions of the issue ---------------------------------------------------------


@pytest.fixture
def mef_consultation(demo, in_consultation):
    consultation_round = open_round(demo, in_consultation, ("mef",))
    return Consultation.objects.get(round=consultation_round)


def test_comments_without_a_comment_or_a_remark_are_refused(demo, in_consultation):
    consultation_round = open_round(demo, in_consultation, ("mef",))
    consultation = Consultation.objects.get(round=consultation_round)
    task = review_task_of(in_consultation, "mef")
    before = state(consultation, task)
    with translation.override("km"), pytest.raises(ValidationError) as refused:
        act(task, demo["reviewer-mef"], services.consultation_answer, position=Position.COMMENTS)
    assert "remarks" in refused.value.message_dict
    assert "សូមសរសេរមតិយោបល់" in refused.value.message_dict["remarks"][0]  # in Khmer
    assert state(consultation, task) == before
    act(
        task,
        demo["reviewer-mef"],
        services.consultation_answer,
        position=Position.COMMENTS,
        remarks="សូមពិនិត្យមាត្រា ១",
    )
    consultation.refresh_from_db()
    assert consultation.position == Position.COMMENTS


def test_a_comment_longer_than_its_limit_is_refused(demo, mef_consultation):
    with translation.override("km"), pytest.raises(ValidationError) as refused:
        services.comment_add(
            consultation=mef_consultation, user=demo["reviewer-mef"], text="ក" * 20_000
        )
    assert "១០.០០០" in refused.value.message_dict["text"][0]  # the limit, in Khmer digits
    assert not Comment.objects.exists()


def test_round_plan_refuses_working_days_that_are_not_a_number(demo, in_consultation):
    task = open_task(in_consultation, ApprovalFlow.plan_round)
    for days in ("ten", None, 10.5, True):
        with pytest.raises(ValidationError) as refused:
            act(
                task,
                demo["drafter"],
                services.round_plan,
                organisations=list(Organisation.objects.filter(code="mef")),
                working_days=days,
                silence_rule=SilenceRule.NO_OBJECTION,
            )
        assert "working_days" in refused.value.message_dict
    assert not ConsultationRound.objects.exists()


@pytest.fixture
def deadline(demo, instrument):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    return TaskDeadline.objects.get(task=open_task(process, ApprovalFlow.chief_review))


def _next_day(start: date, working: bool) -> date:
    day = start + timedelta(days=1)
    while is_working_day(day) != working:
        day += timedelta(days=1)
    return day


def test_a_deadline_extension_to_an_impossible_day_is_refused(demo, deadline):
    today = timezone.localdate()
    working = _next_day(deadline.due_on, working=True)
    refused_days = [
        today - timedelta(days=1),  # already past
        _next_day(deadline.due_on, working=False),  # a weekend or a public holiday
        None,
        "2026-02-30",
        "ten",
        20261130,
        datetime.combine(working, datetime.min.time()),
        date.max,
    ]
    before = state(deadline)
    for due_on in refused_days:
        with pytest.raises(ValidationError) as refused:
            deadline_extend(task=deadline.task, user=demo["director"], due_on=due_on, reason="ក")
        assert "due_on" in refused.value.message_dict, due_on
    assert state(deadline) == before
    deadline_extend(task=deadline.task, user=demo["director"], due_on=working, reason="ឈប់សម្រាក")
    assert TaskDeadline.objects.get(pk=deadline.pk).due_on == working


# --- Fuzz: documents --------------------------------------------------------------------------


def test_fuzz_instrument_services(demo, instrument):
    drafter = demo["drafter"]
    sub_decree = InstrumentType.objects.get(code="sub-decree")
    office = Organisation.objects.get(code="dfr-fr")
    fuzz(
        lambda **kw: documents.instrument_create(user=drafter, **kw),
        title_km=st.one_of(st.just("ចំណងជើង"), TEXTS, WRONG),
        title_en=hostile(""),
        sector=hostile(""),
        instrument_type=hostile(sub_decree),
        owning_office=hostile(office),
        co_drafters=hostile((), [demo["chief"]]),
    )
    fuzz(
        lambda **kw: documents.instrument_update(instrument=instrument, user=drafter, **kw),
        instrument,
        expected_lock_version=hostile(0),
        title_km=hostile("ចំណងជើងថ្មី"),
        title_en=TEXTS,
        owning_office=hostile(office),
        co_drafters=hostile([]),
    )


def test_fuzz_provision_services(demo, instrument):
    drafter = demo["drafter"]
    chapter = Provision.objects.get(instrument=instrument, kind=Provision.Kind.CHAPTER)
    article = Provision.objects.filter(instrument=instrument, kind=Provision.Kind.ARTICLE).first()
    fuzz(
        lambda **kw: documents.provision_add(instrument=instrument, user=drafter, **kw),
        chapter,
        kind=hostile(*Provision.Kind.values),
        parent=hostile(None, chapter, article),
        after=hostile(None, article),
        heading_km=TEXTS,
        text_km=TEXTS,
        text_en=TEXTS,
    )
    fuzz(
        lambda **kw: documents.provision_update(provision=article, user=drafter, **kw),
        article,
        expected_lock_version=hostile(0),
        heading_km=TEXTS,
        text_km=TEXTS,
    )
    fuzz(
        lambda **kw: documents.provision_move(provision=article, user=drafter, **kw),
        article,
        chapter,
        parent=hostile(None, chapter, article),
        after=hostile(None, article),
        to_start=hostile(True, False),
    )
    fuzz(
        lambda **kw: documents.provision_shift(provision=article, user=drafter, **kw),
        article,
        direction=hostile("up", "down"),
    )


def test_fuzz_schedule_and_version_services(demo, instrument):
    drafter = demo["drafter"]
    ministry = Organisation.objects.get(code="moeys")
    row = documents.schedule_row_add(
        instrument=instrument,
        user=drafter,
        function_km="គ្រប់គ្រងសាលា",
        from_ministry=ministry,
        level=ScheduleRow.Level.DISTRICT,
    )
    values = {
        "function_km": hostile("មុខងារ"),
        "function_en": TEXTS,
        "legal_basis": TEXTS,
        "assets": TEXTS,
        "from_ministry": hostile(ministry),
        "level": hostile(*ScheduleRow.Level.values),
        "staff_count": hostile(0, 12),
        "budget_riel": hostile(0, 1_000_000),
        "effective_date": hostile(None, date(2027, 1, 1)),
    }
    fuzz(
        lambda **kw: documents.schedule_row_add(instrument=instrument, user=drafter, **kw), **values
    )
    fuzz(
        lambda **kw: documents.schedule_row_update(row=row, user=drafter, **kw),
        row,
        expected_lock_version=hostile(0),
        **values,
    )
    version = documents.version_create(instrument=instrument, user=drafter, label="v1")
    fuzz(
        lambda **kw: documents.version_create(instrument=instrument, user=drafter, **kw),
        label=hostile("v2"),
        reason=hostile(*Version.Reason.values),
        restored_from=hostile(None, version),
    )


# --- Fuzz: the process ------------------------------------------------------------------------


def test_fuzz_internal_review_and_round_plan(demo, instrument):
    process = services.process_start(instrument=instrument, user=demo["drafter"])
    task = open_task(process, ApprovalFlow.chief_review)
    fuzz(
        stepped(task, demo["chief"], services.review_decide),
        task,
        instrument,
        decision=hostile(*Decision.values),
        reason=TEXTS,
    )
    act(task, demo["chief"], services.review_decide, decision=Decision.RETURN, reason="សូមកែ")
    revise = open_task(process, ApprovalFlow.revise)
    fuzz(stepped(revise, demo["drafter"], services.draft_resubmit), revise, note=TEXTS)


def test_fuzz_round_plan(demo, in_consultation):
    task = open_task(in_consultation, ApprovalFlow.plan_round)
    mef = Organisation.objects.get(code="mef")
    fuzz(
        stepped(task, demo["drafter"], services.round_plan),
        task,
        organisations=hostile([mef], [Organisation.objects.get(code="moi")], []),
        working_days=hostile(1, 10, 120, 121, 0),
        silence_rule=hostile(*SilenceRule.values),
        today=hostile(None, date(2026, 12, 1)),
    )


def test_fuzz_comments_and_answers(demo, in_consultation):
    consultation_round = open_round(demo, in_consultation, ("mef",))
    consultation = Consultation.objects.get(round=consultation_round)
    article = next(
        p for p in consultation_round.version.snapshot["provisions"] if p["kind"] == "article"
    )
    reviewer = demo["reviewer-mef"]
    fuzz(
        lambda **kw: services.comment_add(consultation=consultation, user=reviewer, **kw),
        consultation,
        text=hostile("សូមកែ"),
        provision_uid=hostile(None, article["uid"]),
    )
    task = review_task_of(in_consultation, "mef")
    fuzz(
        stepped(task, reviewer, services.consultation_answer),
        task,
        consultation,
        position=hostile(*Position.values),
        remarks=TEXTS,
    )


def test_fuzz_consolidation(demo, in_consultation):
    consultation_round = open_round(demo, in_consultation)
    answer_round(demo, in_consultation, consultation_round, comment=True)
    comment = Comment.objects.first()
    article = Provision.objects.filter(kind=Provision.Kind.ARTICLE).first()
    fuzz(
        lambda **kw: services.comment_respond(comment=comment, user=demo["drafter"], **kw),
        comment,
        disposition=hostile(*Disposition.values),
        response=hostile("បានកែ"),
        changed_provisions=hostile(None, [], [str(article.uid)], ["x"]),
        expected_lock_version=hostile(None, 0),
    )
    task = open_task(in_consultation, ApprovalFlow.consolidate)
    fuzz(
        stepped(task, demo["drafter"], services.consolidation_finish),
        task,
        next_step=hostile(*NextStep.values),
    )


def test_fuzz_sign_off_and_registration(demo, in_consultation):
    consultation_round = open_round(demo, in_consultation)
    answer_round(demo, in_consultation, consultation_round, comment=False)
    consolidate(demo, in_consultation, NextStep.LEGAL)
    act(
        open_task(in_consultation, ApprovalFlow.legal_review),
        demo["legal"],
        services.review_decide,
        decision=Decision.APPROVE,
        reason="",
    )
    task = open_task(in_consultation, ApprovalFlow.sign_off)
    fuzz(
        stepped(task, demo["dg"], services.sign_off_decide),
        task,
        decision=hostile(*SignOffDecision.values),
        reason=TEXTS,
    )
    act(task, demo["dg"], services.sign_off_decide, decision=SignOffDecision.APPROVE, reason="")
    register = open_task(in_consultation, ApprovalFlow.register)
    fuzz(
        stepped(register, demo["registry"], services.instrument_register),
        register,
        reference_number=hostile("លេខ ១"),
        registered_on=hostile(date(2026, 11, 25)),
    )
    fuzz(
        services.next_reference_number,
        instrument_type=st.just(InstrumentType.objects.get(code="sub-decree")),
        year=hostile(2026),
    )


# --- Fuzz: deadlines, people, notifications ---------------------------------------------------


def test_fuzz_deadline_extend(demo, deadline):
    fuzz(
        lambda **kw: deadline_extend(task=deadline.task, user=demo["director"], **kw),
        deadline,
        due_on=hostile(_next_day(deadline.due_on, working=True)),
        reason=hostile("ឈប់សម្រាក"),
    )


def test_fuzz_people_and_notifications(demo):
    drafter = demo["drafter"]
    fuzz(
        lambda **kw: organisations.user_set_language(user=drafter, **kw),
        drafter,
        language=hostile("km", "en"),
    )
    today = timezone.localdate()
    fuzz(
        lambda **kw: organisations.delegation_create(delegator=drafter, **kw),
        drafter,
        delegate=st.sampled_from([drafter, demo["chief"], demo["reviewer-mef"]]),
        starts_on=st.one_of(st.dates(), st.just(today)),
        ends_on=st.one_of(st.dates(), st.just(today + timedelta(days=5))),
        reason=TEXTS,
    )
    fuzz(
        lambda **kw: notifications.notification_mark_read(user=drafter, **kw),
        notification_id=WRONG,
    )
    fuzz(lambda: notifications.notifications_mark_all_read(user=drafter))
