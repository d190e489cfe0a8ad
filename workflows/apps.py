from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Approval process")

    def ready(self):
        from workflows import checks  # noqa: F401 - registers the step names' system check
