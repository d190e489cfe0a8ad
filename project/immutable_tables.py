"""A migration operation that makes a table append-only in the database itself.

Versions and the audit trail must never change once written, whatever the code, the admin or
a shell session tries: triggers refuse UPDATE and DELETE on SQLite and PostgreSQL alike.

Emptying the whole database (``manage.py flush``, which the test suite runs between tests)
stays possible, as it must: PostgreSQL flushes with TRUNCATE, which row triggers do not see;
SQLite flushes with DELETE, so its trigger lets a row go only on a connection that our
``flush`` command has marked (``lekhit_purging()``, a function every SQLite connection gets).
"""

from django.db import migrations

PURGE_FUNCTION = "lekhit_purging"


def register_sqlite_functions(sender, connection, **kwargs):
    """``connection_created`` receiver: give each SQLite connection ``lekhit_purging()``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            PURGE_FUNCTION, 0, lambda: int(getattr(connection, "lekhit_purging", False))
        )


def _statements(table: str, vendor: str, *, create: bool) -> list[str]:
    if vendor == "sqlite":
        if not create:
            return [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"WHEN NOT {PURGE_FUNCTION}() "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        ]
    if vendor == "postgresql":
        if not create:
            return [
                f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
                f"DROP FUNCTION IF EXISTS {table}_append_only()",
            ]
        return [
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{table} is append-only'; END $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        ]
    raise NotImplementedError(f"append-only tables are not implemented for {vendor}")


def AppendOnly(table: str) -> migrations.RunPython:  # noqa: N802 - reads as an operation
    def forwards(apps, schema_editor):
        for statement in _statements(table, schema_editor.connection.vendor, create=True):
            schema_editor.execute(statement)

    def backwards(apps, schema_editor):
        for statement in _statements(table, schema_editor.connection.vendor, create=False):
            schema_editor.execute(statement)

    return migrations.RunPython(forwards, backwards)
