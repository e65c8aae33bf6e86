"""Messages to send later, with retries and exponential backoff.

A worker *claims* a row before sending it (`claim`: one `UPDATE … RETURNING` inside `BEGIN
IMMEDIATE`), which sets `claimed_by` and a `lease_until` in the future; no other worker sees the
row until the lease expires. A worker killed mid-send therefore has its row sent again only after
the lease: at most once more after a crash. `Outgoing.key` is stable across retries, for
providers that take an idempotency key (SMTP's Message-ID; Telegram and Twilio take none).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from store import clock
from store.db import immediate

BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 6 * 3600
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)  # longer than any send: the senders time out after 10-40 s
COLUMNS = "id, channel, reporter, body, meta, attempts, case_id, created_at"


@dataclass(frozen=True)
class Outgoing:
    """One queued message."""

    id: int
    channel: str
    reporter: str
    body: str
    meta: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    case_id: int | None = None
    created_at: str = ""

    @property
    def key(self) -> str:
        """An idempotency key, the same at every retry of this row and unlike any other row's."""
        return hashlib.sha256(f"{self.id}:{self.created_at}".encode()).hexdigest()[:24]


def _row(r: tuple[Any, ...]) -> Outgoing:
    return Outgoing(r[0], r[1], r[2], r[3], json.loads(r[4] or "{}"), r[5], r[6], r[7])


def enqueue(db: Database, channel: str, reporter: str, body: str, *, meta: dict[str, Any] | None = None,
            case_id: int | None = None, when: datetime | None = None, not_before: datetime | None = None) -> int:
    """Queue a message for the worker (not tried before `not_before`, e.g. a provider's 429); returns its id."""
    moment = when or clock.now()
    stamp = clock.iso(moment)
    first_try = clock.iso(max(moment, not_before)) if not_before else stamp
    with db.atomic():
        cur = db.execute(
            "INSERT INTO outbox (channel, reporter, case_id, body, meta, created_at, attempts,"
            " next_attempt_at, status) VALUES (?, ?, ?, ?, ?, ?, 0, ?, 'pending')",
            [channel, reporter, case_id, body, json.dumps(meta or {}), stamp, first_try])
    return int(cur.lastrowid)


def due(db: Database, when: datetime | None = None, limit: int = 50) -> list[Outgoing]:
    """Pending messages whose next attempt is due, oldest first."""
    stamp = clock.iso(when or clock.now())
    rows = db.execute(
        f"SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?"
        " AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at, id LIMIT ?",
        [stamp, stamp, limit]).fetchall()
    return [_row(r) for r in rows]


def claim(db: Database, worker: str, when: datetime | None = None, lease: timedelta = LEASE) -> Outgoing | None:
    """Take the oldest due message for `worker` until `lease` runs out; None when nothing is due."""
    moment = when or clock.now()
    stamp = clock.iso(moment)
    if db.conn.in_transaction:
        db.conn.commit()
    db.execute("BEGIN IMMEDIATE")  # the write lock first: no stale snapshot, the busy timeout applies
    try:
        row = db.execute(
            f"UPDATE outbox SET claimed_by = ?, lease_until = ? WHERE id = ("
            " SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?"
            " AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at, id LIMIT 1)"
            f" RETURNING {COLUMNS}", [worker, clock.iso(moment + lease), stamp, stamp]).fetchone()
        db.conn.commit()
    except BaseException:
        db.conn.rollback()
        raise
    return _row(row) if row else None


def mark_sent(db: Database, message_id: int, when: datetime | None = None, *, worker: str | None = None) -> bool:
    """The message left; False when `worker` had lost its lease to another worker (it was sent twice)."""
    with db.atomic():
        cur = db.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL,"
            " claimed_by = NULL, lease_until = NULL WHERE id = ? AND (? IS NULL OR claimed_by IS ?)",
            [clock.iso(when or clock.now()), message_id, worker, worker])
    return cur.rowcount == 1


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failures: 30 s, 60 s, 120 s... capped at 6 h."""
    return timedelta(seconds=min(BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def mark_failed(db: Database, message_id: int, error: str, when: datetime | None = None, *,
                retry_after: float | None = None) -> str:
    """Count a failed try; schedule the next one (not before the provider's `retry_after` seconds),
    or give up after MAX_ATTEMPTS. Releases the lease. Returns the status."""
    moment = when or clock.now()
    with immediate(db):  # the count read and written under the write lock: no stale snapshot
        row = db.execute("SELECT attempts FROM outbox WHERE id = ?", [message_id]).fetchone()
        attempts = (row[0] if row else 0) + 1
        status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        delay = max(backoff(attempts), timedelta(seconds=retry_after or 0))
        db.execute("UPDATE outbox SET attempts = ?, last_error = ?, status = ?, next_attempt_at = ?,"
                   " claimed_by = NULL, lease_until = NULL WHERE id = ?",
                   [attempts, error[:500], status, clock.iso(moment + delay), message_id])
    return status


def set_status(db: Database, message_id: int, status: str, note: str) -> None:
    """Hold or cancel a message, with a note for staff."""
    with db.atomic():
        db.execute("UPDATE outbox SET status = ?, last_error = ?, claimed_by = NULL, lease_until = NULL"
                   " WHERE id = ?", [status, note, message_id])


def get(db: Database, message_id: int) -> dict[str, Any] | None:
    """One outbox row as a dict."""
    cur = db.execute("SELECT * FROM outbox WHERE id = ?", [message_id])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None
