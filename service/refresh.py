"""Refresh the engine from staff changes before each check: new indicators and official contacts,
and the campaigns a person settled (has this wording already been decided?)."""
from __future__ import annotations

import threading

import sqlite_utils

from bot import campaigns as fingerprints
from nlp.analyse import Analyser
from nlp.registry_index import RegistryIndex
from store import campaigns as store
from store import registry as registry_store
from store import registry_admin
from store.db import ReadOnlyConnections


class CampaignLookup:
    """A message's fingerprint -> (verdict, decided_at, the campaign's indicators) of a decided campaign with
    the same shape and close wording (the indicators only for a campaign decided legitimate)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._connections = ReadOnlyConnections(path)
        self._lock = threading.Lock()
        self._version: tuple[object, ...] | None = None
        self._decided: dict[str, tuple[str, str, frozenset[tuple[str, str]]]] = {}
        self._by_shape: dict[str, dict[str, str]] = {}

    def __call__(self, fp: fingerprints.Fingerprint) -> tuple[str, str, frozenset[tuple[str, str]]] | None:
        self.refresh()
        if not self._decided:
            return None
        if not fp.wording_counts:
            return None  # a bare link or number: the blocklist answers for it, not the wording
        hit = self._decided.get(fp.key)
        if hit is None:
            key = fingerprints.best_match(fp, self._by_shape.get(fp.shape, {}))
            hit = self._decided.get(key) if key else None
        return hit

    def refresh(self) -> None:
        """Reload the decided texts when a decision was taken since the last call (one cheap query otherwise)."""
        db = self._connections.get()
        version = store.decisions_version(db)
        if version == self._version:
            return
        with self._lock:
            decided: dict[str, tuple[str, str, frozenset[tuple[str, str]]]] = {}
            by_shape: dict[str, dict[str, str]] = {}
            genuine = store.genuine_indicators(db)
            for key, shape, text, verdict, decided_at, campaign_id in store.decided_texts(db):
                decided[key] = (verdict, decided_at, genuine.get(campaign_id, frozenset()))
                by_shape.setdefault(shape, {})[key] = text
            self._decided, self._by_shape, self._version = decided, by_shape, version


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
