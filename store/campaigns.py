"""Campaigns: cases grouped by shared indicators or wording, and the decisions that settle them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlite_utils import Database

from store import clock
from store.db import immediate


@dataclass(frozen=True)
class Pending:
    """A case not yet placed in a campaign."""

    id: int
    text: str
    subject: str | None
    verdict_json: str | None
    reporter: str | None
    received_at: str
    verdict: str | None = None


@dataclass(frozen=True)
class Campaign:
    """A group of reports of one campaign."""

    id: int
    shape: str
    signature: str
    cases: int
    reporters: int
    first_at: str | None
    last_at: str | None
    institution_id: str | None = None
    institution_name: str | None = None
    verdict: str | None = None
    decided_at: str | None = None
    decided_by: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Member:
    """One text already placed: where it went and how it reads (fingerprint fields, as plain values)."""

    key: str
    shape: str
    text: str
    indicators: tuple[tuple[str, str], ...]
    institution_id: str | None = None
    institution_name: str | None = None


_CAMPAIGN_COLUMNS = ("id, shape, signature, cases, reporters, first_at, last_at, institution_id, "
                     "institution_name, verdict, decided_at, decided_by, note")


def unassigned(db: Database, limit: int = 500) -> list[Pending]:
    """Cases with no campaign yet, oldest first."""
    rows = db.execute("SELECT id, text, subject, verdict_json, reporter, received_at, verdict FROM cases"
                      " INDEXED BY cases_unassigned WHERE campaign_id IS NULL ORDER BY id LIMIT ?", [limit]).fetchall()
    return [Pending(*row) for row in rows]


def by_key(db: Database, key: str) -> int | None:
    """The campaign that already holds this exact normalised text."""
    row = db.execute("SELECT campaign_id FROM campaign_texts WHERE key = ?", [key]).fetchone()
    return _live(db, row[0]) if row else None


def by_indicators(db: Database, indicators: Iterable[tuple[str, str]]) -> list[tuple[int, str]]:
    """(campaign id, shape) of the campaigns that share one of these indicators, largest first."""
    found: set[int] = set()
    for kind, value in indicators:
        row = db.execute("SELECT campaign_id FROM campaign_indicators WHERE kind = ? AND value = ?",
                         [kind, value]).fetchone()
        if row:
            found.add(_live(db, row[0]))
    if not found:
        return []
    marks = ",".join("?" * len(found))
    return [(r[0], r[1]) for r in db.execute(
        f"SELECT id, shape FROM campaigns WHERE id IN ({marks}) ORDER BY reporters DESC, cases DESC, id",
        list(found)).fetchall()]


def texts_near(db: Database, shape: str, low: int, high: int, limit: int = 5000) -> dict[str, str]:
    """Normalised texts of one shape whose length lies in [low, high], by key (fuzzy candidates)."""
    rows = db.execute("SELECT key, text FROM campaign_texts WHERE shape = ? AND length BETWEEN ? AND ?"
                      " LIMIT ?", [shape, low, high, limit]).fetchall()
    return {r[0]: r[1] for r in rows}


def _live(db: Database, campaign_id: int) -> int:
    """Follow merges to the campaign that absorbed this one."""
    for _ in range(20):
        row = db.execute("SELECT merged_into FROM campaigns WHERE id = ?", [campaign_id]).fetchone()
        if not row or row[0] is None:
            return campaign_id
        campaign_id = row[0]
    return campaign_id


def place(db: Database, case: Pending, member: Member, campaign_id: int | None,
          when: datetime | None = None) -> int:
    """Put a case in `campaign_id` (a new campaign when None) and remember its text and indicators."""
    stamp = clock.iso(when or clock.now())
    with immediate(db):
        if campaign_id is None:
            campaign_id = int(db.execute(
                "INSERT INTO campaigns (created_at, updated_at, shape, signature, institution_id, institution_name,"
                " first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [stamp, stamp, member.shape, member.text, member.institution_id, member.institution_name,
                 case.received_at, case.received_at]).lastrowid)
        db.execute("UPDATE cases SET campaign_id = ?, institution_id = ?, institution_name = ? WHERE id = ?",
                   [campaign_id, member.institution_id, member.institution_name, case.id])
        db.execute("INSERT OR IGNORE INTO campaign_texts (key, campaign_id, shape, length, text) VALUES (?, ?, ?, ?, ?)",
                   [member.key, campaign_id, member.shape, len(member.text), member.text])
        db.conn.executemany("INSERT OR IGNORE INTO campaign_indicators (kind, value, campaign_id) VALUES (?, ?, ?)",
                            [(k, v, campaign_id) for k, v in member.indicators])
        # Provenance: OUBLI and the purge remove a text or an indicator once no remaining case carries it.
        db.execute("INSERT OR IGNORE INTO case_texts (case_id, key) VALUES (?, ?)", [case.id, member.key])
        db.conn.executemany("INSERT OR IGNORE INTO case_indicators (case_id, kind, value) VALUES (?, ?, ?)",
                            [(case.id, k, v) for k, v in member.indicators])
        # By the reporter's few cases, never by the campaign's many ('+' keeps the campaign index out).
        known = case.reporter is None or db.execute(
            "SELECT 1 FROM cases WHERE reporter = ? AND +campaign_id = ? AND id != ? LIMIT 1",
            [case.reporter, campaign_id, case.id]).fetchone() is not None
        db.execute("UPDATE campaigns SET updated_at = ?, cases = cases + 1, reporters = reporters + ?,"
                   " first_at = min(coalesce(first_at, ?), ?), last_at = max(coalesce(last_at, ?), ?),"
                   " institution_id = coalesce(institution_id, ?), institution_name = coalesce(institution_name, ?)"
                   " WHERE id = ?", [stamp, 0 if known else 1, case.received_at, case.received_at, case.received_at,
                                     case.received_at, member.institution_id, member.institution_name, campaign_id])
    return campaign_id


def recount(db: Database, campaign_id: int, stamp: str | None = None) -> None:
    """Count a campaign's cases, reporters and dates again from the cases it holds.

    Each figure is read from an index (cases_campaign, cases_campaign_reporter), never from the case rows: a purge
    batch recounts hundreds of campaigns."""
    stamp = stamp or clock.iso(clock.now())
    db.execute(
        "UPDATE campaigns SET updated_at = :stamp,"
        " cases = (SELECT count(*) FROM cases WHERE campaign_id = :id),"
        " reporters = (SELECT count(DISTINCT reporter) FROM cases WHERE campaign_id = :id),"
        " first_at = (SELECT min(received_at) FROM cases WHERE campaign_id = :id),"
        " last_at = (SELECT max(received_at) FROM cases WHERE campaign_id = :id),"
        " institution_id = coalesce(institution_id, (SELECT max(institution_id) FROM cases WHERE campaign_id = :id)),"
        " institution_name = coalesce(institution_name,"
        " (SELECT max(institution_name) FROM cases WHERE campaign_id = :id)) WHERE id = :id",
        {"stamp": stamp, "id": campaign_id})


def merge(db: Database, keep: int, absorbed: Iterable[int], when: datetime | None = None) -> None:
    """Fold other campaigns into `keep` (their cases, texts and indicators move over)."""
    stamp = clock.iso(when or clock.now())
    with immediate(db):
        for other in {a for a in absorbed if a != keep}:
            for table in ("cases", "campaign_texts", "campaign_indicators", "decisions", "notices", "proposals"):
                db.execute(f"UPDATE OR IGNORE {table} SET campaign_id = ? WHERE campaign_id = ?", [keep, other])
            db.execute("UPDATE campaigns SET merged_into = ?, cases = 0, reporters = 0, signature = '',"
                       " updated_at = ? WHERE id = ?", [keep, stamp, other])
        recount(db, keep, stamp)


def get(db: Database, campaign_id: int) -> Campaign | None:
    """One campaign by id (following merges)."""
    row = db.execute(f"SELECT {_CAMPAIGN_COLUMNS} FROM campaigns WHERE id = ?", [_live(db, campaign_id)]).fetchone()
    return Campaign(*row) if row else None


def indicators_of(db: Database, campaign_id: int) -> list[tuple[str, str]]:
    """The non-official indicators seen in a campaign's reports."""
    return [(r[0], r[1]) for r in db.execute(
        "SELECT kind, value FROM campaign_indicators WHERE campaign_id = ? ORDER BY kind, value", [campaign_id])]


def reporters_of(db: Database, campaign_id: int) -> list[tuple[str, str, str | None, str, int]]:
    """(pseudonym, channel, lang, first report time, latest case id) of every reporter not stopped."""
    return [tuple(r) for r in db.execute(
        "SELECT c.reporter, r.channel, coalesce(r.lang, max(c.lang)), min(c.received_at), max(c.id)"
        " FROM cases c JOIN reporters r ON r.pseudonym = c.reporter"
        " WHERE c.campaign_id = ? AND r.stopped = 0 GROUP BY c.reporter", [campaign_id])]


def notified(db: Database, campaign_id: int) -> dict[str, str]:
    """Reporter pseudonym -> the verdict they were last told, for one campaign."""
    return {r[0]: r[1] for r in db.execute("SELECT reporter, verdict FROM notices WHERE campaign_id = ?",
                                           [campaign_id])}


def record_notice(db: Database, campaign_id: int, reporter: str, verdict: str, decision_id: int,
                  outbox_id: int) -> None:
    """Remember that a reporter was told this campaign's verdict."""
    with db.atomic():
        db.execute("INSERT OR REPLACE INTO notices (campaign_id, reporter, verdict, decision_id, outbox_id)"
                   " VALUES (?, ?, ?, ?, ?)", [campaign_id, reporter, verdict, decision_id, outbox_id])


def record_decision(db: Database, campaign_id: int, verdict: str, note: str, actor: str,
                    case_id: int | None = None, when: datetime | None = None) -> tuple[int, str]:
    """Store a person's verdict on a campaign; returns (decision id, decided_at)."""
    stamp = clock.iso(when or clock.now())
    with immediate(db):
        row = db.execute("SELECT verdict FROM campaigns WHERE id = ?", [campaign_id]).fetchone()
        decision_id = int(db.execute(
            "INSERT INTO decisions (campaign_id, case_id, verdict, previous, note, actor, decided_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [campaign_id, case_id, verdict, row[0] if row else None, note, actor, stamp]).lastrowid)
        db.execute("UPDATE campaigns SET verdict = ?, decided_at = ?, decided_by = ?, note = ?, updated_at = ?"
                   " WHERE id = ?", [verdict, stamp, actor, note, stamp, campaign_id])
    return decision_id, stamp


def finish_decision(db: Database, decision_id: int, notified_count: int, indicator_count: int) -> None:
    """Count what a decision did: follow-ups queued and indicators confirmed."""
    with db.atomic():
        db.execute("UPDATE decisions SET notified = ?, indicators = ? WHERE id = ?",
                   [notified_count, indicator_count, decision_id])


def latest_decision(db: Database, campaign_id: int) -> int:
    """The id of a campaign's latest decision (0 when none)."""
    row = db.execute("SELECT max(id) FROM decisions WHERE campaign_id = ?", [campaign_id]).fetchone()
    return int(row[0] or 0)


def decisions_of(db: Database, campaign_id: int) -> list[dict[str, object]]:
    """The decisions taken on a campaign, latest first."""
    return list(db.query("SELECT * FROM decisions WHERE campaign_id = ? ORDER BY id DESC", [campaign_id]))


def decided_texts(db: Database) -> list[tuple[str, str, str, str, str, int]]:
    """(key, shape, text, verdict, decided_at, campaign id) of every text of a decided campaign."""
    return [tuple(r) for r in db.execute(
        "SELECT t.key, t.shape, t.text, c.verdict, c.decided_at, c.id FROM campaign_texts t"
        " JOIN campaigns c ON c.id = t.campaign_id WHERE c.verdict IS NOT NULL AND c.merged_into IS NULL")]


def genuine_indicators(db: Database) -> dict[int, frozenset[tuple[str, str]]]:
    """Campaign id -> the non-official indicators it holds, for every campaign decided legitimate."""
    out: dict[int, set[tuple[str, str]]] = {}
    for cid, kind, value in db.execute(
            "SELECT i.campaign_id, i.kind, i.value FROM campaign_indicators i JOIN campaigns c ON c.id = i.campaign_id"
            " WHERE c.verdict = 'legitimate' AND c.merged_into IS NULL"):
        out.setdefault(cid, set()).add((kind, value))
    return {cid: frozenset(found) for cid, found in out.items()}


def decisions_version(db: Database) -> tuple[object, ...]:
    """Changes whenever a decision is taken or texts join a decided campaign (cheap to ask)."""
    return tuple(db.execute("SELECT (SELECT max(id) FROM decisions),"
                            " (SELECT max(updated_at) FROM campaigns WHERE decided_at IS NOT NULL)").fetchone())


def propose_contact(db: Database, *, case_id: int | None, campaign_id: int | None, institution_id: str | None,
                    institution_name: str | None, kind: str, value: str, source: str, note: str,
                    actor: str, when: datetime | None = None) -> int:
    """Store a reviewer's proposed official contact; it waits for an admin."""
    with db.atomic():
        return int(db.execute(
            "INSERT INTO proposals (case_id, campaign_id, institution_id, institution_name, kind, value, source,"
            " note, proposed_by, proposed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [case_id, campaign_id, institution_id, institution_name, kind, value, source, note, actor,
             clock.iso(when or clock.now())]).lastrowid)


def proposals(db: Database, status: str = "pending") -> list[dict[str, object]]:
    """Proposed official contacts with a status, oldest first."""
    return list(db.query("SELECT * FROM proposals WHERE status = ? ORDER BY proposed_at, id", [status]))
