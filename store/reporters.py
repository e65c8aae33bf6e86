"""Reporters: a keyed pseudonym per (channel, address), the address only encrypted."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from config import channels
from store import clock, erase
from store.crypto import DataKeys
from store.db import immediate




@dataclass(frozen=True)
class Reporter:
    """A patient who forwards messages, as the store knows them."""

    pseudonym: str
    channel: str
    lang: str | None
    stopped: bool
    first_contact: bool = False
    previous_seen_at: str | None = None


def touch(db: Database, keys: DataKeys, channel: str, address: str, when: datetime | None = None) -> Reporter:
    """Record that `address` wrote now; create the reporter on first contact."""
    stamp = clock.iso(when or clock.now())
    pseudonym = keys.pseudonym(channel, address)
    with immediate(db):
        row = db.execute("SELECT lang, stopped, last_seen_at FROM reporters WHERE pseudonym = ?",
                         [pseudonym]).fetchone()
        if row is None:
            db.execute("INSERT OR IGNORE INTO reporters (pseudonym, channel, address_enc, stopped, created_at,"
                       " last_seen_at) VALUES (?, ?, ?, 0, ?, ?)",
                       [pseudonym, channel, keys.encrypt(address), stamp, stamp])
            return Reporter(pseudonym, channel, None, False, first_contact=True)
        db.execute("UPDATE reporters SET last_seen_at = ? WHERE pseudonym = ?", [stamp, pseudonym])
    return Reporter(pseudonym, channel, row[0], bool(row[1]), previous_seen_at=row[2])


def get(db: Database, pseudonym: str) -> Reporter | None:
    """The reporter with this pseudonym, if any."""
    row = db.execute("SELECT channel, lang, stopped, last_seen_at FROM reporters WHERE pseudonym = ?",
                     [pseudonym]).fetchone()
    if row is None:
        return None
    return Reporter(pseudonym, row[0], row[1], bool(row[2]), previous_seen_at=row[3])


def last_seen(db: Database, pseudonym: str) -> str | None:
    """When this reporter last wrote (ISO), if known."""
    row = db.execute("SELECT last_seen_at FROM reporters WHERE pseudonym = ?", [pseudonym]).fetchone()
    return row[0] if row else None


def address_of(db: Database, keys: DataKeys, pseudonym: str) -> str | None:
    """The decrypted address of a reporter (for a follow-up message)."""
    row = db.execute("SELECT address_enc FROM reporters WHERE pseudonym = ?", [pseudonym]).fetchone()
    return keys.decrypt(row[0]) if row else None


def set_lang(db: Database, pseudonym: str, lang: str) -> None:
    """Remember the reporter's language."""
    with db.atomic():
        db.execute("UPDATE reporters SET lang = ? WHERE pseudonym = ?", [lang, pseudonym])


def set_stopped(db: Database, pseudonym: str, stopped: bool = True) -> None:
    """STOP (or restart) follow-up messages to this reporter (the worker drops queued follow-ups)."""
    with db.atomic():
        db.execute("UPDATE reporters SET stopped = ? WHERE pseudonym = ?", [int(stopped), pseudonym])


def forget(db: Database, pseudonym: str) -> dict[str, int]:
    """Delete everything stored about a reporter and derived from their reports (OUBLI), zeroed on disk."""
    erase.scrubbing(db)
    with immediate(db):
        ids = [r[0] for r in db.execute("SELECT id FROM cases WHERE reporter = ?", [pseudonym])]
        counts = erase.erase_cases(db, ids)
        for table, column in (("outbox", "reporter"), ("notices", "reporter"), ("conversation", "reporter"),
                              ("reporters", "pseudonym")):
            counts[table] = counts.get(table, 0) + db.execute(
                f"DELETE FROM {table} WHERE {column} = ?", [pseudonym]).rowcount
    erase.checkpoint(db)
    return counts


def is_reporter(db: Database, keys: DataKeys, value: str) -> bool:
    """True when `value` is the address of a known reporter on any channel (asked through the keyed pseudonym)."""
    value = (value or "").strip()
    if not value:
        return False
    forms = {value, value.lower()}
    digits = "".join(ch for ch in value if ch.isdigit())
    if digits and len(digits) == len(value.lstrip("+").replace(" ", "")):
        forms |= {"+" + digits, digits, f"whatsapp:+{digits}"}
        if digits.startswith("0") and len(digits) == 10:  # a French national number as a patient writes it
            forms |= {"+33" + digits[1:], "whatsapp:+33" + digits[1:]}
    pseudonyms = [keys.pseudonym(channel, form) for channel in channels.NAMES for form in forms]
    marks = ",".join("?" * len(pseudonyms))
    found = db.execute(f"SELECT 1 FROM reporters WHERE pseudonym IN ({marks}) LIMIT 1", pseudonyms).fetchone()
    return found is not None
