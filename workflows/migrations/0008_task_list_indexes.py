"""Indexes on viewflow's task table for the lists a person opens every day, each with the
key's tie-breaker so that ``ORDER BY ... LIMIT`` stops at the page's last row:

- the archive (the steps one has finished, newest first): without it, the page walked the
  index of every task's creation and discarded the others' (6 s for the director-general at
  a million tasks);
- the inbox (the steps one holds, oldest first, and the menu's count of them);
- the flow's board (each step's open tasks, newest first: 4 s a column, walking every task
  ever created for a step with none open), its processes that ended, and the task list
  filtered by step.

A partial index's condition holds no parameter: psycopg prepares a statement run five times on
a connection, and PostgreSQL's generic plan for it cannot use an index whose condition depends
on a parameter's value.

viewflow's models are not ours to change: the indexes are SQL of our own, created if absent
and dropped on the way back, on PostgreSQL and SQLite alike."""

from django.db import migrations

INDEXES = {
    "lekhit_task_archive": (
        "viewflow_task (owner_id, created DESC, id DESC) WHERE finished IS NOT NULL"
    ),
    "lekhit_task_held": "viewflow_task (owner_id, status, created, id)",
    "lekhit_task_open": "viewflow_task (flow_task, created DESC, id DESC) WHERE finished IS NULL",
    "lekhit_task_step": "viewflow_task (flow_task, created DESC, id DESC)",
}


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0007_comment_schedule_row"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {definition}",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, definition in INDEXES.items()
    ]
