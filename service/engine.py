"""Wiring: which store feeds which engine."""
from __future__ import annotations

from pathlib import Path

import sqlite_utils

from bot import scorer, wording
from bot.triage import Triage
from nlp.analyse import Analyser
from nlp.cues import CueFinder
from nlp.registry_index import RegistryIndex
from review.lookup import CampaignLookup
from store import get_db
from store import registry as registry_store
from store import registry_admin
from store.db import ReadOnlyConnections
from store.directory import SqliteDirectory


def prepare_db(path: Path) -> sqlite_utils.Database:
    """Open (creating or migrating) the database and load the seed registry when it changed."""
    db = get_db(path)
    registry_store.ensure_seed(db)
    registry_store.ensure_samples(db)
    return db


def build_triage(db: sqlite_utils.Database, *, cues: CueFinder | None = None, learned: bool = True) -> Triage:
    """The triage engine over the registry in `db` (pass `cues` to share loaded spaCy pipelines).

    `learned=False` leaves out the shipped text model and learned combination (for training them).
    """
    data = registry_store.load(db)
    path = next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), "")
    directory = SqliteDirectory(path) if path else None
    analyser = Analyser(RegistryIndex.build(data.institutions, data.indicators, directory), cues)
    return Triage(analyser, data.leaks, data.reporting,
                  refresh=RegistryRefresh(path, analyser, db) if path else None,
                  campaigns=CampaignLookup(path) if path else None,
                  wording=wording.shipped() if learned else None, scorer=scorer.shipped() if learned else None)


class RegistryRefresh:
    """Before each check, take in what staff changed since the last one: indicators, official contacts."""

    def __init__(self, path: str, analyser: Analyser, db: sqlite_utils.Database) -> None:
        self.analyser = analyser
        self._connections = ReadOnlyConnections(path)
        self._indicators = registry_store.indicators_version(db)
        self._contacts = registry_admin.contacts_version(db)

    def __call__(self) -> None:
        db = self._connections.get()
        contacts = registry_admin.contacts_version(db)
        if contacts != self._contacts:  # a new official contact: rebuild the (small) national index
            old = self.analyser.index
            data = registry_store.load(db)
            clear = getattr(getattr(old.directory, "get", None), "cache_clear", None)
            if clear is not None:  # the directory caches establishments with their contacts
                clear()
            self.analyser.index = RegistryIndex.build(data.institutions, data.indicators, old.directory)
            self._contacts, self._indicators = contacts, registry_store.indicators_version(db)
            return
        indicators = registry_store.indicators_version(db)
        if indicators != self._indicators:
            self.analyser.index.set_indicators(registry_store.load_indicators(db))
            self._indicators = indicators
