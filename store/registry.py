"""The official contact registry: the sourced seed files, and loading it all as plain objects."""
from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from typing import Any, Iterable

from sqlite_utils import Database

from nlp.types import Contact, Indicator, Institution, Leak


class RegistryFileError(ValueError):
    """A registry data file is malformed."""


@dataclass(frozen=True)
class ReportingChannel:
    """Where a patient can report a scam (33700, Signal Spam, ...)."""

    id: str
    name: str
    value: str
    channels: tuple[str, ...]
    country: str
    source: str


@dataclass(frozen=True)
class RegistryData:
    """Everything the engine needs from the registry, as plain objects."""

    institutions: tuple[Institution, ...]
    leaks: tuple[Leak, ...]
    reporting: tuple[ReportingChannel, ...]
    indicators: tuple[Indicator, ...]


def _data_file(name: str) -> dict[str, Any]:
    raw = resources.files("store").joinpath("data", name).read_bytes()
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RegistryFileError(f"store/data/{name}: {exc}") from exc


def seed_documents() -> tuple[dict[str, Any], dict[str, Any]]:
    """The parsed seed files (registry.toml, leaks.toml)."""
    return _data_file("registry.toml"), _data_file("leaks.toml")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def seed_version() -> str:
    """A hash of the seed files, to reload them only when they changed."""
    digest = hashlib.sha256()
    for name in ("registry.toml", "leaks.toml"):
        digest.update(resources.files("store").joinpath("data", name).read_bytes())
    return digest.hexdigest()[:16]


def ensure_seed(db: Database) -> bool:
    """Load the seed files if this database has not seen this version of them."""
    version = seed_version()
    row = db.execute("SELECT value FROM meta WHERE key = 'seed_version'").fetchone()
    if row and row[0] == version:
        return False
    sync_seed(db)
    db["meta"].upsert({"key": "seed_version", "value": version}, pk="key")
    return True


def ensure_samples(db: Database) -> bool:
    """On a registry with no establishment yet, import the real FINESS / Annuaire rows shipped as samples."""
    from store.annuaire import import_annuaire  # noqa: PLC0415 - importers load only when needed
    from store.finess import import_finess  # noqa: PLC0415

    if db.execute("SELECT 1 FROM institutions WHERE origin IN ('finess', 'annuaire') LIMIT 1").fetchone():
        return False
    data = resources.files("store").joinpath("data")
    with resources.as_file(data.joinpath("finess-sample.csv")) as path:
        import_finess(db, path, partial=True)
    with resources.as_file(data.joinpath("annuaire-sample.txt")) as path:
        import_annuaire(db, path, partial=True)
    return True


def sync_seed(db: Database) -> int:
    """Load the seed files into the database (idempotent); return the institution count."""
    registry, leaks = seed_documents()
    now = _now()
    with db.atomic():
        db.execute("DELETE FROM contacts WHERE origin = 'seed'")
        institutions = registry.get("institution", [])
        for inst in institutions:
            db["institutions"].upsert(_institution_row(inst, now), pk="id")
            rows = [_contact_row(inst["id"], c) for c in inst.get("contact", [])]
            if rows:
                db["contacts"].insert_all(rows, replace=True)
        db["reporting"].upsert_all(
            [_reporting_row(r) for r in registry.get("reporting", [])], pk="id"
        )
        db["leaks"].upsert_all([_leak_row(r) for r in leaks.get("leak", [])], pk="id")
    return len(institutions)


def _institution_row(inst: dict[str, Any], now: str) -> dict[str, Any]:
    return {
        "id": inst["id"], "name": inst["name"], "short_name": inst.get("short_name", ""),
        "kind": inst.get("kind", "national"), "country": inst.get("country", "FR"),
        "town": inst.get("town", ""), "department": inst.get("department", ""),
        "finess": inst.get("finess", ""),
        "aliases": json.dumps(inst.get("aliases", []), ensure_ascii=False),
        "never_asks": json.dumps([p["code"] for p in inst.get("policy", [])]),
        "origin": "seed", "active": 1, "updated_at": now,
    }


def _contact_row(inst_id: str, c: dict[str, Any]) -> dict[str, Any]:
    return {
        "institution_id": inst_id, "kind": c["kind"], "value": c["value"],
        "source": c.get("source", ""), "checked": c.get("checked", ""), "note": c.get("note", ""),
        "is_primary": int(bool(c.get("primary"))), "origin": "seed",
    }


def _reporting_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"], "name": r["name"], "value": r["value"],
        "channels": json.dumps(r.get("channels", ["all"])), "country": r.get("country", "FR"),
        "source": r.get("source", ""), "checked": r.get("checked", ""),
    }


def _leak_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"], "establishment": r["establishment"],
        "institution_ids": json.dumps(r.get("institution_ids", [])), "date": r.get("date", ""),
        "data": json.dumps(r.get("data", []), ensure_ascii=False), "records": r.get("records"),
        "status": r.get("status", "claimed"), "statement": r.get("statement", ""),
        "sources": json.dumps(r.get("sources", [])), "checked": r.get("checked", ""),
    }


def load(db: Database) -> RegistryData:
    """Read the whole registry from the database as plain objects."""
    contacts: dict[str, list[Contact]] = {}
    for row in db.query("SELECT c.* FROM institutions i JOIN contacts c ON c.institution_id = i.id "
                        "WHERE i.origin NOT IN ('finess', 'annuaire') ORDER BY c.is_primary DESC, c.id"):
        contacts.setdefault(row["institution_id"], []).append(
            Contact(row["kind"], row["value"], row["source"] or "", row["checked"] or "",
                    row["note"] or "", bool(row["is_primary"]))
        )
    leaks = tuple(_leak(r) for r in db.query("SELECT * FROM leaks ORDER BY date"))
    leaks_by_inst: dict[str, list[str]] = {}
    for leak in leaks:
        for iid in leak.institution_ids:
            leaks_by_inst.setdefault(iid, []).append(leak.id)
    institutions = tuple(
        _institution(r, contacts.get(r["id"], []), leaks_by_inst.get(r["id"], []))
        # FINESS / Annuaire establishments stay in SQLite (store.directory), asked on demand.
        for r in db.query("SELECT * FROM institutions WHERE active = 1 "
                          "AND origin NOT IN ('finess', 'annuaire') ORDER BY id")
    )
    return RegistryData(
        institutions=institutions,
        leaks=leaks,
        reporting=tuple(_reporting(r) for r in db.query("SELECT * FROM reporting ORDER BY rowid")),
        indicators=load_indicators(db),
    )


def load_indicators(db: Database) -> tuple[Indicator, ...]:
    """Staff-confirmed indicators (the blocklist and allowlist)."""
    return tuple(
        Indicator(r["kind"], r["value"], r["verdict"], r["decided_at"] or "", r["campaign_id"] or "")
        for r in db.query("SELECT * FROM indicators ORDER BY id")
    )


def indicators_version(db: Database) -> tuple[Any, ...]:
    """Changes whenever staff add, change or remove an indicator (cheap to ask before each check)."""
    return tuple(db.execute("SELECT count(*), max(id), max(decided_at) FROM indicators").fetchone())


def _institution(row: dict[str, Any], contacts: Iterable[Contact], leak_ids: list[str]) -> Institution:
    return Institution(
        id=row["id"], name=row["name"], kind=row["kind"] or "national", country=row["country"] or "FR",
        aliases=tuple(json.loads(row["aliases"] or "[]")), contacts=tuple(contacts),
        never_asks=tuple(json.loads(row["never_asks"] or "[]")), town=row["town"] or "",
        department=row["department"] or "", finess=row["finess"] or "", leak_ids=tuple(leak_ids),
    )


def _leak(row: dict[str, Any]) -> Leak:
    return Leak(
        id=row["id"], establishment=row["establishment"], date=row["date"] or "",
        data=tuple(json.loads(row["data"] or "[]")), status=row["status"] or "claimed",
        statement=row["statement"] or "", sources=tuple(json.loads(row["sources"] or "[]")),
        institution_ids=tuple(json.loads(row["institution_ids"] or "[]")),
    )


def _reporting(row: dict[str, Any]) -> ReportingChannel:
    return ReportingChannel(
        id=row["id"], name=row["name"], value=row["value"],
        channels=tuple(json.loads(row["channels"] or "[]")), country=row["country"] or "FR",
        source=row["source"] or "",
    )
