"""Per-request resources: `get_db()` (one SQLite connection per request) and `get_intake()`."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlite_utils import Database

from store.db import connect
from webhooks.intake import Intake


def get_db() -> Database:
    """The request's database connection (opened on first use, closed at teardown)."""
    if "db" not in g:
        g.db = connect(current_app.config["VIGIE_DB"], create=False)
    return g.db


def get_intake() -> Intake:
    """The app's intake core."""
    return current_app.extensions["vigie.intake"]


def close_db(_exc: BaseException | None = None) -> None:
    """Close the request's connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def init_app(app: Flask, intake: Intake) -> None:
    """Attach the intake core and the connection teardown to `app`."""
    app.extensions["vigie.intake"] = intake
    app.teardown_appcontext(close_db)
