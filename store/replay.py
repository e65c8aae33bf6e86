"""Tokens already seen (Mailgun signatures), so a replayed request is refused."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from store import clock


def remember(db: Database, token: str, timestamp: int, when: datetime | None = None) -> bool:
    """Record a token; False when it was already seen (a replay)."""
    with db.atomic():
        cur = db.execute("INSERT OR IGNORE INTO seen_tokens (token, timestamp, seen_at) VALUES (?, ?, ?)",
                         [token, timestamp, clock.iso(when or clock.now())])
    return cur.rowcount == 1


def seen(db: Database, token: str) -> bool:
    """True when this token was already used."""
    return db.execute("SELECT 1 FROM seen_tokens WHERE token = ?", [token]).fetchone() is not None


class Replayed(Exception):
    """The token was used by another request (a concurrent twin committed first)."""


def insert(db: Database, token: str, timestamp: int, when: datetime | None = None) -> None:
    """Record a token inside the caller's transaction (the one that stores what it signed).

    Raises Replayed when the token is already there, which rolls that transaction back."""
    cur = db.execute("INSERT OR IGNORE INTO seen_tokens (token, timestamp, seen_at) VALUES (?, ?, ?)",
                     [token, timestamp, clock.iso(when or clock.now())])
    if cur.rowcount != 1:
        raise Replayed("this token was already used")
