from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("People and organisations")

    def ready(self):
        post_migrate.connect(_sync_roles, dispatch_uid="organisations.roles_sync")


def _sync_roles(sender, using="default", **kwargs):
    """Keep the role groups' permissions equal to ``organisations.roles`` after each migrate.

    post_migrate fires once per app, and each app's permissions are created by its own signal:
    only when the last installed app's signal arrives do all of them exist. Django sends it
    only for apps with a models module, so the last of those (an app without models, listed
    last, would never send it).
    """
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is with_models[-1]:
        from organisations.services import roles_sync

        roles_sync(using=using)
