"""`vigie telegram-poll` against the fake Bot API on loopback: no update stops it, nothing is answered
twice after a restart, SIGTERM is quick, 429 waits, a wrong token fails at start."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from telegram import CallbackQuery, Chat, Message, Update, User

from store import cases, clock
from store.db import connect
from vigie import telegram_poll
from webhooks.senders import TelegramSender
from tests.webhooks.conftest import SCAM_SMS
from tests.webhooks.fake_telegram import FakeBotApi

TOKEN = "123:ABC"


def message_update(text: str, update_id: int, chat_id: int = 606) -> dict:
    """A real python-telegram-bot Update carrying a private message, as the Bot API sends it."""
    user = User(chat_id, "Marie", False, language_code="fr")
    msg = Message(17, datetime.now(timezone.utc), Chat(chat_id, Chat.PRIVATE), from_user=user, text=text)
    return Update(update_id, message=msg).to_dict()


def button_update(data: str, update_id: int, chat_id: int = 606) -> dict:
    """A real Update for a press on an inline button carrying `data`."""
    user = User(chat_id, "Marie", False, language_code="fr")
    shown = Message(18, datetime.now(timezone.utc), Chat(chat_id, Chat.PRIVATE), text="…")
    return Update(update_id, callback_query=CallbackQuery(f"cb{update_id}", user, "ci", data=data,
                                                           message=shown)).to_dict()


@pytest.fixture
def fake_api():
    with FakeBotApi(token=TOKEN) as api:
        yield api


@pytest.fixture
def poll(make_app, fake_api):
    """poll_once over the app's intake and database, through the fake Bot API."""
    app = make_app()
    intake, path = app.extensions["vigie.intake"], app.config["VIGIE_DB"]
    api = TelegramSender(fake_api.url, TOKEN)
    return lambda offset=None, chosen=intake: telegram_poll.poll_once(chosen, path, api, offset, timeout=0)


def test_a_forged_feedback_button_is_answered_politely_and_polling_goes_on(poll, fake_api):
    fake_api.push(button_update("fb:99999999999999999999:wrong", 1), message_update(SCAM_SMS, 2))
    assert poll() == 3
    (answer,) = fake_api.sent("answerCallbackQuery")
    assert answer["callback_query_id"] == "cb1" and "plus valable" in answer["text"]
    assert fake_api.sent()[0]["text"].startswith("ARNAQUE")


def test_an_update_of_the_wrong_shape_is_skipped_and_polling_goes_on(poll, fake_api):
    broken = message_update(SCAM_SMS, 5)
    broken["message"]["chat"]["id"] = ["not", "an", "id"]
    fake_api.push(broken, {"no_update_id": True}, message_update(SCAM_SMS, 6))
    assert poll() == 7
    assert len(fake_api.sent()) == 1


class ExplodingIntake:
    """The real intake, except that reading a message fails in a way nobody planned for."""

    def __init__(self, real) -> None:
        self.real, self.keys, self.senders = real, real.keys, real.senders

    def receive(self, db, msg):
        raise RuntimeError("unplanned failure")

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_an_update_that_fails_unexpectedly_becomes_an_error_case(poll, fake_api, make_app):
    fake_api.push(message_update(SCAM_SMS, 9))
    app = make_app()
    assert poll(chosen=ExplodingIntake(app.extensions["vigie.intake"])) == 10
    db = connect(app.config["VIGIE_DB"])
    assert db.execute("SELECT status, subject FROM cases").fetchone() == (
        "error", "telegram update 9 could not be handled (RuntimeError)")
    # What the patient sent is kept for staff, tied to them, and they are told a person will look (an audit found
    # the text dropped and the patient left without an answer).
    text, reporter, reply = db.execute("SELECT text, reporter, reply FROM cases").fetchone()
    assert text == SCAM_SMS and reporter == app.extensions["vigie.intake"].keys.pseudonym("telegram", "606")
    sent = fake_api.sent()
    assert len(sent) == 1 and sent[0]["chat_id"] in (606, "606") and sent[0]["text"] == reply


def test_a_restart_does_not_answer_an_update_again(poll, fake_api, make_app):
    update = message_update(SCAM_SMS, 20)
    fake_api.push(update)
    poll()
    fake_api.push(update)  # redelivered: the process restarted before Telegram saw the offset
    assert poll() == 21  # the stored offset confirms it
    fake_api.push(update)
    assert poll(offset=0) == 21  # even asked again from the start, the stored answer is not re-sent
    assert len(fake_api.sent()) == 1
    assert cases.count(connect(make_app().config["VIGIE_DB"])) == 1


def test_a_429_is_waited_out_for_its_retry_after(make_app, fake_api):
    app = make_app()
    fake_api.throttle_next, fake_api.retry_after, fake_api.throttled_method = 2, 1, "getUpdates"
    stop = threading.Event()
    runner = threading.Thread(target=telegram_poll.run, args=(
        app.extensions["vigie.intake"], app.config["VIGIE_DB"], TelegramSender(fake_api.url, TOKEN), stop))
    runner.start()
    deadline = time.monotonic() + 10
    while len(fake_api.stamps) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    runner.join(5)
    gaps = [b - a for a, b in zip(fake_api.stamps, fake_api.stamps[1:])]
    assert [m for m, _ in fake_api.calls[:3]] == ["getMe", "getUpdates", "getUpdates"]
    assert gaps[1] >= 0.95


def test_a_refused_token_stops_at_start_with_a_clear_error(make_app, fake_api):
    app = make_app()
    with pytest.raises(telegram_poll.TokenRefused, match="TELEGRAM_BOT_TOKEN.*HTTP 401"):
        telegram_poll.run(app.extensions["vigie.intake"], app.config["VIGIE_DB"],
                          TelegramSender(fake_api.url, "123:WRONG"), threading.Event())
    assert [m for m, _ in fake_api.calls] == ["getMe"]


def test_http_statuses_are_logged_without_text_or_chat_ids(poll, fake_api, caplog):
    fake_api.push(message_update(SCAM_SMS, 30, chat_id=777123))
    fake_api.fail_next = 1
    caplog.set_level(logging.DEBUG, logger="vigie")
    with pytest.raises(telegram_poll.SendError):
        poll()
    poll()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "getUpdates: HTTP 502" in logged and "sendMessage: HTTP 200" in logged
    assert "777123" not in logged and "CPAM" not in logged


def test_sigterm_stops_the_poller_within_two_seconds(settings, fake_api, tmp_path):
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": fake_api.url,
           "VIGIE_DB": str(settings.db_path), "SECRET_KEY": settings.secret_key,
           "VIGIE_DATA_KEY": settings.data_key}
    vigie = Path(sys.executable).parent / "vigie"
    proc = subprocess.Popen([str(vigie), "telegram-poll"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not fake_api.sent("getUpdates") and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        time.sleep(0.3)  # inside a long poll now
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        assert time.monotonic() - started < 2.0
        assert fake_api.sent("getUpdates")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_verdict_telegram_throttled_waits_in_the_outbox_for_its_retry_after(poll, fake_api, make_app):
    fake_api.throttle_next, fake_api.retry_after, fake_api.throttled_method = 1, 600, "sendMessage"
    fake_api.push(message_update(SCAM_SMS, 40))
    poll()
    db = connect(make_app().config["VIGIE_DB"])
    (row,) = db.execute("SELECT body, next_attempt_at FROM outbox").fetchall()
    assert row[0].startswith("ARNAQUE")
    assert row[1] >= clock.iso(clock.now() + timedelta(seconds=590))


def test_library_polling_would_lose_a_whole_batch_to_one_malformed_update_so_the_poller_reads_each(
        poll, fake_api, caplog):
    """Why `vigie telegram-poll` does not use python-telegram-bot's `Bot.get_updates` (README, Telegram):
    it parses the batch at once, so one update of a wrong shape raises for all of them (the offset
    cannot move: the batch comes back forever) and the library logs the updates, message text included."""
    import asyncio

    from telegram import Bot

    def batch() -> None:
        bad = message_update("Votre colis est bloqué", 30)
        bad["message"]["date"] = "yesterday"
        fake_api.push(bad, message_update(SCAM_SMS, 31))

    async def library_poll() -> None:
        async with Bot(TOKEN, base_url=fake_api.url + "/bot") as bot:
            await bot.get_updates(offset=0, timeout=0)

    batch()
    with pytest.raises(TypeError):
        asyncio.run(library_poll())
    assert "Votre colis" in caplog.text  # the library's own error log quotes the message
    caplog.clear()
    assert poll() == 32  # Vigie's poller answers the good update and moves past the bad one
    assert fake_api.sent()[-1]["text"].startswith("ARNAQUE")
    assert "Votre colis" not in caplog.text
