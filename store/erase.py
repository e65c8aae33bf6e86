"""Erasing cases with everything derived from them (OUBLI and the retention purge), leaving no copy on disk."""
from __future__ import annotations

import sqlite3
import time
from typing import Iterable, Sequence

from sqlite_utils import Database

from store.campaigns import recount

CHUNK = 500  # case ids per statement (well under SQLite's bound-parameter limit)


def scrubbing(db: Database) -> None:
    """Deleted rows are overwritten with zeros in the file, not only unlinked (call before erasing)."""
    db.execute("PRAGMA secure_delete = ON")


def checkpoint(db: Database, wait_ms: int = 100, tries: int = 5) -> bool:
    """Copy the WAL into the database and truncate it, so no older page image survives in the -wal file.

    A PASSIVE checkpoint first copies the WAL without blocking anyone; the TRUNCATE after it holds the write lock
    only to copy the few frames written since and to wait (at most `wait_ms`) for readers, so a webhook never waits
    behind a long copy. Tried `tries` times; False when readers kept it from completing (the next purge tries
    again)."""
    db.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
    try:
        for attempt in range(tries):
            if attempt:
                time.sleep(wait_ms / 1000)
            try:
                db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                if db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0:
                    return True
            except sqlite3.OperationalError:
                continue
        return False
    finally:
        db.execute("PRAGMA busy_timeout = 10000")


def _marks(ids: Sequence[int]) -> str:
    return ",".join("?" * len(ids))


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start:start + CHUNK])


def erase_cases(db: Database, case_ids: Sequence[int], keep_confirmed: bool = False) -> dict[str, int]:
    """Delete these cases and what came only from them; recount their campaigns. Call inside a transaction.

    With `keep_confirmed` (the retention purge), an indicator staff confirmed stays on the blocklist once its last
    case is gone, its decision note emptied (it may quote a message); OUBLI deletes it with the cases."""
    counts = dict.fromkeys(("cases", "inbound", "outbox", "proposals", "campaign_texts", "campaign_indicators",
                            "indicators", "notices"), 0)
    campaigns: set[int] = set()
    derived: set[tuple[str, str]] = set()
    texts: set[str] = set()
    for ids in _chunks(list(case_ids)):
        marks = _marks(ids)
        campaigns |= {r[0] for r in db.execute(
            f"SELECT DISTINCT campaign_id FROM cases WHERE id IN ({marks}) AND campaign_id IS NOT NULL", ids)}
        derived |= {(r[0], r[1]) for r in db.execute(
            f"SELECT DISTINCT kind, value FROM case_indicators WHERE case_id IN ({marks})", ids)}
        texts |= {r[0] for r in db.execute(f"SELECT DISTINCT key FROM case_texts WHERE case_id IN ({marks})", ids)}
        for table in ("inbound", "outbox"):
            counts[table] += db.execute(f"DELETE FROM {table} WHERE case_id IN ({marks})", ids).rowcount
        # A reviewer's proposal stays for the admin, without the link to the case or a note that may quote it.
        counts["proposals"] += db.execute(
            f"UPDATE proposals SET case_id = NULL, note = '' WHERE case_id IN ({marks})", ids).rowcount
        db.execute(f"DELETE FROM case_indicators WHERE case_id IN ({marks})", ids)
        db.execute(f"DELETE FROM case_texts WHERE case_id IN ({marks})", ids)
        counts["cases"] += db.execute(f"DELETE FROM cases WHERE id IN ({marks})", ids).rowcount
    _drop_orphans(db, derived, texts, counts, keep_confirmed)
    _settle_campaigns(db, campaigns, counts)
    return counts


def _drop_orphans(db: Database, derived: set[tuple[str, str]], texts: set[str], counts: dict[str, int],
                  keep_confirmed: bool) -> None:
    """Indicators and normalised texts that no remaining case carries."""
    for kind, value in sorted(derived):
        if db.execute("SELECT 1 FROM case_indicators WHERE kind = ? AND value = ? LIMIT 1", [kind, value]).fetchone():
            continue
        counts["campaign_indicators"] += db.execute(
            "DELETE FROM campaign_indicators WHERE kind = ? AND value = ?", [kind, value]).rowcount
        if keep_confirmed:
            db.execute("UPDATE indicators SET note = '' WHERE kind = ? AND value IN (?, ?) AND note != ''",
                       [kind, value, value.lower()])
            continue
        counts["indicators"] += db.execute(
            "DELETE FROM indicators WHERE kind = ? AND value IN (?, ?)", [kind, value, value.lower()]).rowcount
    for key in sorted(texts):
        if not db.execute("SELECT 1 FROM case_texts WHERE key = ? LIMIT 1", [key]).fetchone():
            counts["campaign_texts"] += db.execute("DELETE FROM campaign_texts WHERE key = ?", [key]).rowcount


def _settle_campaigns(db: Database, campaigns: set[int], counts: dict[str, int]) -> None:
    """Notices of reporters with no case left, counts recounted, a signature only from a text still held."""
    for campaign_id in sorted(campaigns):
        counts["notices"] += db.execute(
            "DELETE FROM notices WHERE campaign_id = ? AND NOT EXISTS (SELECT 1 FROM cases c"
            " WHERE c.campaign_id = notices.campaign_id AND c.reporter = notices.reporter)", [campaign_id]).rowcount
        recount(db, campaign_id)
        db.execute("UPDATE campaigns SET signature = coalesce((SELECT text FROM campaign_texts t"
                   " WHERE t.campaign_id = campaigns.id ORDER BY t.key LIMIT 1), '') WHERE id = ? AND NOT EXISTS"
                   " (SELECT 1 FROM campaign_texts t WHERE t.campaign_id = campaigns.id"
                   " AND t.text = campaigns.signature)", [campaign_id])
    # A campaign folded into another keeps no text of its own.
    db.execute("UPDATE campaigns SET signature = '' WHERE merged_into IS NOT NULL AND signature != ''")
