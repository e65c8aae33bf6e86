"""A registry import on a live system: it waits for the write lock instead of failing at once."""
from __future__ import annotations

import io
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from store import audit, registry_admin
from store.db import connect, get_db
from store.directory import rebuild_name_keys
from store.finess import import_finess
from store.imports import ImportFileError, ImportReport

DATA = Path(__file__).resolve().parents[1] / "data" / "finess"
LEGACY = DATA / "etalab-cs1100507-stock-20260512-0339.csv"


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


def _national(tmp_path: Path, establishments: int) -> Path:
    """The test FINESS extract grown to a national size: its first establishment under many numbers."""
    lines = (DATA / "etalab-cs1100507-stock-20260512-0339.csv").read_bytes().split(b"\r\n")
    manifest, first = lines[0], lines[1]
    rest = first.split(b";", 2)[2]
    body = [b"structureet;%09d;%s" % (20_000_000 + n, rest) for n in range(establishments)]
    path = tmp_path / "etalab-cs1100507-stock-20260512-0339.csv"
    path.write_bytes(b"\r\n".join([manifest, *body]) + b"\r\n")
    return path


def test_a_webhook_writing_every_20_ms_during_an_import_is_never_refused(tmp_path):
    path = tmp_path / "vigie.sqlite3"
    db = get_db(path)
    extract = _national(tmp_path, 12_000)
    webhook = connect(path)
    webhook.execute("PRAGMA busy_timeout = 1000")  # a webhook has to answer in time: 1 s, not 10
    stop, waits, failures = threading.Event(), [], []

    def write_cases() -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                audit.record(webhook, "webhook", "case", "one short write")
            except sqlite3.OperationalError as exc:
                failures.append(str(exc))
            waits.append(time.monotonic() - started)
            time.sleep(0.02)

    thread = threading.Thread(target=write_cases)
    thread.start()
    try:
        time.sleep(0.1)
        before = len(waits)
        report = import_finess(db, extract, progress=io.StringIO())
        during = len(waits) - before
    finally:
        stop.set()
        thread.join()
    assert report.added == 12_000 and report.batches > 5
    assert failures == []
    assert during >= 10  # the webhook kept writing while the import ran
    assert report.longest_lock < 1.0  # each batch short (bench/registry.py measures it at national scale)
    assert db.execute("SELECT count(*) FROM audit WHERE actor = 'webhook'").fetchone()[0] == len(waits)
    assert db.execute("SELECT count(*) FROM name_keys").fetchone()[0] > 0


def test_an_import_refused_by_a_locked_database_is_recorded_as_failed_with_its_reason(tmp_path):
    path = tmp_path / "vigie.sqlite3"
    db = get_db(path)
    db.execute("PRAGMA busy_timeout = 300")  # 10 s in service; shortened so the test does not wait that long
    other = sqlite3.connect(str(path), timeout=10, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # a writer that keeps the lock longer than the import waits
    other.execute("INSERT INTO meta (key, value) VALUES ('webhook', '1')")
    release = threading.Timer(0.8, lambda: (other.execute("COMMIT"), other.close()))
    release.start()
    with pytest.raises(ImportFileError, match="the database refused the import .*locked"):
        import_finess(db, _sample(), partial=True, report=ImportReport("finess", str(_sample())))
    release.join()
    [(status, message)] = db.execute("SELECT status, message FROM imports").fetchall()
    assert status == "failed" and "database is locked" in message
    assert db.execute("SELECT count(*) FROM institutions WHERE origin = 'finess'").fetchone()[0] == 0


def test_after_a_batched_import_the_name_keys_match_a_full_rebuild_and_the_version_moved(tmp_path):
    db = get_db(tmp_path / "vigie.sqlite3")
    version = registry_admin.contacts_version(db)
    import_finess(db, _national(tmp_path, 3000), progress=io.StringIO())
    report = import_finess(db, LEGACY, progress=io.StringIO())  # closes the 3,000, adds the 7
    assert report.batches > 1 and report.closed == 3000
    keys = db.execute("SELECT key, institution_id FROM name_keys ORDER BY 1, 2").fetchall()
    rebuild_name_keys(db)
    assert db.execute("SELECT key, institution_id FROM name_keys ORDER BY 1, 2").fetchall() == keys
    assert {i for _, i in keys} == {r[0] for r in db.execute(
        "SELECT id FROM institutions WHERE origin = 'finess' AND active = 1")}
    assert registry_admin.contacts_version(db) != version


def test_an_import_stopped_between_two_batches_says_how_far_it_got_and_a_second_run_finishes_it(tmp_path):
    db = get_db(tmp_path / "vigie.sqlite3")
    extract = _national(tmp_path, 6000)
    db.execute("CREATE TRIGGER full_disk BEFORE INSERT ON institutions WHEN NEW.id = 'finess:020005000'"
               " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    with pytest.raises(ImportFileError, match="the database refused the import .*disk is full"):
        import_finess(db, extract, progress=io.StringIO())
    [(status, message)] = db.execute("SELECT status, message FROM imports").fetchall()
    assert status == "failed" and "changes were written: import the file again to finish" in message
    assert 0 < db["institutions"].count < 6000
    db.execute("DROP TRIGGER full_disk")
    report = import_finess(db, extract, progress=io.StringIO())
    assert report.added + report.unchanged == 6000 and report.added > 0
    assert db.execute("SELECT count(*) FROM institutions WHERE active = 1").fetchone()[0] == 6000
