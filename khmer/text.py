"""People's text, kept as they typed it.

Every service that stores what a person wrote (a provision, a title, a comment, a reason, an
answer, a remark, a note, a reference number) passes it through ``typed_text`` first. The text
is only put in Unicode's composed form (NFC: the same Khmer word typed on two keyboards is then
the same characters, and compares, searches and hashes the same) and trimmed of surrounding
white space. Nothing else changes: "x<y", "&lt;" and "<b>" are kept exactly, and every page
escapes them when it shows them. What cannot be stored is refused with a clear error, never
cut or cleaned silently: a text longer than its limit, a NUL character (PostgreSQL cannot
store one) or a lone surrogate (not a character at all).
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from khmer.formats import format_number

__all__ = ["is_khmer_text", "model_text", "typed_text"]


def _error(message: str, field: str | None) -> ValidationError:
    return ValidationError({field: message} if field else message)


def typed_text(value: object, *, field: str | None = None, max_length: int | None = None) -> str:
    """``value`` NFC-normalised and trimmed, or a ``ValidationError`` (on ``field``, if given).

    ``None`` is the empty text; anything that is not a string is refused.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _error(_("This must be text."), field)
    if "\x00" in value:
        raise _error(_("This text contains a null character, which cannot be saved."), field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _error(_("This text contains an invalid character."), field) from None
    value = unicodedata.normalize("NFC", value).strip()
    if max_length is not None and len(value) > max_length:
        raise _error(
            _("This is too long: at most %(limit)s characters (it has %(count)s).")
            % {"limit": format_number(max_length), "count": format_number(len(value))},
            field,
        )
    return value


def model_text(
    model: type[Model], name: str, value: object, *, max_length: int | None = None
) -> str:
    """``typed_text`` for the model field ``name``, within the field's ``max_length``.

    Django checks a ``TextField``'s ``max_length`` only in forms, and a ``CharField``'s only
    in ``full_clean``: services call this so that the limit holds whoever calls them. A field
    without a limit of its own takes ``max_length``.
    """
    limit = model._meta.get_field(name).max_length or max_length
    return typed_text(value, field=name, max_length=limit)


def is_khmer_text(value: str) -> bool:
    """Tell whether ``value`` holds any letter of the Khmer script."""
    return any("\u1780" <= char <= "\u17ff" or "\u19e0" <= char <= "\u19ff" for char in value)
