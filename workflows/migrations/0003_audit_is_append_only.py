"""The audit trail is append-only in the database itself."""

from django.db import migrations

from project.immutable_tables import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("workflows", "0002_consultation_signoff_audit")]

    operations = [AppendOnly("workflows_auditentry")]
