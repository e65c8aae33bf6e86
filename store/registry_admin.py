"""Registry changes by admins: sourced and dated official contacts, staff institutions, proposals accepted or rejected.

Every change names the https page that states it and the day it was checked, and is written to the audit log.
Seed, FINESS and Annuaire rows are never edited here (the next seed load or import would undo it): staff add
their own contact (origin 'staff') beside them, which imports and seed loads leave alone.
"""
from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from typing import Any

from sqlite_utils import Database

from store import audit, clock
from store.db import immediate
from store.registry_input import (  # noqa: F401 - part of this module's interface
    KINDS, ContactInput, RegistryAdminError, UnknownEntry, check_date, check_source, normalise,
)

INSTITUTION_KINDS = ("national", "establishment", "practice", "lab", "other_public", "foreign")
ORIGINS = ("seed", "staff", "finess", "annuaire")
SEARCH_LIMIT = 50
MAX_NOTE = 500
# Audit actions that change the registry (the history of one institution is read back from them).
ACTIONS = ("registry_contact_add", "registry_contact_edit", "registry_contact_remove",
           "registry_institution_add", "proposal_accept", "proposal_reject")


def search(db: Database, query: str = "", origin: str = "", limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Institutions by name, alias, id, FINESS number or town; without a query, the national and staff ones."""
    query, where, args = (query or "").strip()[:100], [], []
    if origin in ORIGINS:
        where.append("i.origin = ?")
        args.append(origin)
    if query:
        like = f"%{query.lower()}%"
        where.append("(lower(i.name) LIKE ? OR lower(i.aliases) LIKE ? OR lower(i.town) LIKE ? OR i.finess = ?"
                     " OR i.finess_ej = ? OR i.id = ? OR i.postcode = ?)")
        args += [like, like, like, query, query, query, query]
    elif origin not in ORIGINS:
        where.append("i.origin IN ('seed', 'staff')")
    sql = ("SELECT i.id, i.name, i.kind, i.origin, i.town, i.postcode, i.finess, i.active,"
           " (SELECT count(*) FROM contacts c WHERE c.institution_id = i.id) AS contacts,"
           " (SELECT count(*) FROM contacts c WHERE c.institution_id = i.id AND c.origin = 'staff') AS staff_contacts"
           f" FROM institutions i {'WHERE ' + ' AND '.join(where) if where else ''}"
           " ORDER BY i.origin IN ('finess', 'annuaire'), i.name LIMIT ?")
    return list(db.query(sql, [*args, limit]))


def institution(db: Database, inst_id: str) -> dict[str, Any]:
    """One institution as stored (every column)."""
    rows = list(db.query("SELECT * FROM institutions WHERE id = ?", [inst_id]))
    if not rows:
        raise UnknownEntry("registry_institution_unknown", inst_id=inst_id[:80])
    return rows[0]


def contacts(db: Database, inst_id: str) -> list[dict[str, Any]]:
    """The contacts of one institution: imported or seeded first, then staff ones; primary first."""
    return list(db.query("SELECT * FROM contacts WHERE institution_id = ? ORDER BY origin = 'staff', kind,"
                         " is_primary DESC, id", [inst_id]))


def contact(db: Database, contact_id: int) -> dict[str, Any]:
    """One contact by id."""
    rows = list(db.query("SELECT * FROM contacts WHERE id = ?", [contact_id]))
    if not rows:
        raise UnknownEntry("registry_contact_unknown", contact_id=contact_id)
    return rows[0]


def add_contact(db: Database, inst_id: str, entry: ContactInput, actor: str) -> int:
    """Add a staff contact (sourced and dated) to an institution; returns its id."""
    institution(db, inst_id)
    row = _checked_row(entry)
    with immediate(db):  # the contact, its audit entry and the version bump: all or nothing
        try:
            contact_id = int(db.execute(
                "INSERT INTO contacts (institution_id, kind, value, source, checked, note, is_primary, origin)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'staff')",
                [inst_id, row["kind"], row["value"], row["source"], row["checked"], row["note"],
                 int(row["primary"])]).lastrowid)
        except sqlite3.IntegrityError:
            raise _duplicate(row) from None
        _audit(db, actor, "registry_contact_add", institution=inst_id, contact=contact_id, after=row)
    return contact_id


def edit_contact(db: Database, contact_id: int, entry: ContactInput, actor: str) -> str:
    """Change a staff contact (a new source and date are required); returns its institution id."""
    before = _staff_contact(db, contact_id)
    row = _checked_row(ContactInput(before["kind"], entry.value, entry.source, entry.checked, entry.note,
                                    entry.primary))
    with immediate(db):
        try:
            db.execute("UPDATE contacts SET value = ?, source = ?, checked = ?, note = ?, is_primary = ? WHERE id = ?",
                       [row["value"], row["source"], row["checked"], row["note"], int(row["primary"]), contact_id])
        except sqlite3.IntegrityError:
            raise _duplicate(row) from None
        _audit(db, actor, "registry_contact_edit", institution=before["institution_id"], contact=contact_id,
               before=_public(before), after=row)
    return str(before["institution_id"])


def remove_contact(db: Database, contact_id: int, source: str, checked: str, actor: str) -> str:
    """Remove a staff contact, naming the page that shows it is no longer valid; returns its institution id."""
    before = _staff_contact(db, contact_id)
    why = {"source": check_source(source), "checked": check_date(checked)}
    with immediate(db):
        db.execute("DELETE FROM contacts WHERE id = ?", [contact_id])
        _audit(db, actor, "registry_contact_remove", institution=before["institution_id"], contact=contact_id,
               before=_public(before), after=why)
    return str(before["institution_id"])


def add_institution(db: Database, name: str, kind: str, town: str, source: str, checked: str, actor: str) -> str:
    """Create a staff institution (origin 'staff') from a source page; returns its id."""
    name, town = " ".join((name or "").split()), " ".join((town or "").split())
    if not name or len(name) > 200:
        raise RegistryAdminError("registry_name")
    if kind not in INSTITUTION_KINDS:
        raise RegistryAdminError("registry_institution_kind", kind=kind[:30], kinds=", ".join(INSTITUTION_KINDS))
    why = {"source": check_source(source), "checked": check_date(checked)}
    plain = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60] or "etablissement"
    with immediate(db):  # the free id is chosen under the write lock
        inst_id, n = f"staff:{slug}", 1
        while db.execute("SELECT 1 FROM institutions WHERE id = ?", [inst_id]).fetchone():
            n += 1
            inst_id = f"staff:{slug}-{n}"
        db.execute("INSERT INTO institutions (id, name, short_name, kind, country, town, department, finess, aliases,"
                   " never_asks, origin, active, updated_at) VALUES (?, ?, '', ?, 'FR', ?, '', '', '[]', '[]',"
                   " 'staff', 1, ?)", [inst_id, name, kind, town[:100], clock.iso(clock.now())])
        _audit(db, actor, "registry_institution_add", institution=inst_id,
               after={"name": name, "kind": kind, "town": town[:100], **why})
    return inst_id


def accept_proposal(db: Database, proposal_id: int, actor: str, inst_id: str = "", checked: str = "") -> int:
    """A reviewer's proposed contact becomes a staff contact (its source and date kept); returns the contact id."""
    p = _pending(db, proposal_id)
    target = (inst_id or "").strip() or p["institution_id"] or ""
    if not target:
        raise RegistryAdminError("registry_proposal_without_institution")
    note = f"Proposé par {p['proposed_by']} (cas #{p['case_id']}). {p['note'] or ''}".strip()
    with immediate(db):
        _pending(db, proposal_id)  # still pending under the lock (a concurrent twin accept is refused)
        contact_id = add_contact(db, target, ContactInput(str(p["kind"]), str(p["value"]), str(p["source"]),
                                                          (checked or "").strip() or str(p["proposed_at"])[:10],
                                                          note[:MAX_NOTE]), actor)
        _settle(db, proposal_id, "accepted", actor)
        _audit(db, actor, "proposal_accept", institution=target, contact=contact_id, proposal=proposal_id)
    return contact_id


def reject_proposal(db: Database, proposal_id: int, actor: str, reason: str) -> None:
    """Turn a proposed contact down, with the reason."""
    p = _pending(db, proposal_id)
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > MAX_NOTE:
        raise RegistryAdminError("registry_refusal_note", max_note=MAX_NOTE)
    with immediate(db):
        _pending(db, proposal_id)  # still pending under the lock
        _settle(db, proposal_id, "rejected", actor)
        _audit(db, actor, "proposal_reject", institution=p["institution_id"], proposal=proposal_id,
               after={"kind": p["kind"], "value": p["value"], "reason": reason})


def history(db: Database, inst_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """The registry changes of one institution, latest first (read from the audit log)."""
    marks = ",".join("?" * len(ACTIONS))
    return list(db.query(
        f"SELECT id, at, actor, action, detail FROM audit WHERE action IN ({marks})"
        " AND json_valid(detail) AND json_extract(detail, '$.institution') = ? ORDER BY id DESC LIMIT ?",
        [*ACTIONS, inst_id, limit]))


def import_status(db: Database, limit: int = 12) -> list[dict[str, Any]]:
    """The latest FINESS / Annuaire imports: file, counts, status and errors."""
    return list(db.query("SELECT * FROM imports ORDER BY id DESC LIMIT ?", [limit]))


def contacts_version(db: Database) -> tuple[Any, ...]:
    """Changes whenever staff change a contact or the seed files are reloaded (two key lookups)."""
    return tuple(db.execute("SELECT (SELECT value FROM meta WHERE key = 'contacts_version'), "
                            "(SELECT value FROM meta WHERE key = 'seed_version')").fetchone())


def _checked_row(entry: ContactInput) -> dict[str, Any]:
    note = " ".join((entry.note or "").split())
    if len(note) > MAX_NOTE:
        raise RegistryAdminError("registry_note_long", max_note=MAX_NOTE)
    return {"kind": entry.kind, "value": normalise(entry.kind, entry.value), "source": check_source(entry.source),
            "checked": check_date(entry.checked), "note": note, "primary": bool(entry.primary)}


def _staff_contact(db: Database, contact_id: int) -> dict[str, Any]:
    row = contact(db, contact_id)
    if row["origin"] != "staff":
        raise RegistryAdminError("registry_contact_loaded", contact_id=contact_id, origin=row["origin"])
    return row


def _pending(db: Database, proposal_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM proposals WHERE id = ?", [proposal_id]))
    if not rows:
        raise UnknownEntry("registry_proposal_unknown", proposal_id=proposal_id)
    if rows[0]["status"] != "pending":
        raise RegistryAdminError("registry_proposal_done", proposal_id=proposal_id, status=rows[0]["status"])
    return rows[0]


def _settle(db: Database, proposal_id: int, status: str, actor: str) -> None:
    with db.atomic():
        db.execute("UPDATE proposals SET status = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ?",
                   [status, actor, clock.iso(clock.now()), proposal_id])


def _duplicate(row: dict[str, Any]) -> RegistryAdminError:
    return RegistryAdminError("registry_contact_duplicate", kind=row["kind"], value=row["value"])


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("kind", "value", "source", "checked", "note", "is_primary")}


def _audit(db: Database, actor: str, action: str, **detail: Any) -> None:
    with db.atomic():  # the entry and the version bump engines compare before each check, together
        audit.record(db, actor, action, json.dumps({k: v for k, v in detail.items() if v is not None},
                                                   ensure_ascii=False, default=str))
        db.execute("INSERT INTO meta (key, value) VALUES ('contacts_version', '1') ON CONFLICT(key) "
                   "DO UPDATE SET value = CAST(value AS INTEGER) + 1")

