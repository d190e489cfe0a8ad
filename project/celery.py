"""The Celery application: configured from Django settings (``CELERY_*``), tasks discovered
in each app's ``tasks.py``. The beat schedule lives in ``project.settings``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("lekhit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
