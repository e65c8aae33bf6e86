"""The outbox lease: two workers over one SQLite file never send a row twice; a crash re-sends it once."""
from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Any, Mapping

import pytest

from store import clock, outbox, reporters
from store.crypto import DataKeys
from store.db import connect, get_db
from vigie.worker import Worker
from webhooks.senders import TelegramSender
from tests.webhooks.fake_telegram import FakeBotApi

KEYS = DataKeys.from_secret("data-key-for-tests")


class CountingSender:
    """Counts every body it is asked to send (shared by threads)."""

    def __init__(self) -> None:
        self.bodies: Counter[str] = Counter()
        self.keys: dict[str, set[str]] = {}
        self.lock = threading.Lock()

    def send(self, address: str, body: str, meta: Mapping[str, Any]) -> None:
        time.sleep(0.002)  # a network call: the other worker gets its turn
        with self.lock:
            self.bodies[body] += 1
            self.keys.setdefault(body, set()).add(meta["idempotency_key"])


@pytest.fixture
def path(tmp_path):
    target = tmp_path / "vigie.sqlite3"
    get_db(target).conn.close()
    return target


def _queue(path, count: int, channel: str = "sms") -> list[int]:
    db = connect(path)
    who = reporters.touch(db, KEYS, channel, "+33612345678")
    ids = [outbox.enqueue(db, channel, who.pseudonym, f"suivi {n}") for n in range(count)]
    db.conn.close()
    return ids


def test_two_workers_on_one_database_send_each_message_exactly_once(path):
    _queue(path, 120)
    sender = CountingSender()
    workers = [Worker(KEYS, {"sms": sender}, batch=500) for _ in range(2)]
    passes: list[dict[str, int]] = []
    start = threading.Barrier(2)

    def work(worker: Worker) -> None:
        db = connect(path)
        start.wait()
        passes.append(worker.run_once(db))
        db.conn.close()

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(sender.bodies) == 120 and set(sender.bodies.values()) == {1}
    assert sum(p["sent"] for p in passes) == 120
    assert all(p["sent"] > 0 for p in passes)  # both took a share
    db = connect(path)
    assert db.execute("SELECT count(*) FROM outbox WHERE status = 'sent' AND claimed_by IS NULL").fetchone()[0] == 120


def test_a_claimed_message_is_invisible_to_other_workers_until_its_lease_ends(path):
    (msg_id,) = _queue(path, 1)
    db, now = connect(path), clock.now()
    taken = outbox.claim(db, "worker-a", now, lease=timedelta(minutes=2))
    assert taken is not None and taken.id == msg_id
    assert outbox.claim(db, "worker-b", now + timedelta(seconds=90)) is None
    again = outbox.claim(db, "worker-b", now + timedelta(minutes=2, seconds=1))
    assert again is not None and again.id == msg_id and again.key == taken.key


def test_a_worker_killed_mid_send_has_its_message_sent_once_more_after_the_lease(path):
    (msg_id,) = _queue(path, 1)
    db, now = connect(path), clock.now()
    outbox.claim(db, "killed-worker", now)  # claimed, then the process died before mark_sent
    sender = CountingSender()
    survivor = Worker(KEYS, {"sms": sender})
    assert survivor.run_once(db, now + timedelta(seconds=30))["sent"] == 0
    assert survivor.run_once(db, now + outbox.LEASE + timedelta(seconds=1))["sent"] == 1
    assert sender.bodies == Counter({"suivi 0": 1})
    assert outbox.get(db, msg_id)["status"] == "sent"


def test_a_late_worker_does_not_take_back_a_message_another_worker_reclaimed(path):
    (msg_id,) = _queue(path, 1)
    db, now = connect(path), clock.now()
    outbox.claim(db, "slow", now)
    outbox.claim(db, "fresh", now + outbox.LEASE + timedelta(seconds=1))
    assert outbox.mark_sent(db, msg_id, worker="slow") is False
    assert outbox.mark_sent(db, msg_id, worker="fresh") is True


def test_the_idempotency_key_stays_the_same_across_retries(path):
    _queue(path, 1)
    db, now = connect(path), clock.now()
    first = outbox.claim(db, "a", now)
    outbox.mark_failed(db, first.id, "down", now)
    second = outbox.claim(db, "a", now + timedelta(hours=1))
    assert second.id == first.id and second.attempts == 1 and second.key == first.key


def test_telegram_429_postpones_the_retry_by_its_retry_after(path):
    (msg_id,) = _queue(path, 1, channel="telegram")
    with FakeBotApi() as api:
        api.throttle_next, api.retry_after = 1, 600
        db, now = connect(path), clock.now()
        done = Worker(KEYS, {"telegram": TelegramSender(api.url, "123:ABC")}).run_once(db, now)
    row = outbox.get(db, msg_id)
    assert done["retry"] == 1 and "429" in row["last_error"]
    assert clock.parse(row["next_attempt_at"]) >= now.replace(microsecond=0) + timedelta(seconds=600)
    assert row["claimed_by"] is None
