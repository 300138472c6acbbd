"""The house keeps its shape: no import of our own packages is hidden inside a function, where
import-linter's cycle check could not see it (the layers and rooms are in pyproject.toml)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("catalog", "opendata", "publishers")
MODULES = sorted(
    path
    for package in OURS
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts
)


def imports_inside_functions(path: Path) -> list[str]:
    found = []
    for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(OURS):
                found.append(f"line {node.lineno}: from {node.module} import ...")
            if isinstance(node, ast.Import):
                found += [
                    f"line {node.lineno}: import {alias.name}"
                    for alias in node.names
                    if alias.name.startswith(OURS)
                ]
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_import_of_our_own_code_is_hidden_in_a_function(path):
    assert imports_inside_functions(path) == []


def test_the_check_finds_a_hidden_import(tmp_path):
    hidden = tmp_path / "hidden.py"
    hidden.write_text("def f():\n    from catalog.visibility import is_public\n")
    assert imports_inside_functions(hidden) == ["line 2: from catalog.visibility import ..."]


def commits(path: Path) -> list[str]:
    """Calls of `session.commit()`: the catalogue's unit of work committed. (The datastore,
    the search index and Alembic commit their own connections and writers.)"""
    return [
        f"line {node.lineno}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "session"
    ]


SERVICES = [
    path
    for path in MODULES
    if path.parts[len(ROOT.parts)] in ("catalog", "publishers")
    and path != ROOT / "catalog" / "transactions.py"
]


@pytest.mark.parametrize("path", SERVICES, ids=lambda path: str(path.relative_to(ROOT)))
def test_services_never_commit_the_unit_of_work_does(path):
    assert commits(path) == []
