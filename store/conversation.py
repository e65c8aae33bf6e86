"""Conversation state per reporter (e.g. waiting for "who sent it?"), expiring after 30 minutes."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from store import clock

TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class Pending:
    """What the bot is waiting for from a reporter."""

    state: str
    data: dict[str, Any] = field(default_factory=dict)


def load(db: Database, reporter: str, when: datetime | None = None) -> Pending | None:
    """The live state of a reporter; an expired one is dropped."""
    row = db.execute("SELECT state, data, expires_at FROM conversation WHERE reporter = ?", [reporter]).fetchone()
    if row is None:
        return None
    if row[2] <= clock.iso(when or clock.now()):
        clear(db, reporter)
        return None
    return Pending(row[0], json.loads(row[1] or "{}"))


def save(db: Database, reporter: str, pending: Pending, when: datetime | None = None) -> None:
    """Remember what we wait for, for 30 minutes."""
    expires = clock.iso((when or clock.now()) + TTL)
    with db.atomic():
        db.execute("INSERT OR REPLACE INTO conversation (reporter, state, data, expires_at) VALUES (?, ?, ?, ?)",
                   [reporter, pending.state, json.dumps(pending.data), expires])


def clear(db: Database, reporter: str) -> None:
    """Forget the reporter's conversation state."""
    with db.atomic():
        db.execute("DELETE FROM conversation WHERE reporter = ?", [reporter])
