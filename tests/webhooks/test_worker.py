"""`vigie worker`: the outbox through a fake Telegram Bot API on loopback, retries, STOP, WhatsApp window."""
from __future__ import annotations

from datetime import timedelta

import pytest

from store import cases, clock, outbox, reporters
from store.crypto import DataKeys
from store.db import get_db
from vigie.worker import Worker
from webhooks.senders import TelegramSender
from tests.webhooks.conftest import RecordingSender
from tests.webhooks.fake_telegram import FakeBotApi


@pytest.fixture
def fake_api():
    with FakeBotApi() as api:
        yield api


@pytest.fixture
def db(tmp_path):
    conn = get_db(tmp_path / "vigie.sqlite3")
    yield conn
    conn.conn.close()


KEYS = DataKeys.from_secret("data-key-for-tests")


def test_worker_sends_a_queued_telegram_message_through_the_bot_api(db, fake_api):
    who = reporters.touch(db, KEYS, "telegram", "5551")
    msg_id = outbox.enqueue(db, "telegram", who.pseudonym, "Une personne a vérifié : ARNAQUE.")
    worker = Worker(KEYS, {"telegram": TelegramSender(fake_api.url, "123:ABC")})
    assert worker.run_once(db)["sent"] == 1
    assert fake_api.sent() == [{"chat_id": "5551", "text": "Une personne a vérifié : ARNAQUE."}]
    assert outbox.get(db, msg_id)["status"] == "sent"


def test_a_failed_send_is_retried_after_the_backoff(db, fake_api):
    who = reporters.touch(db, KEYS, "telegram", "5552")
    msg_id = outbox.enqueue(db, "telegram", who.pseudonym, "suivi")
    fake_api.fail_next = 1
    worker, start = Worker(KEYS, {"telegram": TelegramSender(fake_api.url, "123:ABC")}), clock.now()
    assert worker.run_once(db, start)["retry"] == 1
    assert worker.run_once(db, start + timedelta(seconds=10))["sent"] == 0  # not due yet
    assert worker.run_once(db, start + timedelta(seconds=31))["sent"] == 1
    row = outbox.get(db, msg_id)
    assert row["status"] == "sent" and row["attempts"] == 2


def test_follow_ups_to_a_reporter_who_sent_stop_are_cancelled(db):
    who = reporters.touch(db, KEYS, "sms", "+33612345678")
    reporters.set_stopped(db, who.pseudonym)
    msg_id = outbox.enqueue(db, "sms", who.pseudonym, "suivi")
    recorder = RecordingSender()
    assert Worker(KEYS, {"sms": recorder}).run_once(db)["cancelled"] == 1
    assert not recorder.sent and outbox.get(db, msg_id)["status"] == "cancelled"


def test_whatsapp_follow_up_outside_24_hours_is_held_with_a_note(db):
    who = reporters.touch(db, KEYS, "whatsapp", "whatsapp:+33612345678", when=clock.now() - timedelta(hours=30))
    msg_id = outbox.enqueue(db, "whatsapp", who.pseudonym, "suivi")
    recorder = RecordingSender()
    assert Worker(KEYS, {"whatsapp": recorder}).run_once(db)["held"] == 1
    row = outbox.get(db, msg_id)
    assert row["status"] == "held" and "24 hours" in row["last_error"] and not recorder.sent


def test_whatsapp_follow_up_inside_24_hours_is_sent(db):
    who = reporters.touch(db, KEYS, "whatsapp", "whatsapp:+33612345678")
    outbox.enqueue(db, "whatsapp", who.pseudonym, "suivi")
    recorder = RecordingSender()
    Worker(KEYS, {"whatsapp": recorder}).run_once(db)
    ((address, body, meta),) = recorder.sent
    assert (address, body) == ("whatsapp:+33612345678", "suivi") and len(meta["idempotency_key"]) == 24


def test_the_retention_purge_runs_once_a_day(db):
    worker, now = Worker(KEYS, {}), clock.now()
    assert worker.purge_if_due(db, now) is not None
    assert worker.purge_if_due(db, now + timedelta(hours=23)) is None
    assert worker.purge_if_due(db, now + timedelta(hours=25)) is not None


def test_the_outbox_is_sent_between_slices_of_a_long_purge(db):
    old = clock.now() - timedelta(days=100)
    for n in range(120):  # more than one batch
        cases.record(db, "sms", f"old-{n}", "r", cases.NewCase(text="t", status="answered"), when=old)
    who = reporters.touch(db, KEYS, "sms", "+33612345678")
    outbox.enqueue(db, "sms", who.pseudonym, "suivi")
    recorder = RecordingSender()
    worker = Worker(KEYS, {"sms": recorder})
    assert worker.purge_if_due(db, budget=0) is None and worker.daily_purge.running  # one batch, then it yields
    assert worker.run_once(db)["sent"] == 1 and len(recorder.sent) == 1
    slices = [worker.purge_if_due(db, budget=0) for _ in range(50)]
    counts = next(c for c in slices if c is not None)
    assert counts["cases"] == 120 and cases.count(db) == 0 and worker.daily_purge.running is None
    assert worker.purge_if_due(db) is None  # done for the day


def test_telegram_poll_answers_updates_from_get_updates(make_app, fake_api, tmp_path):
    from vigie import telegram_poll
    from tests.webhooks.conftest import SCAM_SMS, telegram_update
    app = make_app()
    intake = app.extensions["vigie.intake"]
    fake_api.updates = [telegram_update(SCAM_SMS, update_id=77, chat_id=606)]
    api = TelegramSender(fake_api.url, "123:ABC")
    offset = telegram_poll.poll_once(intake, app.config["VIGIE_DB"], api, None, timeout=0)
    assert offset == 78
    (sent,) = fake_api.sent()
    assert sent["chat_id"] == 606 and sent["text"].startswith("ARNAQUE") and "reply_markup" in sent
