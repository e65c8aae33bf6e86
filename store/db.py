"""Opening the SQLite file and applying the ordered migrations."""
from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Iterator

import sqlite_utils

from store.migrations import MIGRATIONS

BUSY_MS = 10_000  # how long a connection waits for the write lock before "database is locked"
# A write transaction asks for the lock again this often while another connection holds it. SQLite's own busy
# handler backs off to 50 and then 100 ms between tries: a webhook whose tries kept landing inside the purge's
# batches waited up to 223 ms at 1,000,000 cases though no batch held the lock over 121 ms.
POLL_SECONDS = 0.002


class StoreError(Exception):
    """The database could not be opened or migrated."""


def connect(path: str | os.PathLike[str], *, create: bool = True) -> sqlite_utils.Database:
    """Open the SQLite file at `path` with WAL, a busy timeout and foreign keys on."""
    target = Path(path)
    if str(path) != ":memory:":
        if not create and not target.exists():
            raise StoreError(f"database file {target} does not exist")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder of {target}: {exc.strerror}") from exc
    try:
        conn = sqlite3.connect(str(target), timeout=10, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        if str(path) != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")  # deleted or rewritten rows are zeroed, not left in free space
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open database {target}: {exc}") from exc
    return sqlite_utils.Database(conn)


@contextlib.contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the write lock up front (waiting up to the busy timeout).

    A deferred transaction that reads first and writes later fails at once with "database is
    locked" when another connection wrote in between; BEGIN IMMEDIATE waits for its turn instead.
    Inside a transaction already open it is a savepoint of that transaction (like `db.atomic()`), so
    store functions can be composed into one caller's transaction. Never `with db.conn:` for several
    writes: sqlite-utils 4 commits each `db.execute()` write made outside an explicit transaction.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    _begin_immediate(db.conn)
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise


def _begin_immediate(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, asking for the write lock every POLL_SECONDS for as long as the connection's busy timeout:
    the wait ends within a few milliseconds of the holder's commit, whatever SQLite's backoff would have slept."""
    busy_ms = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    deadline = time.perf_counter() + busy_ms / 1000
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.perf_counter() >= deadline:
                    raise
            time.sleep(POLL_SECONDS)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {busy_ms}")


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations in order; return the names applied."""
    pending = [m.name for m in MIGRATIONS.pending(db)]
    try:
        MIGRATIONS.apply(db)
    except sqlite3.Error as exc:
        raise StoreError(f"migration failed: {exc}") from exc
    return pending


def get_db(path: str | os.PathLike[str]) -> sqlite_utils.Database:
    """Open the database at `path` and bring its schema up to date."""
    db = connect(path)
    migrate(db)
    return db


class ReadOnlyConnections:
    """One read-only connection to a database file per thread, opened on first use."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = str(path)
        self._local = threading.local()

    def get(self) -> sqlite_utils.Database:
        """This thread's read-only connection."""
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 5000")
            db = self._local.db = sqlite_utils.Database(conn)
        return db
