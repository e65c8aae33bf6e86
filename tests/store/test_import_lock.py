"""A registry import on a live system: it waits for the write lock instead of failing at once."""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from store.db import get_db
from store.finess import import_finess
from store.imports import ImportReport

DATA = Path(__file__).resolve().parents[1] / "data" / "finess"


def _sample() -> Path:
    return next(p for p in sorted(DATA.iterdir()) if p.suffix == ".json")


def test_an_import_waits_for_a_writer_that_holds_the_lock_then_succeeds(tmp_path):
    path = tmp_path / "vigie.sqlite3"
    db = get_db(path)
    other = sqlite3.connect(str(path), timeout=10, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # a webhook writing a case
    other.execute("INSERT INTO meta (key, value) VALUES ('webhook', '1')")
    release = threading.Timer(0.5, lambda: (other.execute("COMMIT"), other.close()))
    release.start()
    started = time.monotonic()
    report = import_finess(db, _sample(), partial=True, source=None, checked="2026-03-09",
                           report=ImportReport("finess", str(_sample())))
    assert time.monotonic() - started >= 0.4  # it waited for the lock rather than failing
    assert report.added > 0
    assert db.execute("SELECT status FROM imports ORDER BY id DESC LIMIT 1").fetchone()[0] in ("ok", "partial")
