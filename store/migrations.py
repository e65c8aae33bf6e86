"""Ordered schema migrations. Never edit one after release: add a new one at the end."""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("vigie")


@MIGRATIONS(name="0001_registry")
def _registry(db: Database) -> None:
    db["institutions"].create(
        {
            "id": str, "name": str, "short_name": str, "kind": str, "country": str,
            "town": str, "department": str, "postcode": str, "address": str,
            "category": str, "finess": str, "finess_ej": str, "aliases": str,
            "never_asks": str, "origin": str, "active": int, "updated_at": str,
        },
        pk="id",
        defaults={"active": 1, "country": "FR", "aliases": "[]", "never_asks": "[]"},
    )
    db["institutions"].create_index(["origin"])
    db["institutions"].create_index(["finess"])
    db["contacts"].create(
        {
            "id": int, "institution_id": str, "kind": str, "value": str, "source": str,
            "checked": str, "note": str, "is_primary": int, "origin": str,
        },
        pk="id",
        foreign_keys=[("institution_id", "institutions", "id")],
        defaults={"is_primary": 0},
    )
    db["contacts"].create_index(["institution_id", "kind", "value"], unique=True)
    db["contacts"].create_index(["kind", "value"])
    db["leaks"].create(
        {
            "id": str, "establishment": str, "institution_ids": str, "date": str, "data": str,
            "records": int, "status": str, "statement": str, "sources": str, "checked": str,
        },
        pk="id",
    )
    db["reporting"].create(
        {"id": str, "name": str, "value": str, "channels": str, "country": str,
         "source": str, "checked": str},
        pk="id",
    )
    db["indicators"].create(
        {"id": int, "kind": str, "value": str, "verdict": str, "decided_at": str,
         "campaign_id": str, "note": str},
        pk="id",
    )
    db["indicators"].create_index(["kind", "value"], unique=True)
    db["meta"].create({"key": str, "value": str}, pk="key")


@MIGRATIONS(name="0002_registry_imports")
def _registry_imports(db: Database) -> None:
    # import_hash lets a re-import tell "unchanged" from "changed" without reloading every row.
    db["institutions"].add_column("import_hash", str)
    db["imports"].create(
        {
            "id": int, "file": str, "kind": str, "status": str, "started_at": str,
            "finished_at": str, "rows": int, "added": int, "changed": int, "unchanged": int,
            "closed": int, "errors": int, "warnings": int, "message": str,
        },
        pk="id",
    )
