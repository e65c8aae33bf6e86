"""A write transaction asks for the lock again every few milliseconds rather than sleeping through SQLite's
backoff, keeps the connection's own busy timeout as its limit, and leaves that timeout as it found it."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from store import cases
from store.db import connect, get_db, immediate


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "vigie.sqlite3"
    get_db(path).conn.close()
    return path


def holder(path, seconds: float) -> threading.Timer:
    """Another connection takes the write lock now and releases it after `seconds`."""
    other = sqlite3.connect(str(path), check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO meta (key, value) VALUES ('holder', '1')")
    release = threading.Timer(seconds, lambda: (other.execute("COMMIT"), other.close()))
    release.start()
    return release


def test_a_report_waits_for_the_lock_and_is_stored_once_it_is_free(path):
    db = connect(path)
    release = holder(path, 0.3)
    delivery = cases.record(db, "sms", "SM-1", "ok", cases.NewCase(text="t", status="answered"))
    release.join()
    assert cases.count(db) == 1 and delivery.case_id is not None
    assert db.execute("SELECT value FROM meta WHERE key = 'holder'").fetchone() == ("1",)  # the holder committed
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000  # as connect() set it


def test_a_lock_held_past_the_connections_busy_timeout_still_fails(path):
    db = connect(path)
    db.execute("PRAGMA busy_timeout = 200")
    release = holder(path, 1.0)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            with immediate(db):
                db.execute("INSERT INTO meta (key, value) VALUES ('late', '1')")
    finally:
        release.join()
    assert not db.conn.in_transaction
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 200
    assert db.execute("SELECT count(*) FROM meta WHERE key = 'late'").fetchone()[0] == 0
