"""A task's deadline follows the task in the database itself.

Whatever changes a task — our services, viewflow's own assign, unassign and cancel pages, the
admin — its open deadline takes the new assignee, and closes when the task is done, cancelled
or revived. The sweep reads open deadlines only (``closed_at IS NULL``), so a deadline left
open by a path that forgot it would send reminders for a task nobody has any more.
"""

from django.db import migrations

DONE = "('DONE', 'CANCELED', 'REVIVED')"

POSTGRESQL = [
    f"""
    CREATE FUNCTION tasks_deadline_follows_task() RETURNS trigger AS $$
    BEGIN
        IF NEW.owner_id IS DISTINCT FROM OLD.owner_id THEN
            UPDATE tasks_taskdeadline
               SET assignee_id = NEW.owner_id,
                   assigned_at = CASE WHEN NEW.owner_id IS NULL THEN NULL
                                      ELSE COALESCE(NEW.assigned, now()) END
             WHERE task_id = NEW.id;
        END IF;
        IF NEW.status IN {DONE} AND OLD.status NOT IN {DONE} THEN
            UPDATE tasks_taskdeadline SET closed_at = COALESCE(NEW.finished, now())
             WHERE task_id = NEW.id AND closed_at IS NULL;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER tasks_deadline_follows_task AFTER UPDATE OF owner_id, status
    ON viewflow_task FOR EACH ROW EXECUTE FUNCTION tasks_deadline_follows_task()
    """,
]
POSTGRESQL_UNDO = [
    "DROP TRIGGER IF EXISTS tasks_deadline_follows_task ON viewflow_task",
    "DROP FUNCTION IF EXISTS tasks_deadline_follows_task()",
]

# SQLite runs the two triggers in an order of its own: neither depends on the other.
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
SQLITE = [
    f"""
    CREATE TRIGGER tasks_deadline_assignee AFTER UPDATE OF owner_id ON viewflow_task
    WHEN NEW.owner_id IS NOT OLD.owner_id
    BEGIN
        UPDATE tasks_taskdeadline
           SET assignee_id = NEW.owner_id,
               assigned_at = CASE WHEN NEW.owner_id IS NULL THEN NULL
                                  ELSE COALESCE(NEW.assigned, {SQLITE_NOW}) END
         WHERE task_id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER tasks_deadline_close AFTER UPDATE OF status ON viewflow_task
    WHEN NEW.status IN {DONE} AND OLD.status NOT IN {DONE}
    BEGIN
        UPDATE tasks_taskdeadline SET closed_at = COALESCE(NEW.finished, {SQLITE_NOW})
         WHERE task_id = NEW.id AND closed_at IS NULL;
    END
    """,
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS tasks_deadline_assignee",
    "DROP TRIGGER IF EXISTS tasks_deadline_close",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise NotImplementedError(f"deadline triggers are not written for {vendor}")
        for statement in statements_by_vendor[vendor]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0004_reminder_outbox"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_UNDO, "sqlite": SQLITE_UNDO}),
        )
    ]
