"""When the translations the JavaScript catalogue serves last changed."""

from datetime import UTC, datetime
from functools import cache

from django.conf import settings


@cache
def _compiled_at() -> datetime:
    # The compiled catalogues change only with a deployment (``make compilemessages``).
    catalogues = [
        path
        for folder in settings.LOCALE_PATHS
        for path in folder.glob("*/LC_MESSAGES/*.mo")
        if path.is_file()
    ]
    newest = max((path.stat().st_mtime for path in catalogues), default=0)
    return datetime.fromtimestamp(int(newest), tz=UTC)


def catalogues_compiled_at(request) -> datetime:
    return _compiled_at()
