from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Approval process")

    def ready(self):
        # checks: registers the step names' system check (workflows.E001).
        # deadlines: time (``tasks``) sits below the process; tell its sweep and reminders what
        # only the process knows (rounds past their deadline, step titles, the director's
        # question).
        # events: how the process's announcements (a task, a round, a return, a matrix, a
        # signature) are worded when the outbox sends them.
        from workflows import checks, deadlines, events  # noqa: F401

        deadlines.register()
        events.register()
