"""The Telegram Bot API, as far as Lekhit uses it: ``sendMessage`` and ``getUpdates``.

Configured by ``TELEGRAM_BOT_TOKEN`` and ``TELEGRAM_API_BASE`` (README, Configuration); the
standard library's HTTP client is all it takes. Messages are plain text: no markup to escape,
no keyboard, so that nothing in one can decide anything (deciding happens in Lekhit only).
"""

import json
import urllib.error
import urllib.request

from django.conf import settings

TIMEOUT_SECONDS = 10


class TelegramError(Exception):
    """The Bot API refused, failed or could not be reached."""


def configured() -> bool:
    return bool(settings.TELEGRAM_BOT_TOKEN)


def _call(method: str, payload: dict) -> object:
    url = f"{settings.TELEGRAM_API_BASE.rstrip('/')}/bot{settings.TELEGRAM_BOT_TOKEN}/{method}"
    request = urllib.request.Request(  # noqa: S310 - the configured https (or test) base
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = json.loads(response.read().decode())
    except urllib.error.HTTPError as error:
        raise TelegramError(f"{method}: HTTP {error.code}") from None
    except (OSError, ValueError) as error:  # unreachable, timed out, not JSON
        raise TelegramError(f"{method}: {error.__class__.__name__}") from None
    if not isinstance(answer, dict) or not answer.get("ok"):
        description = answer.get("description", "") if isinstance(answer, dict) else ""
        raise TelegramError(f"{method}: {description or 'refused'}")
    return answer.get("result")


def send_message(*, chat_id: int, text: str) -> None:
    """Plain text (no ``parse_mode``), no ``reply_markup``: never a button that decides."""
    _call("sendMessage", {"chat_id": chat_id, "text": text[:4096]})


def updates(*, offset: int) -> list[dict]:
    """The bot's updates from ``offset`` on, without waiting (a beat job polls)."""
    result = _call("getUpdates", {"offset": offset, "timeout": 0, "allowed_updates": ["message"]})
    return result if isinstance(result, list) else []
