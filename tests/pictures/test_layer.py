"""`pictures` is a leaf: it imports no project package and no web or provider library."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"vigie", "nlp", "bot", "store", "service", "webhooks", "review", "config", "bench",
             "flask", "twilio", "telegram", "sqlite_utils", "spacy", "requests", "httpx"}


def imported_roots(path: Path) -> set[str]:
    """Top-level names of every module `path` imports, anywhere in the file."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted((ROOT / "pictures").glob("*.py")), ids=lambda p: p.name)
def test_picture_modules_import_nothing_from_the_project_or_the_web(path):
    assert not (imported_roots(path) & FORBIDDEN)
