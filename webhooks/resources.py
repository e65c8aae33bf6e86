"""Per-request resources: `get_db()` (one SQLite connection per worker thread) and `get_intake()`."""
from __future__ import annotations

import threading

from flask import Flask, current_app, g
from sqlite_utils import Database

from store.db import connect
from service.intake import Intake

# Opening a connection costs several PRAGMAs; a worker thread keeps its own for its lifetime.
_local = threading.local()


def get_db() -> Database:
    """This thread's connection to the app's database (opened on first use)."""
    path = str(current_app.config["VIGIE_DB"])
    connections: dict[str, Database] = _local.__dict__.setdefault("connections", {})
    db = connections.get(path)
    if db is None:
        db = connections[path] = connect(path, create=False)
    g.db = db
    return db


def get_intake() -> Intake:
    """The app's intake core."""
    return current_app.extensions["vigie.intake"]


def end_request(_exc: BaseException | None = None) -> None:
    """Never leave a transaction open on the kept connection."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


def init_app(app: Flask, intake: Intake) -> None:
    """Attach the intake core and the end-of-request cleanup to `app`."""
    app.extensions["vigie.intake"] = intake
    app.teardown_appcontext(end_request)
