"""Wiring: which store feeds which engine."""
from __future__ import annotations

from pathlib import Path

import sqlite_utils

from bot.triage import Triage
from nlp.analyse import Analyser
from nlp.registry_index import RegistryIndex
from store import get_db
from store import registry as registry_store
from store.directory import SqliteDirectory


def prepare_db(path: Path) -> sqlite_utils.Database:
    """Open (creating or migrating) the database and load the seed registry when it changed."""
    db = get_db(path)
    registry_store.ensure_seed(db)
    registry_store.ensure_samples(db)
    return db


def build_triage(db: sqlite_utils.Database) -> Triage:
    """The triage engine over the registry in `db`."""
    data = registry_store.load(db)
    path = next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), "")
    directory = SqliteDirectory(path) if path else None
    index = RegistryIndex.build(data.institutions, data.indicators, directory)
    return Triage(Analyser(index), data.leaks, data.reporting)
