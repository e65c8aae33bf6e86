"""Messages to send later, with retries and exponential backoff."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from store import clock

BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 6 * 3600
MAX_ATTEMPTS = 8


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


def enqueue(db: Database, channel: str, reporter: str, body: str, *, meta: dict[str, Any] | None = None,
            case_id: int | None = None, when: datetime | None = None) -> int:
    """Queue a message for the worker; returns its id."""
    stamp = clock.iso(when or clock.now())
    with db.conn:
        cur = db.execute(
            "INSERT INTO outbox (channel, reporter, case_id, body, meta, created_at, attempts,"
            " next_attempt_at, status) VALUES (?, ?, ?, ?, ?, ?, 0, ?, 'pending')",
            [channel, reporter, case_id, body, json.dumps(meta or {}), stamp, stamp])
    return int(cur.lastrowid)


def due(db: Database, when: datetime | None = None, limit: int = 50) -> list[Outgoing]:
    """Pending messages whose next attempt is due, oldest first."""
    rows = db.execute(
        "SELECT id, channel, reporter, body, meta, attempts, case_id FROM outbox"
        " WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
        [clock.iso(when or clock.now()), limit]).fetchall()
    return [Outgoing(r[0], r[1], r[2], r[3], json.loads(r[4] or "{}"), r[5], r[6]) for r in rows]


def mark_sent(db: Database, message_id: int, when: datetime | None = None) -> None:
    """The message left."""
    with db.conn:
        db.execute("UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
                   " last_error = NULL WHERE id = ?", [clock.iso(when or clock.now()), message_id])


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failures: 30 s, 60 s, 120 s... capped at 6 h."""
    return timedelta(seconds=min(BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def mark_failed(db: Database, message_id: int, error: str, when: datetime | None = None) -> str:
    """Count a failed try; schedule the next one, or give up after MAX_ATTEMPTS. Returns the status."""
    moment = when or clock.now()
    row = db.execute("SELECT attempts FROM outbox WHERE id = ?", [message_id]).fetchone()
    attempts = (row[0] if row else 0) + 1
    status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
    with db.conn:
        db.execute("UPDATE outbox SET attempts = ?, last_error = ?, status = ?, next_attempt_at = ?"
                   " WHERE id = ?",
                   [attempts, error[:500], status, clock.iso(moment + backoff(attempts)), message_id])
    return status


def set_status(db: Database, message_id: int, status: str, note: str) -> None:
    """Hold or cancel a message, with a note for staff."""
    with db.conn:
        db.execute("UPDATE outbox SET status = ?, last_error = ? WHERE id = ?", [status, note, message_id])


def get(db: Database, message_id: int) -> dict[str, Any] | None:
    """One outbox row as a dict."""
    cur = db.execute("SELECT * FROM outbox WHERE id = ?", [message_id])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None
