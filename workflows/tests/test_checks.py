"""The system check ``workflows.E001``: a step named as a string must be a node of the flow."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tasks import deadlines
from workflows import checks, selectors, services
from workflows.flows import ApprovalFlow


def test_the_real_tables_name_only_nodes_of_the_flow():
    assert checks.step_names_check() == []
    call_command("check")  # raises SystemCheckError on any error


def test_each_table_is_read():
    labels = {label: names for label, names in checks._tables()}
    assert set(labels["workflows.services.STATUS_AT_STEP"]) == set(services.STATUS_AT_STEP)
    assert "organisation_review" in labels["tasks.deadlines.DEFAULT_WORKING_DAYS"]
    assert "sign_off" in labels["workflows.selectors.RETURN_ACTIONS"]


def test_a_name_that_is_no_node_is_an_error():
    errors = checks.step_name_errors(
        ApprovalFlow, [("some.TABLE", ["chief_review", "cheif_review"])]
    )
    assert [(error.id, error.obj) for error in errors] == [("workflows.E001", "some.TABLE")]
    assert "'cheif_review'" in errors[0].msg


@pytest.mark.parametrize(
    ("module", "name", "bad"),
    [
        (services, "STATUS_AT_STEP", {"legal_reveiw": "legal_review"}),
        (deadlines, "DEFAULT_WORKING_DAYS", {"sign_of": 5}),
        (selectors, "RETURN_ACTIONS", ["director.return"]),
    ],
)
def test_a_renamed_step_stops_start_up(monkeypatch, module, name, bad):
    table = getattr(module, name)
    monkeypatch.setattr(
        module, name, {**table, **bad} if isinstance(table, dict) else [*table, *bad]
    )
    with pytest.raises(SystemCheckError, match="workflows.E001"):
        call_command("check")
