"""The house shapes (issue 9), checked from the source: modules in webapp/ stay under 400
lines, view functions under 25, and views never import other view modules (shared web
helpers live in webapp/web.py)."""

import ast
from pathlib import Path

import pytest

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
MODULES = sorted(WEBAPP.rglob("*.py"))
VIEWS = [path for path in MODULES if path.parent.name == "views" and path.name != "__init__.py"]


def _name(path: Path) -> str:
    return str(path.relative_to(WEBAPP.parent))


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_module_is_at_most_400_lines(path):
    assert len(path.read_text().splitlines()) <= 400


@pytest.mark.parametrize("path", VIEWS, ids=_name)
def test_views_are_short_and_import_no_other_view(path):
    tree = ast.parse(path.read_text())
    long = [
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > 25
    ]
    imported = [
        node.module or "." * node.level
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.level or (node.module or "").startswith("webapp.views"))
    ]
    assert long == [] and imported == []
