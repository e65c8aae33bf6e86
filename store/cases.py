"""Cases (one per forwarded message) and the inbound ledger that makes redeliveries harmless."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Callable

from sqlite_utils import Database

from store import clock
from store.db import immediate

STATUSES = ("answered", "needs_review", "error")


@dataclass(frozen=True)
class NewCase:
    """What the intake stores about one report."""

    text: str
    status: str
    reporter: str | None = None
    subject: str | None = None
    sender: str | None = None
    verdict: str | None = None
    score: float | None = None
    verdict_json: str | None = None
    reply: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class Case(NewCase):
    """A stored case."""

    id: int = 0
    channel: str = ""
    provider_message_id: str = ""
    received_at: str = ""
    feedback: str | None = None


@dataclass(frozen=True)
class Delivery:
    """The answer given to one inbound message (a redelivery gets it again)."""

    reply: str
    case_id: int | None
    duplicate: bool = False


def prior(db: Database, channel: str, provider_id: str) -> Delivery | None:
    """The stored answer to this provider message, if it was already handled."""
    row = db.execute("SELECT reply, case_id FROM inbound WHERE channel = ? AND provider_message_id = ?",
                     [channel, provider_id]).fetchone()
    return Delivery(row[0], row[1], duplicate=True) if row else None


def record(db: Database, channel: str, provider_id: str, reply: str, case: NewCase | None = None,
           when: datetime | None = None, also: Callable[[Database], None] | None = None,
           of_case: int | None = None) -> Delivery:
    """Store the answer (and the case) in one transaction; a concurrent twin keeps the first.

    `also` runs last in the same transaction (e.g. remembering the provider's token). `of_case`: the
    existing case this delivery belongs to (a patient's answer about it), so that erasing the case
    (OUBLI, the purge) erases the delivery and its reply too."""
    stamp = clock.iso(when or clock.now())
    try:
        # One transaction, not `with db.conn`: sqlite-utils 4 commits each db.execute() run outside an
        # explicit transaction, so the case would be committed before its inbound row. The write lock is
        # taken up front, polled for (store.db.immediate): a purge batch delays a report by its own length only.
        with immediate(db):
            case_id = of_case if case is None else None
            if case is not None:
                names = [f.name for f in fields(NewCase)]
                cur = db.execute(
                    f"INSERT INTO cases (channel, provider_message_id, received_at, updated_at, {', '.join(names)})"
                    f" VALUES (?, ?, ?, ?, {', '.join('?' * len(names))})",
                    [channel, provider_id, stamp, stamp, *(getattr(case, n) for n in names)])
                case_id = cur.lastrowid
            db.execute("INSERT INTO inbound (channel, provider_message_id, case_id, reply, received_at)"
                       " VALUES (?, ?, ?, ?, ?)", [channel, provider_id, case_id, reply, stamp])
            if also is not None:
                also(db)
    except sqlite3.IntegrityError:
        existing = prior(db, channel, provider_id)
        if existing is None:
            raise
        return existing
    return Delivery(reply, case_id)


def get(db: Database, case_id: int) -> Case | None:
    """One case by id."""
    cur = db.execute("SELECT * FROM cases WHERE id = ?", [case_id])
    row = cur.fetchone()
    if row is None:
        return None
    data = dict(zip([d[0] for d in cur.description], row))
    known = {f.name for f in fields(Case)}
    return Case(**{k: v for k, v in data.items() if k in known})


def count(db: Database, **where: str) -> int:
    """How many cases match the given column values."""
    clause = " AND ".join(f"{k} = ?" for k in where) or "1"
    return db.execute(f"SELECT count(*) FROM cases WHERE {clause}", list(where.values())).fetchone()[0]


def refine(db: Database, case_id: int, *, sender: str, verdict: str, score: float,
           verdict_json: str, reply: str, status: str) -> None:
    """Update a case after the patient told who sent the message."""
    with db.atomic():
        db.execute("UPDATE cases SET sender = ?, verdict = ?, score = ?, verdict_json = ?, reply = ?,"
                   " status = ?, updated_at = ? WHERE id = ?",
                   [sender, verdict, score, verdict_json, reply, status, clock.iso(clock.now()), case_id])


def set_feedback(db: Database, case_id: int, reporter: str, feedback: str) -> bool:
    """The patient's useful / wrong feedback; 'wrong' sends the case to review."""
    with db.atomic():
        cur = db.execute(
            "UPDATE cases SET feedback = ?, updated_at = ?,"
            " status = CASE WHEN ? = 'wrong' THEN 'needs_review' ELSE status END"
            " WHERE id = ? AND reporter = ?",
            [feedback, clock.iso(clock.now()), feedback, case_id, reporter])
    return cur.rowcount == 1
