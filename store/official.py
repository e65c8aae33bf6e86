"""Whether an indicator is an official value of the registry (asked of the contacts table), so no decision blocks it."""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from sqlite_utils import Database

from nlp.domains import split_host
from nlp.registry_index import normalise_phone
from nlp.text import fold, fold_compact

_PHONE = re.compile(r"\+?[\d\s.()-]{3,20}")


def is_official(db: Database, kind: str, value: str) -> bool:
    """True when blocking (kind, value) would block something the registry says is official."""
    value = (value or "").strip()
    if not value:
        return False
    if kind == "domain":
        return official_domain(db, value)
    if kind == "url":
        host = urlsplit(value if "://" in value else f"http://{value}").hostname or ""
        return bool(host) and official_domain(db, host)
    if kind == "phone" or (kind == "sender" and _PHONE.fullmatch(value)):
        return official_phone(db, value)
    if kind == "sender" and "@" in value:
        return official_email(db, value)
    if kind == "sender":
        return official_sender_id(db, value)
    return False


def _parents(host: str) -> list[str]:
    labels = host.lower().strip(".").split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)] or [host.lower()]


def official_domain(db: Database, host: str) -> bool:
    """The host is an official domain, beneath one, or above one (blocking it would block the official one)."""
    host = host.lower().strip(".")
    parents = _parents(host)
    marks = ",".join("?" * len(parents))
    if db.execute(f"SELECT 1 FROM contacts WHERE kind IN ('domain', 'email_domain') AND value IN ({marks}) LIMIT 1",
                  parents).fetchone():
        return True
    below = db.execute(
        "SELECT 1 FROM contacts WHERE (kind IN ('domain', 'email_domain') AND (value = ? OR substr(value, -?) = ?))"
        " OR (kind = 'email' AND (substr(value, -?) = ? OR substr(value, -?) = ?)) LIMIT 1",
        [host, len(host) + 1, "." + host, len(host) + 1, "@" + host, len(host) + 1, "." + host]).fetchone()
    if below:
        return True
    return db.execute(f"SELECT 1 FROM contacts WHERE kind = 'email' AND substr(value, instr(value, '@') + 1)"
                      f" IN ({marks}) LIMIT 1", parents).fetchone() is not None


def official_phone(db: Database, value: str) -> bool:
    """An official number or short code (as written, or in its E.164 form)."""
    forms = list({value, normalise_phone(value) or value})
    marks = ",".join("?" * len(forms))
    return db.execute(f"SELECT 1 FROM contacts WHERE kind IN ('phone', 'short_code') AND value IN ({marks}) LIMIT 1",
                      forms).fetchone() is not None


def official_email(db: Database, address: str) -> bool:
    """An official sender address, or an address on an official (e-mail) domain."""
    address = address.lower()
    if db.execute("SELECT 1 FROM contacts WHERE kind = 'email' AND value = ? LIMIT 1", [address]).fetchone():
        return True
    return official_domain(db, address.rsplit("@", 1)[-1])


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def official_sender_id(db: Database, sender: str) -> bool:
    """An official SMS sender ID, or an institution's own name ("AMELI", "CPAM", "Doctolib") used as one."""
    key = _key(sender)
    if not key:
        return False
    if any(_key(r[0]) == key for r in db.execute("SELECT value FROM contacts WHERE kind = 'sms_sender'")):
        return True
    for name, short, aliases in db.execute("SELECT name, short_name, aliases FROM institutions"
                                           " WHERE coalesce(origin, '') NOT IN ('finess', 'annuaire')"):
        try:
            extra = json.loads(aliases or "[]")
        except ValueError:
            extra = []
        if key in {_key(x) for x in (name or "", short or "", *extra) if isinstance(x, str)}:
            return True
    for (domain,) in db.execute("SELECT value FROM contacts WHERE kind IN ('domain', 'email_domain')"
                                " AND institution_id IN (SELECT id FROM institutions"
                                " WHERE coalesce(origin, '') NOT IN ('finess', 'annuaire'))"):
        parts = split_host(domain)
        if parts and _key(parts.label) == key:
            return True
    return db.execute("SELECT 1 FROM name_keys WHERE key = ? LIMIT 1", [fold_compact(sender)]).fetchone() is not None
