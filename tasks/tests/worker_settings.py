"""Settings for a worker the tests start as a process of its own, then kill: the project's,
with a mail server that takes its time and keeps each message as a file, so that the test can
kill the worker in the middle of a batch and count, from outside, what was sent."""

import os
import time
import uuid

from django.core.mail.backends.filebased import EmailBackend

from project.settings import *  # noqa: F403

EMAIL_BACKEND = "tasks.tests.worker_settings.SlowFileBackend"
EMAIL_FILE_PATH = os.environ["LEKHIT_TEST_MAIL_DIR"]


class SlowFileBackend(EmailBackend):
    """A fifth of a second per message, as a distant mail server might take; each message in
    a file of its own (Django's names two files alike within a second, and appends)."""

    def send_messages(self, email_messages):
        time.sleep(0.2)
        return super().send_messages(email_messages)

    def _get_filename(self):
        if self._fname is None:
            self._fname = os.path.join(self.file_path, f"{uuid.uuid4().hex}.eml")
        return self._fname
