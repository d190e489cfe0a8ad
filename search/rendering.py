"""A page of results as HTML: each hit's ``<li>``, written in Python.

Twenty hits through the template language cost some 4.5 ms of the page (each a dozen
lookups, filters and translations: an instrument's type, its status, the version, the kind
of piece), in f-strings a fifth of that, as the instrument list's rows do
(``documents/table.py``). Every value put in is escaped here, with the standard library's
``escape`` (Django's own, without its checks for lazy strings); the snippet comes escaped
from ``selectors.snippet``, its matched words in ``<mark>``. ``search/tests/test_pages.py``
holds it to escaping what a person typed.
"""

from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from search.models import SearchEntry
from search.selectors import Hit


def hit_html(hit: Hit, *, reads_draft: bool) -> SafeString:
    """``hit`` as an item of the results' list. ``reads_draft``: whether the reader may read
    the working draft (the policy's answer), which decides where the hit leads — the
    editor, else the process page with the versions sent to them — and whether the
    instrument's status is shown."""
    instrument = hit.instrument
    name = "documents:instrument" if reads_draft else "workflows:instrument_process"
    url = reverse(name, args=[instrument.pk])
    about = escape(instrument.instrument_type.name)
    if reads_draft:
        about += f" · {escape(instrument.get_status_display())}"
    what = escape(hit.entry.get_kind_display())
    if hit.label:
        what += f' · <strong class="lekhit-search-hit__label">{escape(hit.label)}</strong>'
    if hit.version is not None:
        what += f" · {escape(str(hit.version))}"
    elif hit.entry.kind != SearchEntry.Kind.TITLE:
        what += f" · {escape(gettext('Working draft'))}"
    inside = ""
    if not hit.whole:
        inside = " lekhit-search-hit--inside"
        what += f" · <em>{escape(gettext('inside a longer word'))}</em>"
    return mark_safe(  # noqa: S308 - every value above is escaped, the snippet by its maker
        f'<li class="lekhit-search-hit{inside}">'
        f'<div class="lekhit-search-hit__where"><a href="{url}">{escape(instrument.title)}</a> '
        f'<span class="lekhit-search-hit__type">{about}</span></div>'
        f'<div class="lekhit-search-hit__what">{what}</div>'
        f'<p class="lekhit-search-hit__snippet">{hit.snippet}</p></li>'
    )
