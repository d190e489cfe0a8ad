"""What the process above tells time.

``tasks`` keeps the working-day calendar, the deadlines of tasks, the reminder outbox and the
periodic jobs' plumbing; it knows nothing of the approval process, which sits above it
(README, Architecture) and registers here, as its app starts, what only it knows:

- how a reminder names a step (``step_titles``);
- what each sweep must also do, in the sweep's transaction (``on_sweep``): the process closes
  the rounds past their deadline and asks the director about the others; each returns the
  ids of tasks the sweep then writes no reminder for;
- how to word a reminder of a kind that only the process writes (``notices``).

Nothing registered: steps are named by their code, the sweep only reminds, and a reminder of
an unknown kind is skipped.
"""

from collections.abc import Callable

_step_title: Callable[[str], str] | None = None
_sweepers: list[Callable] = []
_notices: dict[str, Callable] = {}


def step_titles(title: Callable[[str], str]) -> None:
    global _step_title  # noqa: PLW0603 - one registration, at start-up
    _step_title = title


def on_sweep(sweeper: Callable) -> None:
    """``sweeper(today=, now=, result=)`` -> the ids of tasks not to remind about."""
    if sweeper not in _sweepers:
        _sweepers.append(sweeper)


def notices(kind: str, notice: Callable) -> None:
    """``notice(reminder, today=)`` -> a ``tasks.services.Notice``, or None when the
    reminder no longer applies."""
    _notices[kind] = notice


def step_title(step: str) -> str:
    return (_step_title(step) if _step_title else None) or step


def sweepers() -> list[Callable]:
    return list(_sweepers)


def notice_for(kind: str) -> Callable | None:
    return _notices.get(kind)
