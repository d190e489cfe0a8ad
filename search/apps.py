from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The index follows every save: the receivers live here so that no lower app imports
        # search (pyproject's import contract).
        from search import signals  # noqa: F401
