"""Purge and forget: what leaves the database, when, and the audit line that says so."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from sqlite_utils import Database

from store import audit, clock, maintenance, reporters

log = logging.getLogger("vigie.retention")
PURGE_EVERY = timedelta(days=1)


def purge(db: Database, retention_days: int, when: datetime | None = None) -> dict[str, int]:
    """Delete what is older than `retention_days`; counts per table."""
    return maintenance.purge(db, retention_days, when or clock.now())


def purge_if_due(db: Database, retention_days: int, when: datetime | None = None) -> dict[str, int] | None:
    """Run the retention purge when the last one is a day old (remembered in `meta`); None when not due."""
    moment = when or clock.now()
    row = db.execute("SELECT value FROM meta WHERE key = 'last_purge_at'").fetchone()
    if row and clock.parse(row[0]) > moment - PURGE_EVERY:
        return None
    counts = purge(db, retention_days, moment)
    with db.atomic():
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_purge_at', ?)", [clock.iso(moment)])
    log.info("retention purge: %s", counts)
    return counts


def forget(db: Database, pseudonym: str) -> dict[str, int]:
    """A reporter's OUBLI: everything stored about them deleted, the counts audited under their pseudonym."""
    counts = reporters.forget(db, pseudonym)
    audit.record(db, f"reporter:{pseudonym[:12]}", "forget", json.dumps(counts))
    return counts
