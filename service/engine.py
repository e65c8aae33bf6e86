"""The engine: which store feeds which triage (built once per process, refreshed before each check)."""
from __future__ import annotations

from typing import Mapping

import sqlite_utils

from bot import scorer, wording
from bot.conversation import Checks
from bot.triage import Triage
from config.settings import Settings
from nlp.analyse import Analyser
from nlp.cues import CueFinder
from nlp.registry_index import RegistryIndex
from service.intake import Intake
from service.outbound import Sender
from service.refresh import CampaignLookup, RegistryRefresh
from service.setup import data_keys, prepare, prepare_db, require_secrets
from store import registry as registry_store
from store.directory import SqliteDirectory


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


def triage_from_env() -> Triage:
    """The engine over the database the environment names (`VIGIE_DB`): what the CLI checks with."""
    return build_triage(prepare_db(Settings.from_env().db_path))


def build_intake(settings: Settings, senders: Mapping[str, Sender], *, triage: Checks | None = None) -> Intake:
    """The intake core (the web app, `vigie telegram-poll` and `vigie ingest-email`), over a migrated database."""
    require_secrets(settings)
    db = prepare(settings.db_path)
    try:
        triage = triage or build_triage(db)
    finally:
        db.conn.close()
    return Intake(settings, triage, data_keys(settings), senders)
