"""Per-request resources: `get_db()` (one SQLite connection per worker thread) and `get_intake()`."""
from __future__ import annotations

import logging
import sqlite3
import threading

from flask import Flask, Response, current_app, g, jsonify
from sqlite_utils import Database

from service.intake import Intake
from store.db import StoreError, connect

log = logging.getLogger("vigie.app")

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


def healthz() -> tuple[Response, int]:
    """200 when this process can read its database (worker, SMTP and Telegram do not matter)."""
    try:
        get_db().execute("SELECT count(*) FROM cases").fetchone()
    except (sqlite3.Error, StoreError) as exc:
        log.error("healthz: database unreadable: %s", exc)
        return jsonify({"status": "error", "database": "unreadable"}), 503
    return jsonify({"status": "ok"}), 200
