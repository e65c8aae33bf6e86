"""Rate limits shared by every worker process: a token bucket per key in SQLite, one UPSERT per hit."""
from __future__ import annotations

import logging
import math
import sqlite3
import time
from typing import Callable

from flask import Flask, current_app
from sqlite_utils import Database

log = logging.getLogger("vigie.ratelimit")
API_RATE_PER_MINUTE = 60  # per API token, across every worker process
WEB_RATE_PER_MINUTE = 20  # per client address on the try-it page, across every worker process
CLEAN_EVERY = 60.0  # seconds between two deletions of full buckets (per limiter, per process)

# The bucket refills at :rate tokens a second up to :cap; a hit takes one token when there is one.
# Every expression reads the row as it was, so the hit is counted and judged atomically, whatever the workers.
_LEVEL = "min(:cap, tokens + max(0, :now - at) * :rate)"
_HIT = (f"INSERT INTO rate_limits (key, tokens, at, ok) VALUES (:key, :cap - 1, :now, :cap >= 1)"
        f" ON CONFLICT (key) DO UPDATE SET tokens = {_LEVEL} - ({_LEVEL} >= 1), ok = {_LEVEL} >= 1, at = :now"
        f" RETURNING ok, tokens")


class RateLimiter:
    """At most `limit` hits in a burst per key, refilled over `window` seconds, counted in the shared database."""

    def __init__(self, name: str, limit: int, window: float = 60.0,
                 clock: Callable[[], float] = time.time, db: Callable[[], Database] | None = None,
                 *, when_uncounted: bool = True) -> None:
        """`when_uncounted`: the answer when the hit cannot be counted (the database locked past its busy
        timeout). True where turning people away costs more (a patient's check); False for a guard
        (failed sign-ins), which must not stop counting exactly while someone keeps the database busy."""
        self.name, self.limit, self.window, self.clock = name, limit, window, clock
        self._db = db
        self.when_uncounted = when_uncounted
        self._cleaned = -math.inf

    def allow(self, key: str) -> bool:
        """Count a hit for `key`; False when its bucket is empty (the hit is then not counted)."""
        db, now = self._connection(), self.clock()
        try:
            with db.atomic():
                ok = db.execute(_HIT, self._args(key, now)).fetchone()[0]
                self._clean(db, now)
        except sqlite3.OperationalError as exc:  # a locked database must not take the page down
            log.warning("rate limit %s not counted (%s): %s", self.name,
                        "allowed" if self.when_uncounted else "refused", type(exc).__name__)
            return self.when_uncounted
        return bool(ok)

    def refund(self, key: str) -> None:
        """Give back the hit `allow` took (e.g. a sign-in that turned out right)."""
        with self._connection().conn as conn:
            conn.execute("UPDATE rate_limits SET tokens = min(:cap, tokens + 1) WHERE key = :key",
                         self._args(key, self.clock()))

    def tokens(self, key: str) -> float:
        """How many hits `key` may make right now (nothing counted)."""
        row = self._connection().execute(f"SELECT {_LEVEL} FROM rate_limits WHERE key = :key",
                                         self._args(key, self.clock())).fetchone()
        return float(row[0]) if row else float(self.limit)

    def blocked(self, key: str) -> bool:
        """True when `key` has no hit left."""
        return self.tokens(key) < 1

    def wait(self, key: str) -> int:
        """Whole seconds until `key` may make one more hit."""
        return max(0, math.ceil((1 - self.tokens(key)) / self._rate()))

    def _args(self, key: str, now: float) -> dict[str, object]:
        return {"key": f"{self.name}:{key}", "cap": self.limit, "now": now, "rate": self._rate()}

    def _rate(self) -> float:
        return self.limit / self.window

    def _clean(self, db: Database, now: float) -> None:
        if now - self._cleaned >= CLEAN_EVERY:  # a bucket untouched for a whole window is full: same as no row
            self._cleaned = now
            db.execute("DELETE FROM rate_limits WHERE at < ? AND key >= ? AND key < ?",
                       [now - self.window, f"{self.name}:", f"{self.name};"])

    def _connection(self) -> Database:
        if self._db is not None:
            return self._db()
        from web.resources import get_db  # noqa: PLC0415 - the request's connection by default
        return get_db()


def init_app(app: Flask) -> None:
    """The app's shared limits: the API per token, the try-it page per client address."""
    app.extensions["vigie.limits"] = {"api": RateLimiter("api", API_RATE_PER_MINUTE),
                                      "web": RateLimiter("web", WEB_RATE_PER_MINUTE)}


def limit(name: str) -> RateLimiter:
    """This app's limiter called `name` ("api", "web")."""
    return current_app.extensions["vigie.limits"][name]
