"""`pictures` is a leaf: it imports no project package and no web or provider library."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_layers import imported_roots

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"vigie", "nlp", "bot", "store", "service", "webhooks", "review", "config", "bench",
             "flask", "twilio", "telegram", "sqlite_utils", "spacy", "requests", "httpx"}


@pytest.mark.parametrize("path", sorted((ROOT / "pictures").glob("*.py")), ids=lambda p: p.name)
def test_picture_modules_import_nothing_from_the_project_or_the_web(path):
    assert not (imported_roots(path) & FORBIDDEN)
