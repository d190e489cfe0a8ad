"""The database refuses to change or delete a saved version, whatever the code does."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER documents_version_no_update BEFORE UPDATE ON documents_version
       BEGIN SELECT RAISE(ABORT, 'documents_version is immutable'); END""",
    """CREATE TRIGGER documents_version_no_delete BEFORE DELETE ON documents_version
       BEGIN SELECT RAISE(ABORT, 'documents_version is immutable'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS documents_version_no_update",
    "DROP TRIGGER IF EXISTS documents_version_no_delete",
]
POSTGRES = [
    """CREATE FUNCTION documents_version_immutable() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'documents_version is immutable'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER documents_version_immutable BEFORE UPDATE OR DELETE ON documents_version
       FOR EACH ROW EXECUTE FUNCTION documents_version_immutable()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS documents_version_immutable ON documents_version",
    "DROP FUNCTION IF EXISTS documents_version_immutable()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_text_schedule_versions")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
