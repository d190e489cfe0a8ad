"""A system check: every step name written as a string elsewhere names a node of the flow.

The instrument's status at each step (``workflows.services.STATUS_AT_STEP``), the default
working days of each step (``tasks.deadlines.DEFAULT_WORKING_DAYS``) and the audit actions
that count as a return (``workflows.selectors.RETURN_ACTIONS``, "<step>.<decision>", as
``services.review_decide`` and ``services.sign_off_decide`` write them) name steps by their
node's attribute name in ``workflows.flows.ApprovalFlow``. Renaming a node without them
would go unnoticed until a process reached it (a status never set, a deadline of five days,
a return never shown); ``workflows.E001`` stops ``manage.py check``, ``runserver``,
``migrate`` and the test run at start-up instead.
"""

from django.core import checks


def _tables() -> list[tuple[str, list[str]]]:
    """Each table that names steps, with the step names it holds."""
    from tasks.deadlines import DEFAULT_WORKING_DAYS
    from workflows.selectors import RETURN_ACTIONS
    from workflows.services import STATUS_AT_STEP

    return [
        ("workflows.services.STATUS_AT_STEP", list(STATUS_AT_STEP)),
        ("tasks.deadlines.DEFAULT_WORKING_DAYS", list(DEFAULT_WORKING_DAYS)),
        (
            "workflows.selectors.RETURN_ACTIONS",
            [action.partition(".")[0] for action in RETURN_ACTIONS],
        ),
    ]


def step_name_errors(flow_class, tables) -> list[checks.Error]:
    """One ``workflows.E001`` per name in ``tables`` (``(label, names)`` pairs) that is not
    the name of a node of ``flow_class``."""
    nodes = {node.name for node in flow_class.instance.nodes()}
    return [
        checks.Error(
            f"{label} names the step {name!r}, which is no node of {flow_class.__name__}.",
            hint=f"The flow's nodes are: {', '.join(sorted(nodes))}.",
            obj=label,
            id="workflows.E001",
        )
        for label, names in tables
        for name in names
        if name not in nodes
    ]


@checks.register()
def step_names_check(app_configs=None, **kwargs) -> list[checks.Error]:
    from workflows.flows import ApprovalFlow

    return step_name_errors(ApprovalFlow, _tables())
