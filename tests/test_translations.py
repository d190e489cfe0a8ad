"""Khmer first: every string of ours that a user can see has its Khmer translation.

``make messages`` extracts new strings into the catalogue; one left empty or marked fuzzy
there would show in English to a Khmer reader, and nothing else would notice.
"""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = [
    ROOT / "locale/km/LC_MESSAGES/django.po",
    *sorted((ROOT / "locale_vendor").glob("km/LC_MESSAGES/*.po")),
]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_message_has_its_khmer(path):
    with path.open("rb") as file:
        catalogue = read_po(file)
    missing = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id)
    assert missing == [], f"{len(missing)} message(s) without Khmer in {path.name}: {missing[:10]}"
