"""The establishment directory over SQLite: name keys built at import, read-only lookups."""
from __future__ import annotations

import json
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from sqlite_utils import Database

from store.db import ReadOnlyConnections

from nlp.directory import name_variants
from nlp.text import fold_compact
from nlp.types import Contact, Institution

DIRECTORY_ORIGINS = ("finess", "annuaire")
_MAX_KEYS_PER_QUERY = 400


def rebuild_name_keys(db: Database, since: str = "") -> int:
    """(Re)build the name keys of establishments updated at or after `since`; return keys written."""
    marks = ",".join("?" * len(DIRECTORY_ORIGINS))
    where = f"origin IN ({marks}) AND updated_at >= ?"
    params = [*DIRECTORY_ORIGINS, since]
    db.execute(f"DELETE FROM name_keys WHERE institution_id IN (SELECT id FROM institutions WHERE {where})",
               params)
    written = 0
    batch: list[tuple[str, str]] = []
    rows = db.execute(f"SELECT id, name, short_name, aliases FROM institutions WHERE {where} AND active = 1",
                      params)
    for inst_id, name, short_name, aliases in rows:
        for key in _keys(name, short_name, aliases):
            batch.append((key, inst_id))
        if len(batch) >= 20_000:
            written += _flush(db, batch)
    return written + _flush(db, batch)


def rebuild_name_keys_of(db: Database, ids: Iterable[str]) -> int:
    """(Re)build the name keys of these establishments (an import batch); return keys written."""
    ids, written = list(ids), 0
    origins = ",".join("?" * len(DIRECTORY_ORIGINS))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        where = f"id IN ({marks}) AND origin IN ({origins})"
        db.execute(f"DELETE FROM name_keys WHERE institution_id IN (SELECT id FROM institutions WHERE {where})",
                   [*chunk, *DIRECTORY_ORIGINS])
        batch = [(key, inst_id) for inst_id, name, short_name, aliases in db.execute(
            f"SELECT id, name, short_name, aliases FROM institutions WHERE {where} AND active = 1",
            [*chunk, *DIRECTORY_ORIGINS]).fetchall() for key in row_keys(name, short_name, aliases)]
        written += _flush(db, batch)
    return written


def _flush(db: Database, batch: list[tuple[str, str]]) -> int:
    db.conn.executemany("INSERT OR IGNORE INTO name_keys (key, institution_id) VALUES (?, ?)", batch)
    n = len(batch)
    batch.clear()
    return n


@lru_cache(maxsize=8192)
def row_keys(name: str, short_name: str, aliases: str) -> frozenset[str]:
    """The name keys of one establishment row, remembered: an import computes them before it takes the
    write lock, so the batch that writes the row only looks them up."""
    return frozenset(_keys(name, short_name, aliases))


def _keys(name: str, short_name: str, aliases: str) -> set[str]:
    keys: set[str] = set()
    for raw in (name, short_name):
        if raw:
            keys |= name_variants(fold_compact(raw))
    for alias in json.loads(aliases or "[]")[:50]:  # practitioners of a site: "Dr Claire Martin"
        folded = fold_compact(alias)
        keys |= name_variants(folded)
        words = folded.split()
        if len(words) >= 3 and words[0] in ("dr", "docteur"):
            keys |= name_variants(f"{words[0]} {words[-1]}")  # "Dr Martin"
    return keys


class SqliteDirectory:
    """`nlp.directory.Directory` over the database file, one read-only connection per thread."""

    def __init__(self, path: str | Path) -> None:
        self._connections = ReadOnlyConnections(path)
        self.get = lru_cache(maxsize=4096)(self._get)  # type: ignore[method-assign]

    def _conn(self) -> sqlite3.Connection:
        return self._connections.get().conn

    def by_keys(self, keys: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Institution ids for each name key found."""
        wanted = list(dict.fromkeys(keys))[:_MAX_KEYS_PER_QUERY]
        if not wanted:
            return {}
        found: dict[str, list[str]] = {}
        sql = f"SELECT key, institution_id FROM name_keys WHERE key IN ({','.join('?' * len(wanted))})"
        for key, inst_id in self._conn().execute(sql, wanted):
            found.setdefault(key, []).append(inst_id)
        return {k: tuple(sorted(v)) for k, v in found.items()}

    def by_phone(self, number: str) -> tuple[str, ...]:
        """Establishments whose official number this is."""
        rows = self._conn().execute(
            "SELECT c.institution_id FROM contacts c JOIN institutions i ON i.id = c.institution_id "
            "WHERE c.kind = 'phone' AND c.value = ? AND i.active = 1 AND i.origin IN ('finess', 'annuaire') "
            "ORDER BY c.institution_id LIMIT 20", [number])
        return tuple(r[0] for r in rows)

    def _get(self, inst_id: str) -> Institution | None:
        conn = self._conn()
        row = conn.execute("SELECT id, name, kind, country, town, department, finess FROM institutions "
                           "WHERE id = ? AND active = 1", [inst_id]).fetchone()
        if row is None:
            return None
        contacts = tuple(
            Contact(kind, value, source or "", checked or "", "", bool(primary))
            for kind, value, source, checked, primary in conn.execute(
                "SELECT kind, value, source, checked, is_primary FROM contacts WHERE institution_id = ? "
                "ORDER BY is_primary DESC, id", [inst_id])
        )
        return _institution(row, contacts)


def _institution(row: tuple[Any, ...], contacts: tuple[Contact, ...]) -> Institution:
    inst_id, name, kind, country, town, department, finess = row
    return Institution(id=inst_id, name=_title(name), kind=kind or "establishment", country=country or "FR",
                       contacts=contacts, town=town or "", department=department or "", finess=finess or "")


def _title(name: str) -> str:
    """FINESS names are upper-case: 'CENTRE HOSPITALIER DE BELFORT' -> 'Centre Hospitalier de Belfort'."""
    if not name.isupper():
        return name
    small = {"de", "du", "des", "la", "le", "les", "et", "d", "l", "en", "sur", "sous", "aux", "au"}
    def cap(word: str, first: bool) -> str:
        if "-" in word:
            return "-".join(cap(part, first and i == 0) for i, part in enumerate(word.split("-")))
        return word if (not first and word in small) else word[:1].upper() + word[1:]

    return " ".join(cap(w, i == 0) for i, w in enumerate(name.lower().split()))
