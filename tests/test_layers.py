"""Dependencies point one way, bottom to top (README, "Layout"):

config <- nlp <- bot, store <- service <- web <- webhooks, review <- vigie

`config` (settings, the channel table) imports nothing of Vigie; `service` (the use cases) knows
neither Flask nor the providers; `webhooks` (channel adapters) and `review` (the desk) never import
each other; only the composition root `vigie` (CLI, app factory, worker) sees them all, and nothing
imports it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOT_THE_HOUSE = {"tests", "bench"}  # they may import anything; nothing imports them
# Which top-level packages each package may import.
MAY_IMPORT: dict[str, set[str]] = {
    "config": set(),
    "pictures": {"config"},  # reading a forwarded picture: bytes in, text out
    "nlp": {"config"},
    "bot": {"config", "nlp"},
    "store": {"config", "nlp"},
    "service": {"config", "nlp", "bot", "store", "pictures"},
    "web": {"config", "nlp", "bot", "store", "service"},
    "webhooks": {"config", "nlp", "bot", "store", "service", "web", "pictures"},
    "review": {"config", "nlp", "bot", "store", "service", "web"},
    "vigie": {"config", "nlp", "bot", "store", "service", "web", "webhooks", "review", "pictures"},
}
# Libraries a package must not use (the web framework and the providers stay at the edges).
NEVER = {
    "config": {"flask", "werkzeug", "twilio", "telegram", "spacy", "sqlite_utils"},
    "nlp": {"flask", "werkzeug", "twilio", "telegram", "sqlite_utils"},
    "bot": {"flask", "werkzeug", "twilio", "telegram", "sqlite_utils"},
    "store": {"flask", "werkzeug", "twilio", "telegram"},
    "service": {"flask", "werkzeug", "twilio", "telegram", "httpx", "smtplib"},
}


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports by absolute name (anywhere in the file, functions included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def imported_roots(path: Path) -> set[str]:
    """Top-level names of every module `path` imports."""
    return {name.split(".")[0] for name in imported_modules(path)}


def packages() -> list[str]:
    """The top-level packages of the house (directories with an __init__.py)."""
    return sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in NOT_THE_HOUSE)


MODULES = [(package, path) for package in packages() for path in sorted((ROOT / package).rglob("*.py"))]


def package_graph() -> dict[str, set[str]]:
    """Top-level package -> the other top-level packages its modules import."""
    house = set(packages())
    graph: dict[str, set[str]] = {package: set() for package in house}
    for package, path in MODULES:
        graph[package] |= (imported_roots(path) & house) - {package}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as a path (first node repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_every_top_level_package_has_a_place_in_the_layers():
    assert set(packages()) <= set(MAY_IMPORT), "add the new package to MAY_IMPORT and to the README's layout"


@pytest.mark.parametrize("package, path", MODULES, ids=[str(p.relative_to(ROOT)) for _, p in MODULES])
def test_module_imports_only_from_the_layers_below(package, path):
    house = set(MAY_IMPORT) | set(packages())
    other = (imported_roots(path) & house) - {package}
    assert other <= MAY_IMPORT[package]
    assert not imported_roots(path) & NEVER.get(package, set())


def test_no_cycle_between_top_level_packages():
    assert find_cycle(package_graph()) is None


def test_the_desk_and_the_channel_adapters_never_import_each_other():
    graph = package_graph()
    assert "webhooks" not in graph["review"] and "review" not in graph["webhooks"]


# `python -m vigie` runs the CLI.
CLI_ENTRY = {"__main__.py"}


def test_nothing_imports_the_composition_root():
    """No package but `vigie` imports `vigie`; nothing imports the CLI; only the CLI builds the app."""
    for package, path in MODULES:
        names = imported_modules(path)
        if path.name not in CLI_ENTRY:
            assert not any(n == "vigie.cli" or n.startswith("vigie.cli.") for n in names), path
        if package != "vigie":
            assert "vigie" not in imported_roots(path), path
        elif path.name not in ("intake_cli.py", "app.py"):
            assert not any(n.startswith("vigie.app") for n in names), path


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_import_scan_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from flask import Flask\n    import sqlite_utils.db\n")
    assert imported_roots(module) == {"flask", "sqlite_utils"}


def test_the_use_cases_load_without_flask_or_any_provider_library():
    """The service layer runs from a Python shell: importing it loads neither the web framework nor a provider."""
    import subprocess
    import sys

    probe = ("import sys, service.intake, service.desk, service.engine, service.refresh, service.retention,"
             " service.setup; print(sorted({'flask', 'werkzeug', 'twilio', 'telegram'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
