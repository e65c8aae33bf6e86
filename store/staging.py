"""Staged registry imports: the parsed and diffed changes wait in a temporary SQLite file, then reach the
live database in short BEGIN IMMEDIATE batches, so the webhooks that write get their turn between two.

Parsing a national file takes seconds to minutes; holding the write lock for all of it made every webhook
wait longer than its busy timeout. Here the live database is only read while parsing (a bad file changes
nothing), and each batch holds the lock for a few tens of milliseconds (bench/registry.py measures it).
"""
from __future__ import annotations

import json
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import sqlite_utils
from sqlite_utils import Database

from store.db import immediate
from store.directory import rebuild_name_keys_of, row_keys

BATCH = 2000  # staged changes per write transaction, at most
TARGET = 0.05  # seconds a transaction should hold the write lock; the next batch's budget is sized to it
# A batch's work: one per change, plus one per name key of an establishment it writes.
START_BUDGET, MIN_BUDGET, MAX_BUDGET = 2_000, 200, 100_000
# After each transaction the lock is left free for half the time it was held (10 to 50 ms): a webhook
# waiting for it polls every 1 to 25 ms in its first 130 ms of waiting (SQLite's busy handler), so it
# does not keep missing the gap.
PAUSE_MIN, PAUSE_MAX = 0.01, 0.05

INSTITUTION_COLUMNS = (
    "id", "name", "short_name", "kind", "country", "town", "department", "postcode", "address",
    "category", "finess", "finess_ej", "aliases", "never_asks", "origin", "active", "updated_at",
    "import_hash",
)
UPSERT = (
    f"INSERT INTO institutions ({', '.join(INSTITUTION_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(INSTITUTION_COLUMNS))}) ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in INSTITUTION_COLUMNS[1:])
    + " WHERE institutions.origin = excluded.origin"  # never take over a row of another origin
)
CONTACT = ("INSERT OR IGNORE INTO contacts (institution_id, kind, value, source, checked, note, "
           "is_primary, origin) VALUES (?, ?, ?, ?, ?, '', ?, ?)")
# op -> (statement, position of the institution id in its parameters, whether it changes name keys);
# applied in the order staged.
OPS = {
    "upsert": (UPSERT, 0, True),
    "stale": ("DELETE FROM contacts WHERE institution_id = ? AND origin = ?", 0, False),
    "contact": (CONTACT, 0, False),
    "close": ("UPDATE institutions SET active = 0, updated_at = ? WHERE id = ? AND origin = ?", 1, True),
}
_NAME, _SHORT, _ALIASES = (INSTITUTION_COLUMNS.index(c) for c in ("name", "short_name", "aliases"))


class Staging:
    """A temporary SQLite file holding one import's changes until they are applied (deleted on close)."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="vigie-import-", dir=folder)
        self.path = Path(self._folder.name) / "staged.sqlite3"
        self.conn = sqlite3.connect(str(self.path), check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode = OFF")  # a scratch file: thrown away if anything fails
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute("CREATE TABLE ops (n INTEGER PRIMARY KEY, op TEXT NOT NULL, args TEXT NOT NULL)")
        self.conn.execute("CREATE TABLE recheck (key TEXT PRIMARY KEY)")
        self.db = sqlite_utils.Database(self.conn)  # scratch tables of a parser (e.g. the Annuaire's sites)
        self.count = 0  # changes staged
        self.applied = 0  # changes written to the live database so far
        self.checked, self.origin = "", ""

    def add(self, op: str, rows: Sequence[Sequence[Any]]) -> None:
        """Queue changes of one kind (see OPS), after those already queued."""
        if not rows:
            return
        with self.conn:
            self.conn.executemany("INSERT INTO ops (op, args) VALUES (?, ?)",
                                  ((op, json.dumps(list(r), ensure_ascii=False)) for r in rows))
        self.count += len(rows)

    def recheck(self, origin: str, checked: str, keys: Iterable[str]) -> None:
        """After the changes: date `checked` the contacts of these institutions (the ones the file lists)."""
        self.origin, self.checked = origin, checked
        with self.conn:
            self.conn.executemany("INSERT OR IGNORE INTO recheck (key) VALUES (?)", ((k,) for k in keys))

    def apply(self, db: Database, batch: int = BATCH) -> tuple[int, float]:
        """Write the staged changes to `db`, at most `batch` per transaction, each with the name keys of the
        institutions it touched; returns (transactions, longest time the write lock was held, in seconds).

        A batch that held the lock longer than TARGET makes the next ones smaller (a slow disk, a busy
        machine), one much shorter lets them grow: each stays well under the time a webhook can wait."""
        self._budget, transactions, longest = START_BUDGET, 0, 0.0
        for runs, ids, cost in self._batches(batch):
            with immediate(db):
                took = time.perf_counter()
                for op, params in runs:
                    db.conn.executemany(OPS[op][0], params)
                rebuild_name_keys_of(db, ids)  # same transaction: keys never lag the rows
            held = self._held(took, cost)
            longest, transactions = max(longest, held), transactions + 1
            self.applied += sum(len(params) for _, params in runs)
        if self.checked and db.execute("SELECT 1 FROM contacts WHERE origin = ? AND checked <> ? LIMIT 1",
                                       [self.origin, self.checked]).fetchone():
            for keys in self._recheck_keys(batch):
                marks = ",".join("?" * len(keys))
                with immediate(db):
                    took = time.perf_counter()
                    db.execute(f"UPDATE contacts SET checked = ? WHERE origin = ? AND checked <> ?"
                               f" AND institution_id IN ({marks})", [self.checked, self.origin, self.checked, *keys])
                longest, transactions = max(longest, self._held(took, len(keys) * 4)), transactions + 1
        return transactions, longest

    def _held(self, took: float, cost: int) -> float:
        """How long the lock was held since `took` for `cost` work; size the next batch to TARGET at that
        pace, then let writers in."""
        held = time.perf_counter() - took
        pace = int(cost * TARGET / max(held, 1e-3))  # grows slowly: cheap contact rows may precede costly ones
        self._budget = max(MIN_BUDGET, min(MAX_BUDGET, pace, int(self._budget * 1.25)))
        time.sleep(min(max(held / 2, PAUSE_MIN), PAUSE_MAX))
        return held

    def _batches(self, batch: int) -> Iterator[tuple[list[tuple[str, list[list[Any]]]], set[str], int]]:
        """Runs of consecutive changes of one kind, decoded before the lock is taken, with the ids whose name
        keys they change: at most `batch` changes, and at most the current budget of work (a row costs one
        plus its name keys, the keys being computed here, outside the lock)."""
        last, pending = 0, []
        while True:
            runs: list[tuple[str, list[list[Any]]]] = []
            ids: set[str] = set()
            count = cost = 0
            while count < batch and cost < self._budget:
                if not pending:
                    pending = self.conn.execute("SELECT n, op, args FROM ops WHERE n > ? ORDER BY n LIMIT 200",
                                                [last]).fetchall()
                    if not pending:
                        break
                    last = pending[-1][0]
                _, op, args = pending.pop(0)
                params = json.loads(args)
                _, position, renames = OPS[op]
                cost += 1
                if renames:
                    ids.add(params[position])
                if op == "upsert":
                    cost += len(row_keys(params[_NAME], params[_SHORT], params[_ALIASES]))
                if runs and runs[-1][0] == op:
                    runs[-1][1].append(params)
                else:
                    runs.append((op, [params]))
                count += 1
            if not runs:
                return
            yield runs, ids, cost

    def _recheck_keys(self, size: int) -> Iterator[list[str]]:
        last = ""
        while True:
            keys = [r[0] for r in self.conn.execute("SELECT key FROM recheck WHERE key > ? ORDER BY key LIMIT ?",
                                                    [last, min(size, 500)])]
            if not keys:
                return
            last = keys[-1]
            yield keys

    def close(self) -> None:
        """Delete the temporary file."""
        self.conn.close()
        self._folder.cleanup()

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
