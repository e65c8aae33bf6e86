"""Dependencies point one way: vigie, webhooks, review -> bot, store -> nlp."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "config": {"vigie", "nlp", "bot", "store", "webhooks", "review", "flask", "twilio", "telegram", "spacy"},
    "nlp": {"vigie", "bot", "store", "webhooks", "review"},
    "bot": {"vigie", "store", "webhooks", "review", "flask", "twilio", "telegram", "sqlite_utils"},
    "store": {"vigie", "bot", "webhooks", "review", "flask"},
    "service": {"vigie", "webhooks", "review", "flask", "werkzeug", "twilio", "telegram", "httpx", "smtplib"},
}


def imported_roots(path: Path) -> set[str]:
    """Top-level names of every module `path` imports (absolute imports, anywhere in the file)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


MODULES = [(package, path) for package in FORBIDDEN for path in sorted((ROOT / package).rglob("*.py"))]


def test_every_layer_has_modules():
    assert {package for package, _ in MODULES} == set(FORBIDDEN)


@pytest.mark.parametrize("package, path", MODULES, ids=[str(p.relative_to(ROOT)) for _, p in MODULES])
def test_module_imports_nothing_from_a_higher_layer(package, path):
    assert not imported_roots(path) & FORBIDDEN[package]


def test_the_import_scan_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from flask import Flask\n    import sqlite_utils.db\n")
    assert imported_roots(module) == {"flask", "sqlite_utils"}
