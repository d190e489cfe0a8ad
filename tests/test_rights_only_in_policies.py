"""Rights are answered in one place per app: its policy (``<app>/permissions.py``, on the base
``organisations/policies.py``) and the auth backend (``organisations/backends.py``).

Anywhere else in the source — views, services, selectors, viewflow's nodes and viewsets, the
admin, templates, jobs — asking ``has_perm``/``has_role`` (or a template's ``perms.``) would be
an eleventh place that delegation does not pass through. Tests are left out: they probe the
backend itself.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "migrations", "tests", "node_modules", "locale", "locale_vendor", ".git"}
ALLOWED = {Path("organisations/policies.py"), Path("organisations/backends.py")}
ASKED = {"has_perm", "has_role"}
IN_TEMPLATES = re.compile(r"\bhas_perm\b|\bhas_role\b|\bperms\.")


def _sources(suffix: str):
    for path in ROOT.rglob(f"*{suffix}"):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts[:-1]) or relative.name == "conftest.py":
            continue
        if relative in ALLOWED or relative.name == "permissions.py":
            continue
        yield relative, path


def _names_asked(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ASKED:
            yield node.lineno, node.attr
        elif isinstance(node, ast.Name) and node.id in ASKED:
            yield node.lineno, node.id
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in ASKED:
            yield node.lineno, node.name
        elif isinstance(node, ast.Constant) and node.value in ASKED:  # getattr(user, "has_perm")
            yield node.lineno, node.value


def test_python_outside_the_policies_never_asks_has_perm_or_has_role():
    found = [
        f"{relative}:{line}: {name}"
        for relative, path in _sources(".py")
        for line, name in _names_asked(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not found, "ask the app's policy instead:\n" + "\n".join(found)


def test_templates_get_booleans_from_their_view_not_perms():
    found = [
        f"{relative}:{number}: {line.strip()}"
        for relative, path in _sources(".html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if IN_TEMPLATES.search(line)
    ]
    assert not found, "give the template a boolean from the policy:\n" + "\n".join(found)


def test_the_check_sees_what_it_looks_for():
    """The walk finds the files it must read, and would catch a call hidden anywhere."""
    assert Path("workflows/services.py") in {relative for relative, _path in _sources(".py")}
    assert Path("templates/workflows/matrix.html") in {r for r, _p in _sources(".html")}
    caught = list(_names_asked(ast.parse("def f(u):\n    return u.has_perm('x') or has_role")))
    assert sorted(name for _line, name in caught) == ["has_perm", "has_role"]
    assert IN_TEMPLATES.search("{% if perms.documents.add_instrument %}")
