"""Wiring: which store feeds which engine."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import sqlite_utils

from bot.triage import Triage
from nlp.analyse import Analyser
from nlp.cues import CueFinder
from nlp.registry_index import RegistryIndex
from review.lookup import CampaignLookup
from store import get_db
from store import registry as registry_store
from store.directory import SqliteDirectory


def prepare_db(path: Path) -> sqlite_utils.Database:
    """Open (creating or migrating) the database and load the seed registry when it changed."""
    db = get_db(path)
    registry_store.ensure_seed(db)
    registry_store.ensure_samples(db)
    return db


def build_triage(db: sqlite_utils.Database, *, cues: CueFinder | None = None) -> Triage:
    """The triage engine over the registry in `db` (pass `cues` to share loaded spaCy pipelines)."""
    data = registry_store.load(db)
    path = next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), "")
    directory = SqliteDirectory(path) if path else None
    index = RegistryIndex.build(data.institutions, data.indicators, directory)
    return Triage(Analyser(index, cues), data.leaks, data.reporting,
                  refresh=IndicatorRefresh(path, index) if path else None,
                  campaigns=CampaignLookup(path) if path else None)


class IndicatorRefresh:
    """Before each check, take in the indicators staff confirmed since the last one."""

    def __init__(self, path: str, index: RegistryIndex) -> None:
        self.path, self.index = path, index
        self._local = threading.local()
        self._version: tuple[object, ...] | None = None

    def __call__(self) -> None:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite_utils.Database(
                sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False))
        version = registry_store.indicators_version(db)
        if version != self._version:
            self.index.set_indicators(registry_store.load_indicators(db))
            self._version = version
