"""Staff accounts: e-mail, argon2 password hash, role."""
from __future__ import annotations

import secrets
import sqlite3

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from store import clock
from store.refusal import Refusal

ROLES = ("reviewer", "admin")
_HASHER = PasswordHasher()  # the one password hasher: accounts, sign-in, rehash


class StaffError(Refusal):
    """A staff account could not be created or changed (the sentence is in store/texts/refusals.toml)."""


def hash_password(password: str) -> str:
    """The argon2id hash of a password."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when `password` matches `stored_hash` (a malformed hash never matches)."""
    try:
        return _HASHER.verify(stored_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored_hash)


def generate_password() -> str:
    """A random password to print once."""
    return secrets.token_urlsafe(15)


def add(db: Database, email: str, role: str, password: str) -> int:
    """Create a staff account; returns its id."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise StaffError("staff_not_email", email=email[:80])
    if role not in ROLES:
        raise StaffError("staff_role", role=str(role)[:30], roles=", ".join(ROLES))
    if len(password) < 8:
        raise StaffError("staff_short_password")
    try:
        with db.atomic():
            cur = db.execute("INSERT INTO staff (email, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
                             [email, hash_password(password), role, clock.iso(clock.now())])
    except sqlite3.IntegrityError:
        raise StaffError("staff_exists", email=email) from None
    return int(cur.lastrowid)


def id_of(db: Database, email: str) -> int:
    """The id of the account with this e-mail address."""
    row = db.execute("SELECT id FROM staff WHERE email = ?", [email.strip().lower()]).fetchone()
    if row is None:
        raise StaffError("staff_unknown_email", email=email.strip().lower()[:80])
    return int(row[0])


def count(db: Database, role: str | None = None) -> int:
    """How many staff accounts (of a role)."""
    if role:
        return db.execute("SELECT count(*) FROM staff WHERE role = ?", [role]).fetchone()[0]
    return db.execute("SELECT count(*) FROM staff").fetchone()[0]


def session_version(db: Database, staff_id: int) -> int | None:
    """The account's session version (None when there is no such account); a session is valid only with it."""
    row = db.execute("SELECT session_version FROM staff WHERE id = ?", [staff_id]).fetchone()
    return int(row[0]) if row else None


def end_sessions(db: Database, staff_id: int) -> None:
    """End every session of the account (logout, password change): its session version moves on."""
    with db.atomic():
        db.execute("UPDATE staff SET session_version = session_version + 1 WHERE id = ?", [staff_id])


def set_password(db: Database, staff_id: int, password: str) -> None:
    """Change an account's password, lift its lock and end every session it has open."""
    if len(password) < 8:
        raise StaffError("staff_short_password")
    with db.atomic():
        changed = db.execute("UPDATE staff SET password_hash = ?, failed_logins = 0, locked_until = NULL,"
                             " session_version = session_version + 1 WHERE id = ?",
                             [hash_password(password), staff_id]).rowcount
    if not changed:
        raise StaffError("staff_unknown_id", staff_id=staff_id)


LANGS = ("fr", "en")  # the desk's languages (review/texts/<lang>.toml)


def set_lang(db: Database, staff_id: int, lang: str) -> bool:
    """Set the language the desk speaks to this account; False for an unknown language or account."""
    if lang not in LANGS:
        return False
    with db.atomic():
        return db.execute("UPDATE staff SET lang = ? WHERE id = ?", [lang, staff_id]).rowcount == 1
