from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Deadlines and background jobs")

    def ready(self):
        # The administrator's days and durations are cached per process; saving one clears it.
        from tasks import calendar  # noqa: F401 - connects its signal receivers
