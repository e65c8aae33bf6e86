"""Tokens already seen (Mailgun signatures), so a replayed request is refused."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from store import clock


def remember(db: Database, token: str, timestamp: int, when: datetime | None = None) -> bool:
    """Record a token; False when it was already seen (a replay)."""
    with db.conn:
        cur = db.execute("INSERT OR IGNORE INTO seen_tokens (token, timestamp, seen_at) VALUES (?, ?, ?)",
                         [token, timestamp, clock.iso(when or clock.now())])
    return cur.rowcount == 1
