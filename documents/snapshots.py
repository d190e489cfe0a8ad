"""The canonical form of a version, and its SHA-256.

The hash must come out the same on any machine, today and in ten years, for the same text:
keys sorted, no insignificant white space, UTF-8, and every string in Unicode NFC (Khmer can
be typed in several code point orders that look the same; NFC makes them one).
"""

import hashlib
import json
import unicodedata
from typing import Any


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(item) for item in value]
    return value


def canonical_bytes(snapshot: dict) -> bytes:
    return json.dumps(
        _normalise(snapshot), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


def snapshot_sha256(snapshot: dict) -> str:
    return hashlib.sha256(canonical_bytes(snapshot)).hexdigest()
