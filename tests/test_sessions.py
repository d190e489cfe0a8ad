"""A page view reads the session; it writes it only when something changed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def session_writes(client, path) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return [
        q["sql"]
        for q in captured.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def test_opening_the_same_list_again_writes_no_session(demo, client):
    """viewflow pins the list a person opened (``vf-pin-location``) on every GET of it."""
    client.force_login(demo["chief"])
    inbox, queue = reverse("workflow:inbox"), reverse("workflow:queue")
    session_writes(client, inbox)  # the first visit pins the inbox
    assert session_writes(client, inbox) == []
    assert session_writes(client, reverse("notifications:list")) == []
    assert session_writes(client, inbox) == []
    assert session_writes(client, queue) != []  # another list: the pin moves, once
    assert session_writes(client, queue) == []
    assert client.session["vf-pin-location"] == queue
