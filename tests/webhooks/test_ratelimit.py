"""Rate limits are counted in the shared database: two app instances (two gunicorn workers) share one figure."""
from __future__ import annotations

import re
import threading

import pytest

from review.web import IP_FAILURES
from store.db import connect, get_db
from web.ratelimit import API_RATE_PER_MINUTE, WEB_RATE_PER_MINUTE
from web.ratelimit import RateLimiter
from tests.webhooks.conftest import API_TOKEN

NOW = 1_800_000_000.0


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def two_apps(make_app, clock):
    """Two app instances over the same database file, as two gunicorn workers are."""
    apps = [make_app(), make_app()]
    for app in apps:
        for limiter in (*app.extensions["vigie.limits"].values(), app.extensions["vigie.desk"]["throttle"]):
            limiter.clock = clock
    return apps


def _csrf(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)


def test_the_try_it_limit_is_shared_by_two_workers(two_apps):
    clients = [app.test_client() for app in two_apps]
    tokens = [_csrf(c) for c in clients]
    codes = [clients[i % 2].post("/", data={"text": "Bonjour", "csrf_token": tokens[i % 2]}).status_code
             for i in range(WEB_RATE_PER_MINUTE + 2)]
    assert codes == [200] * WEB_RATE_PER_MINUTE + [429, 429]


def test_the_api_limit_per_token_is_shared_by_two_workers(two_apps):
    clients = [app.test_client() for app in two_apps]
    codes = [clients[i % 2].post("/api/v1/check", json={"text": "Bonjour"},
                                 headers={"Authorization": f"Bearer {API_TOKEN}"}).status_code
             for i in range(API_RATE_PER_MINUTE + 1)]
    assert codes.count(200) == API_RATE_PER_MINUTE and codes[-1] == 429


def test_failed_sign_ins_from_one_address_are_counted_across_workers(two_apps):
    from tests.review.fixtures import csrf_token
    clients = [app.test_client() for app in two_apps]
    tokens = [csrf_token(c) for c in clients]
    codes = [clients[i % 2].post("/review/login", data={"email": f"guess{i}@example.org", "password": "x",
                                                         "csrf_token": tokens[i % 2]}).status_code
             for i in range(IP_FAILURES + 1)]
    assert codes == [401] * IP_FAILURES + [429]


def test_the_bucket_refills_over_the_window(tmp_path, clock):
    db = get_db(tmp_path / "v.sqlite3")
    limiter = RateLimiter("web", 3, window=60, clock=clock, db=lambda: db)
    assert [limiter.allow("1.2.3.4") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("5.6.7.8")  # another address has its own bucket
    clock.now += 19
    assert not limiter.allow("1.2.3.4") and limiter.wait("1.2.3.4") == 1
    clock.now += 1
    assert limiter.allow("1.2.3.4") and not limiter.allow("1.2.3.4")
    clock.now += 600
    assert [limiter.allow("1.2.3.4") for _ in range(4)] == [True, True, True, False]  # never more than the burst


def test_a_refused_hit_does_not_push_the_wait_further(tmp_path, clock):
    db = get_db(tmp_path / "v.sqlite3")
    limiter = RateLimiter("api", 1, window=60, clock=clock, db=lambda: db)
    assert limiter.allow("k")
    for _ in range(50):
        clock.now += 1
        limiter.allow("k")
    clock.now += 10
    assert limiter.allow("k")


def test_full_buckets_are_deleted(tmp_path, clock):
    db = get_db(tmp_path / "v.sqlite3")
    limiter = RateLimiter("web", 2, window=60, clock=clock, db=lambda: db)
    for i in range(50):
        limiter.allow(f"10.0.0.{i}")
    clock.now += 3600
    limiter.allow("10.0.1.1")
    assert db.execute("SELECT key FROM rate_limits").fetchall() == [("web:10.0.1.1",)]


def test_concurrent_hits_from_many_connections_never_exceed_the_limit(tmp_path, clock):
    path = tmp_path / "v.sqlite3"
    get_db(path).conn.close()
    allowed, lock = [], threading.Lock()

    def worker() -> None:
        db = connect(path)  # its own connection, as another process has
        limiter = RateLimiter("api", 25, window=60, clock=clock, db=lambda: db)
        mine = sum(limiter.allow("token") for _ in range(20))
        with lock:
            allowed.append(mine)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(allowed) == 25


def test_right_sign_ins_do_not_use_up_the_address_budget(app, clock):
    from store import staff
    from store.db import connect as open_db
    from tests.review.fixtures import PASSWORD, REVIEWER, sign_in
    app.extensions["vigie.desk"]["throttle"].clock = clock
    db = open_db(app.config["VIGIE_DB"])
    staff.add(db, REVIEWER, "reviewer", PASSWORD)
    client = app.test_client()
    assert [sign_in(client, REVIEWER).status_code for _ in range(IP_FAILURES + 2)] == [302] * (IP_FAILURES + 2)


def test_a_hit_that_cannot_be_counted_is_refused_by_a_guard_and_allowed_for_a_patient(tmp_path, clock):
    path = tmp_path / "v.sqlite3"
    get_db(path).conn.close()
    holder = connect(path)
    holder.conn.execute("BEGIN EXCLUSIVE")  # another process keeps the database busy
    try:
        busy = connect(path)
        busy.conn.execute("PRAGMA busy_timeout = 10")
        guard = RateLimiter("login", 5, clock=clock, db=lambda: busy, when_uncounted=False)
        patient = RateLimiter("web", 5, clock=clock, db=lambda: busy)
        assert guard.allow("1.2.3.4") is False
        assert patient.allow("1.2.3.4") is True
    finally:
        holder.conn.rollback()


def test_the_sign_in_throttle_fails_closed(app):
    assert app.extensions["vigie.desk"]["throttle"].when_uncounted is False
