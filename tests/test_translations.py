"""Khmer first: every string of ours that a user can see has its Khmer translation.

``make messages`` extracts new strings into the catalogue; one left empty or marked fuzzy
there would show in English to a Khmer reader, and nothing else would notice.
"""

import os
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


def test_every_string_of_the_code_is_in_a_catalogue(tmp_path):
    """A string marked for translation but never extracted would show in English to a Khmer
    reader as surely as an empty one: extract afresh (``make messages`` on a copy of the
    tree) and find each msgid in our catalogue or in the vendors' (viewflow's, Django's)."""
    import shutil
    import subprocess
    import sys

    if not shutil.which("xgettext"):
        from conftest import REQUIRE_SERVICES

        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but xgettext is missing (apt-get install gettext)")
        pytest.skip("needs xgettext (apt-get install gettext)")
    files = subprocess.run(
        ["git", "ls-files", "*.py", "*.html", "*.txt", "*.js", "locale/*.po"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, tmp_path / name)
    extraction = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "km", "--no-obsolete"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "DEBUG": "true"},
    )
    assert extraction.returncode == 0, extraction.stderr
    known = set()
    for path in CATALOGUES:
        with path.open("rb") as file:
            known |= {message.id for message in read_po(file) if message.string}
    with (tmp_path / "locale/km/LC_MESSAGES/django.po").open("rb") as file:
        extracted = {message.id for message in read_po(file) if message.id}
    assert len(extracted) > 500, "the extraction found next to nothing: is the copy whole?"
    assert sorted(map(str, extracted - known)) == []
