"""Wiring: which store feeds which engine."""
from __future__ import annotations

from pathlib import Path

import sqlite_utils

from bot.triage import Triage
from nlp.analyse import Analyser
from nlp.registry_index import RegistryIndex
from store import get_db
from store import registry as registry_store


def prepare_db(path: Path) -> sqlite_utils.Database:
    """Open (creating or migrating) the database and load the seed registry when it changed."""
    db = get_db(path)
    registry_store.ensure_seed(db)
    return db


def build_triage(db: sqlite_utils.Database) -> Triage:
    """The triage engine over the registry in `db`."""
    data = registry_store.load(db)
    index = RegistryIndex.build(data.institutions, data.indicators)
    return Triage(Analyser(index), data.leaks, data.reporting)
