"""Reading the append-only audit log back: filtered by actor, action and day, newest first."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

PAGE = 200
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class AuditFilter:
    """Audit filters (empty strings mean 'any'); days are YYYY-MM-DD, both included."""

    actor: str = ""
    action: str = ""
    since: str = ""
    until: str = ""
    before: int = 0  # show entries older than this id (the next page)

    @classmethod
    def parse(cls, args: Any) -> "AuditFilter":
        """Filters from query arguments; malformed days and ids are ignored."""
        day = lambda v: v if _DAY.match(v or "") else ""  # noqa: E731
        before = str(args.get("before", "") or "")
        return cls(actor=str(args.get("actor", "") or "").strip()[:254],
                   action=str(args.get("action", "") or "").strip()[:60],
                   since=day(args.get("since", "")), until=day(args.get("until", "")),
                   before=int(before) if before.isdigit() else 0)


def entries(db: Database, f: AuditFilter = AuditFilter(), limit: int = PAGE) -> list[dict[str, Any]]:
    """Audit entries matching the filters, newest first (at most `limit`)."""
    where, args = [], []
    if f.actor:
        where.append("actor = ?")
        args.append(f.actor)
    if f.action:
        where.append("action = ?")
        args.append(f.action)
    if f.since:
        where.append("at >= ?")
        args.append(f.since)
    if f.until:
        where.append("at < ?")
        args.append(f.until + "T99")  # the whole day: 'T99' sorts after every time of that day
    if f.before:
        where.append("id < ?")
        args.append(f.before)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return list(db.query(f"SELECT id, at, actor, action, detail FROM audit {clause} ORDER BY id DESC LIMIT ?",
                         [*args, limit]))


def choices(db: Database) -> tuple[list[str], list[str]]:
    """(actors, actions) found in the log, for the filter menus."""
    actors = [r[0] for r in db.execute("SELECT DISTINCT actor FROM audit ORDER BY actor LIMIT 500")]
    actions = [r[0] for r in db.execute("SELECT DISTINCT action FROM audit ORDER BY action")]
    return actors, actions
