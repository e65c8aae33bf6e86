"""Desk queries: the review queue, one case with its campaign, and staff sign-in with lockout."""
from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from store import clock, staff
from store.staff import ROLES, StaffError

QUEUE_LIMIT = 50  # cases per queue page (the next ones through next_page)
COUNT_LIMIT = 1000  # the queue counts its cases up to this many ("1000+" beyond)
RECENT_LIMIT = 50
RECENT_WINDOW = 5000  # the latest answers are looked for among this many latest arrivals
MAX_FAILED_LOGINS = 5  # consecutive failures before an account is locked
LOCK_MINUTES = 15
# A real hash to verify against when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = staff.hash_password("vigie-no-such-account")

# A case needs a person: unknown, error, disputed, or suspicious below the review score, unless its campaign
# was decided (and nobody disputed it since).
_NEEDS = ("(c.status IN ('needs_review', 'error') OR coalesce(c.feedback, '') = 'wrong' OR c.verdict IS NULL"
          " OR c.verdict = 'unknown' OR (c.verdict = 'suspicious' AND coalesce(c.score, 0) < :below))"
          " AND (k.verdict IS NULL OR (coalesce(c.feedback, '') = 'wrong' AND coalesce(c.updated_at, '') > k.decided_at))")
# Cases that may need a person whatever the campaign and the review score: the partial index cases_open holds
# exactly these (migration 0011), and a query naming this term verbatim may walk it.
OPEN = ("(c.status IN ('needs_review', 'error') OR c.feedback = 'wrong' OR c.verdict IS NULL"
        " OR c.verdict IN ('unknown', 'suspicious'))")
# The queue's two walks, each forced onto its indexes (a missing index is an error, not a silent scan).
_PLACED = (" FROM campaigns k INDEXED BY campaigns_rank CROSS JOIN cases c INDEXED BY cases_open"
           " ON c.campaign_id = k.id")
_LOOSE = " FROM cases c INDEXED BY cases_open LEFT JOIN campaigns k ON k.id = c.campaign_id"
# A selective filter's walks: the planner starts from the filter's index (channel, institution, day).
_PLACED_BY_FILTER = " FROM cases c JOIN campaigns k ON k.id = c.campaign_id"
_LOOSE_BY_FILTER = " FROM cases c LEFT JOIN campaigns k ON k.id = c.campaign_id"
WALK_SECONDS = 0.05  # how long a filtered queue may walk campaigns before it asks the filter's index instead
_ROW = ("c.id, c.channel, c.received_at, c.verdict, c.score, c.status, c.feedback, c.text, c.subject,"
        " c.verdict_json, c.campaign_id, coalesce(k.reporters, 0) AS reporters, coalesce(k.cases, 1) AS members,"
        " c.institution_name, k.verdict AS decided, k.decided_at, k.decided_by, k.first_at AS campaign_first_at")


@dataclass(frozen=True)
class Filters:
    """Queue filters (empty strings mean 'any')."""

    channel: str = ""
    institution: str = ""
    verdict: str = ""
    since: str = ""  # YYYY-MM-DD
    until: str = ""


@dataclass(frozen=True)
class StaffMember:
    """A signed-in person."""

    id: int
    email: str
    role: str
    lang: str = "fr"  # the desk's language for this account


def _where(f: Filters) -> tuple[str, dict[str, Any]]:
    parts, args = [], {}
    for column, value in (("c.channel", f.channel), ("c.institution_id", f.institution)):
        if value:
            parts.append(f"{column} = :{column[2:]}")
            args[column[2:]] = value
    if f.verdict == "none":
        parts.append("c.verdict IS NULL")
    elif f.verdict:
        parts.append("c.verdict = :verdict")
        args["verdict"] = f.verdict
    if f.since:
        parts.append("c.received_at >= :since")
        args["since"] = f.since
    if f.until:
        parts.append("c.received_at < :until")
        args["until"] = f.until + "T99"  # the whole day: 'T99' sorts after every time of that day
    return "".join(f" AND {p}" for p in parts), args


def queue(db: Database, below: float, f: Filters = Filters(), after: str = "",
          count_limit: int = COUNT_LIMIT, walk_seconds: float = WALK_SECONDS) -> tuple[list[dict[str, Any]], int]:
    """Cases that need a person, most-reported campaign first (then its oldest case), then cases not yet placed;
    and how many there are, counted up to `count_limit` (more shows as count_limit + 1).

    `after` is the `next_page` of the page before (keyset pagination: the walk starts where that page stopped,
    never counting past rows). Both walks follow indexes (campaigns by reporters, then each one's open cases):
    the cost does not grow with the table. A filter few cases match (a rare channel or institution, an old day)
    would make that walk long: past `walk_seconds` it is dropped for the filter's own index, sorting what it finds."""
    if f == Filters():
        return _queue(db, below, f, after, count_limit, (_PLACED, _LOOSE))
    deadline = time.perf_counter() + walk_seconds
    db.conn.set_progress_handler(lambda: time.perf_counter() > deadline, 1000)
    try:
        return _queue(db, below, f, after, count_limit, (_PLACED, _LOOSE))
    except sqlite3.OperationalError as exc:
        if "interrupted" not in str(exc):
            raise
    finally:
        db.conn.set_progress_handler(None, 0)
    return _queue(db, below, f, after, count_limit, (_PLACED_BY_FILTER, _LOOSE_BY_FILTER))


def _queue(db: Database, below: float, f: Filters, after: str, count_limit: int,
           walks: tuple[str, str]) -> tuple[list[dict[str, Any]], int]:
    where, args = _where(f)
    args["below"] = below
    placed = f"{walks[0]} WHERE k.merged_into IS NULL AND {OPEN} AND {_NEEDS}{where}"
    loose = f"{walks[1]} WHERE c.campaign_id IS NULL AND {OPEN} AND {_NEEDS}{where}"
    total = 0
    for base in (placed, loose):
        if total <= count_limit:
            total += db.execute(f"SELECT count(*) FROM (SELECT 1{base} LIMIT {int(count_limit) + 1})",
                                args).fetchone()[0]
    mark = after.split("~")
    rows: list[dict[str, Any]] = []
    if len(mark) == 5 and mark[0].lstrip("-").isdigit() and mark[2].isdigit() and mark[4].isdigit():
        args.update(r=int(mark[0]), f=mark[1], k=int(mark[2]), t=mark[3], c=int(mark[4]))
        placed += (" AND k.reporters <= :r AND (k.reporters < :r OR (k.first_at, k.id) >= (:f, :k))"
                   " AND (k.reporters < :r OR (k.first_at, k.id) > (:f, :k) OR (c.received_at, c.id) > (:t, :c))")
    elif len(mark) == 3 and mark[0] == "loose" and mark[2].isdigit():
        args.update(t=mark[1], c=int(mark[2]))
        loose += " AND (c.received_at, c.id) > (:t, :c)"
        placed = ""
    if placed:
        rows += db.query(f"SELECT {_ROW}{placed} ORDER BY k.reporters DESC, k.first_at, k.id, c.received_at, c.id"
                         f" LIMIT {QUEUE_LIMIT}", args)
    if len(rows) < QUEUE_LIMIT:
        rows += db.query(f"SELECT {_ROW}{loose} ORDER BY c.received_at, c.id LIMIT {QUEUE_LIMIT - len(rows)}", args)
    return rows, min(total, count_limit + 1)


def next_page(rows: list[dict[str, Any]]) -> str:
    """Where the page after these rows starts ('' when they were the last)."""
    if len(rows) < QUEUE_LIMIT:
        return ""
    last = rows[-1]
    if last["campaign_id"] is None:
        return f"loose~{last['received_at']}~{last['id']}"
    return f"{last['reporters']}~{last['campaign_first_at']}~{last['campaign_id']}~{last['received_at']}~{last['id']}"


def recent(db: Database, below: float, f: Filters = Filters()) -> list[dict[str, Any]]:
    """The latest cases answered without a person, among the last RECENT_WINDOW arrivals (a bounded walk of the
    arrival index, however rare the filter)."""
    where, args = _where(f)
    args["below"] = below
    return list(db.query(
        f"SELECT {_ROW} FROM (SELECT id FROM cases ORDER BY received_at DESC, id DESC LIMIT {RECENT_WINDOW}) AS w"
        f" CROSS JOIN cases c ON c.id = w.id LEFT JOIN campaigns k ON k.id = c.campaign_id"
        f" WHERE NOT ({_NEEDS}){where} ORDER BY c.received_at DESC, c.id DESC LIMIT {RECENT_LIMIT}", args))


def institutions(db: Database) -> list[tuple[str, str]]:
    """(id, name) of the institutions the stored cases claim to be.

    Hops from one institution id to the next through campaigns_institution (one seek per institution, not one
    step per campaign), its name the index's last for that id."""
    return [(r[0], r[1]) for r in db.execute(
        "WITH RECURSIVE ids(id) AS (SELECT min(institution_id) FROM campaigns"
        " UNION ALL SELECT (SELECT min(institution_id) FROM campaigns WHERE institution_id > ids.id)"
        " FROM ids WHERE ids.id IS NOT NULL LIMIT 501)"
        " SELECT id, (SELECT max(institution_name) FROM campaigns WHERE institution_id = ids.id) AS name"
        " FROM ids WHERE id IS NOT NULL ORDER BY name LIMIT 500")]


def case(db: Database, case_id: int) -> dict[str, Any] | None:
    """One case with its campaign's figures."""
    rows = list(db.query(f"SELECT {_ROW}, c.sender, c.reply, c.lang, c.reporter, c.updated_at"
                         " FROM cases c LEFT JOIN campaigns k ON k.id = c.campaign_id WHERE c.id = ?", [case_id]))
    return rows[0] if rows else None


def members(db: Database, campaign_id: int, but: int = 0, limit: int = 20) -> list[dict[str, Any]]:
    """The latest other cases of a campaign (the similar cases)."""
    return list(db.query(
        "SELECT id, channel, received_at, verdict, score, text, subject, verdict_json FROM cases"
        " WHERE campaign_id = ? AND id != ? ORDER BY received_at DESC LIMIT ?", [campaign_id, but, limit]))


def campaign_list(db: Database, limit: int = 100) -> list[dict[str, Any]]:
    """Campaigns by reporters, then latest report."""
    return list(db.query(
        "SELECT id, shape, signature, cases, reporters, first_at, last_at, institution_name, verdict, decided_at"
        " FROM campaigns WHERE merged_into IS NULL AND cases > 0 ORDER BY reporters DESC, last_at DESC LIMIT ?",
        [limit]))


def authenticate(db: Database, email: str, password: str, when: datetime | None = None) -> StaffMember | None:
    """The account when the password is right and the account not locked; counts failures and locks."""
    moment = when or clock.now()
    row = db.execute("SELECT id, email, role, password_hash, failed_logins, locked_until FROM staff WHERE email = ?",
                     [(email or "").strip().lower()]).fetchone()
    good = staff.verify_password(row[3] if row else _DUMMY_HASH, password)  # as slow with no such account
    if row is None:
        return None
    locked = row[5] is not None and clock.parse(row[5]) > moment
    with db.atomic():
        if good and not locked:
            db.execute("UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = ?", [row[0]])
            if staff.needs_rehash(row[3]):
                db.execute("UPDATE staff SET password_hash = ? WHERE id = ?", [staff.hash_password(password), row[0]])
            return StaffMember(row[0], row[1], row[2])
        failures = row[4] + 1
        until = clock.iso(moment + timedelta(minutes=LOCK_MINUTES)) if failures >= MAX_FAILED_LOGINS else row[5]
        db.execute("UPDATE staff SET failed_logins = ?, locked_until = ? WHERE id = ?",
                   [0 if failures >= MAX_FAILED_LOGINS else failures, until, row[0]])
    return None


def staff_member(db: Database, staff_id: int) -> StaffMember | None:
    """A staff account by id."""
    row = db.execute("SELECT id, email, role, lang FROM staff WHERE id = ?", [staff_id]).fetchone()
    return StaffMember(*row) if row else None


def staff_list(db: Database) -> list[dict[str, Any]]:
    """Every staff account (no hashes)."""
    return list(db.query("SELECT id, email, role, lang, created_at, failed_logins, locked_until FROM staff"
                         " ORDER BY email"))


def set_role(db: Database, staff_id: int, role: str) -> bool:
    """Change an account's role; False when there is no such account."""
    if role not in ROLES:
        raise StaffError("staff_role", role=str(role)[:30], roles=", ".join(ROLES))
    with db.atomic():
        return db.execute("UPDATE staff SET role = ? WHERE id = ?", [role, staff_id]).rowcount == 1


def unlock(db: Database, staff_id: int) -> bool:
    """Lift a login lock."""
    with db.atomic():
        return db.execute("UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = ?",
                          [staff_id]).rowcount == 1
