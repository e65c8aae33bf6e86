"""The append-only audit log (who did what, when); details name pseudonyms and ids, never addresses."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from store import clock


def record(db: Database, actor: str, action: str, detail: str = "", when: datetime | None = None) -> None:
    """Append one entry."""
    with db.atomic():
        db.execute("INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, ?, ?)",
                   [clock.iso(when or clock.now()), actor, action, detail])


def count(db: Database, actor: str, action: str, since: datetime) -> int:
    """How many times `actor` did `action` since `since` (e.g. codes sent to one reporter today)."""
    row = db.execute("SELECT count(*) FROM audit WHERE actor = ? AND action = ? AND at >= ?",
                     [actor, action, clock.iso(since)]).fetchone()
    return int(row[0])
