"""The registry's numbers: by the type's pattern, one more each time, never one used twice."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from documents.models import Instrument, InstrumentType, ReferenceCounter
from tasks.tests.conftest import new_instrument
from workflows import services
from workflows.flows import ApprovalFlow
from workflows.models import NextStep, SignOffDecision

from .conftest import act, open_round, open_task
from .test_journey import answer_round, consolidate, legal_then_dg, through_internal_review

pytestmark = pytest.mark.django_db


def signed(demo, instrument):
    """``instrument`` through the whole process up to its registration task."""
    process = through_internal_review(demo, instrument)
    consultation_round = open_round(demo, process)
    answer_round(demo, process, consultation_round, comment=False)
    consolidate(demo, process, NextStep.LEGAL)
    legal_then_dg(demo, process, SignOffDecision.APPROVE, "")
    return open_task(process, ApprovalFlow.register)


def register(demo, task, number, on=date(2026, 11, 25)):
    act(
        task,
        demo["registry"],
        services.instrument_register,
        reference_number=number,
        registered_on=on,
    )


def suggested(year=2026):
    sub_decree = InstrumentType.objects.get(code="sub-decree")
    return services.next_reference_number(instrument_type=sub_decree, year=year)


def test_numbers_follow_the_pattern_one_more_each_time_per_type_and_year(
    demo, instrument, django_assert_num_queries
):
    sub_decree = InstrumentType.objects.get(code="sub-decree")
    with django_assert_num_queries(1):  # however many are registered
        assert services.next_reference_number(instrument_type=sub_decree, year=2026) == (
            "លេខ ១ អនក.បក"
        )
    register(demo, signed(demo, instrument), suggested())
    second = new_instrument(demo)
    register(demo, signed(demo, second), suggested())
    second.refresh_from_db()
    assert second.reference_number == "លេខ ២ អនក.បក"
    assert suggested() == "លេខ ៣ អនក.បក"
    assert suggested(year=2027) == "លេខ ១ អនក.បក"  # each year starts again
    prakas = InstrumentType.objects.get(code="prakas")
    assert services.next_reference_number(instrument_type=prakas, year=2026).startswith("លេខ ១")


def test_a_number_already_given_is_refused_and_nothing_is_counted(demo, instrument):
    register(demo, signed(demo, instrument), "លេខ ១ អនក.បក")
    task = signed(demo, new_instrument(demo))
    with pytest.raises(ValidationError) as refused:
        register(demo, task, "លេខ ១ អនក.បក")
    assert refused.value.message_dict == {"reference_number": ["លេខនេះត្រូវបានប្រើរួចហើយ។"]}
    assert suggested() == "លេខ ២ អនក.បក"  # the refused registration counted nothing
    task.refresh_from_db()
    assert task.flow_task == ApprovalFlow.register and task.finished is None
    assert Instrument.objects.filter(status=Instrument.Status.REGISTERED).count() == 1
    assert ReferenceCounter.objects.get().registered == 1
