"""What a browser may keep of the JavaScript catalogue: it changes with the compiled
catalogues and with the reader's language (which is the person's, not the URL's)."""

from functools import cache

from django.conf import settings
from django.utils.translation import get_language


@cache
def _compiled_at() -> int:
    # The compiled catalogues change only with a deployment (``make compilemessages``).
    catalogues = [
        path
        for folder in settings.LOCALE_PATHS
        for path in folder.glob("*/LC_MESSAGES/*.mo")
        if path.is_file()
    ]
    return int(max((path.stat().st_mtime for path in catalogues), default=0))


def catalogue_etag(request) -> str:
    """The catalogue's version for this request: the same URL serves each language."""
    return f"{get_language()}-{_compiled_at()}"
