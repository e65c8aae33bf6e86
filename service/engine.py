"""The engine: which store feeds which triage (built once per process, refreshed before each check)."""
from __future__ import annotations

from pathlib import Path

import sqlite_utils

from bot import scorer, wording
from bot.triage import Triage
from nlp.analyse import Analyser
from nlp.cues import CueFinder
from nlp.registry_index import RegistryIndex
from service.refresh import CampaignLookup, RegistryRefresh
from store import get_db
from store import registry as registry_store
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
