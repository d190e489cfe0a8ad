"""The database refuses to change or delete a saved version, whatever the code does."""

from django.db import migrations

from project.immutable_tables import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_text_schedule_versions")]

    operations = [AppendOnly("documents_version")]
