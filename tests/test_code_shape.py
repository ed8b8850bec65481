"""The shape the issue asked the code to keep: small modules and thin views."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ["audit", "accounts", "programs", "participants", "notes", "billing", "outcomes", "reports", "peersupport"]
SOURCES = [
    path
    for app in APPS
    for path in (ROOT / app).rglob("*.py")
    if "migrations" not in path.parts and "tests" not in path.parts
]
VIEW_MODULES = [path for path in SOURCES if path.name == "views.py" or path.parent.name == "views"]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_400_lines(path):
    assert len(path.read_text().splitlines()) <= 400


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_view_is_over_30_lines(path):
    tree = ast.parse(path.read_text())
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > 30
    ]
    assert long == []
