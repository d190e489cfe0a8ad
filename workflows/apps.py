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
        from workflows import checks, deadlines  # noqa: F401

        deadlines.register()
