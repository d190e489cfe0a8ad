"""Django's database sessions, not written for a value they already hold.

Viewflow keeps the list a person last opened in their session (``vf-pin-location``, where a
finished step leads back to) and sets it on every GET of a list, unchanged or not: each page
view wrote the session row and committed. Here setting a key to the value it has changes
nothing, so a GET writes the session only when something did change (the person opened
another list, signed in, chose a language).
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_MISSING = object()


class SessionStore(DatabaseSessionStore):
    def __setitem__(self, key, value):
        if self._session.get(key, _MISSING) == value:
            return
        super().__setitem__(key, value)
