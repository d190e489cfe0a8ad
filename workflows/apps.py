from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Approval process")

    def ready(self):
        # Time (``tasks``) sits below the process: tell its sweep and reminders what only the
        # process knows (rounds past their deadline, step titles, the director's question).
        from workflows import deadlines

        deadlines.register()
