"""Django's ``flush``, able to empty the append-only tables (versions, audit trail) on SQLite.

See ``project.immutable_tables``: only this command marks its connection as purging, so a
plain DELETE from anywhere else is still refused by the database.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        connection.lekhit_purging = True
        try:
            return super().handle(**options)
        finally:
            connection.lekhit_purging = False
