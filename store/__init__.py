"""SQLite storage through sqlite-utils: registry, cases, campaigns, outbox, audit (knows SQL, not HTTP)."""
from store.db import StoreError, connect, get_db, migrate

__all__ = ["StoreError", "connect", "get_db", "migrate"]
