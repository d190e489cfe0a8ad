"""``tasks.hooks``: what the process above tells time, and what time does without it."""

import pytest

from tasks import hooks
from tasks.models import Reminder
from tasks.services import deadlines_sweep


@pytest.fixture
def nothing_registered(monkeypatch):
    monkeypatch.setattr(hooks, "_step_title", None)
    monkeypatch.setattr(hooks, "_sweepers", [])
    monkeypatch.setattr(hooks, "_notices", {})


def test_without_the_process_steps_keep_their_code_and_the_sweep_only_reminds(
    nothing_registered,
):
    assert hooks.step_title("chief_review") == "chief_review"
    assert hooks.sweepers() == []
    assert hooks.notice_for(Reminder.Kind.ROUND_DIRECTOR) is None


@pytest.mark.django_db
def test_each_sweep_runs_what_was_registered_once(nothing_registered):
    calls = []

    def sweeper(*, today, now, result):
        calls.append((today, now))
        result.rounds_closing = 7
        return set()

    hooks.on_sweep(sweeper)
    hooks.on_sweep(sweeper)  # registered once, however often the app starts

    result = deadlines_sweep()

    assert len(calls) == 1
    assert result.rounds_closing == 7


def test_the_process_registers_itself_as_it_starts():
    from workflows import deadlines
    from workflows.flows import ApprovalFlow

    assert deadlines.rounds_at_deadline in hooks.sweepers()
    assert hooks.notice_for(Reminder.Kind.ROUND_DIRECTOR) is deadlines.round_director_notice
    assert hooks.step_title("chief_review") == ApprovalFlow.chief_review.task_title
    assert hooks.step_title("no_such_step") == "no_such_step"
