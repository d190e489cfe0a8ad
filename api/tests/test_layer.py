"""The API is the top layer: it imports the other apps, and no other app imports it (so the
apps below can change without knowing about it, and it can be left out)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["khmer", "organisations", "documents", "workflows", "tasks", "notifications", "project"]


def imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_no_other_app_imports_the_api():
    files = [path for app in APPS for path in (ROOT / app).rglob("*.py")]
    assert len(files) > 100  # the apps' modules were found
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted(files)
        for module in imported_modules(path)
        if module == "api" or module.startswith("api.")
    ]
    assert offenders == []
