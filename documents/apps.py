from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Instruments")

    def ready(self):
        from django.db.backends.signals import connection_created

        from project import sqlite_ids
        from project.immutable_tables import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="lekhit_sqlite_purge")
        connection_created.connect(sqlite_ids.install, dispatch_uid="lekhit_sqlite_ids")
