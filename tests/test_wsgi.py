"""The WSGI application gunicorn serves: the first request of a process freezes what the
process keeps for its lifetime out of the cycle collector's walks (``project/wsgi.py``)."""

import gc
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished

pytestmark = pytest.mark.django_db


def _serve(application, path="/no-such-page/") -> str:
    environ = {"PATH_INFO": path, "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    statuses = []
    body = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    body.close()  # as the server does: the request has finished
    return statuses[0]


def test_the_first_request_of_a_process_freezes_its_lasting_objects_once():
    from project import wsgi

    gc.unfreeze()
    request_finished.connect(wsgi.freeze_after_first_request)  # as in a new process
    try:
        assert _serve(wsgi.application).startswith("404")
        assert gc.get_freeze_count() > 10_000  # Django and the app, not only a handful
        gc.unfreeze()
        assert _serve(wsgi.application).startswith("404")
        assert gc.get_freeze_count() == 0  # once a process, not on every request
    finally:
        request_finished.disconnect(wsgi.freeze_after_first_request)
        gc.unfreeze()
