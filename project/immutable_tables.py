"""A migration operation that makes a table append-only in the database itself.

Versions and the audit trail must never change once written, whatever the code, the admin or
a shell session tries: triggers refuse UPDATE and DELETE on SQLite and PostgreSQL alike.
"""

from django.db import migrations


def _statements(table: str, vendor: str, *, create: bool) -> list[str]:
    if vendor == "sqlite":
        if not create:
            return [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]
        return [
            f"CREATE TRIGGER {table}_no_{op} BEFORE {op.upper()} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            for op in ("update", "delete")
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
