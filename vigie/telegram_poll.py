"""`vigie telegram-poll`: the Telegram bot by long polling (getUpdates), for a laptop without a public URL.

No update can stop the poller: one it cannot read is refused politely (a callback button is told
it is no longer valid) or stored as an error case for staff, and the offset moves on. The offset and the
ids of answered updates are stored, so a restart neither answers an update twice nor stalls on
one (a crash between the send and the store answers that one update once more). SIGTERM does
not wait for a long poll to end (its updates are simply not confirmed); a 429 waits its `retry_after`.
"""
from __future__ import annotations

import gc
import logging
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from config.settings import SettingsError
from service.intake import Intake
from store import clock, outbox
from store.db import connect
from web.errors import IntakeError
from webhooks.senders import SendError, TelegramSender
from webhooks.telegram_bot import answer_update, polite

log = logging.getLogger("vigie.telegram")
ALLOWED = ["message", "callback_query"]
POLL_TIMEOUT = 25  # seconds of long poll (SIGTERM does not wait for it to end)
KEEP_ANSWERED = timedelta(days=2)  # Telegram keeps an unconfirmed update for 24 hours


class TokenRefused(SettingsError):
    """The Bot API refused TELEGRAM_BOT_TOKEN."""


def check_token(api: TelegramSender) -> dict[str, Any]:
    """getMe once at start: the bot's identity, or TokenRefused on 401/404 (a wrong token)."""
    try:
        return api.call("getMe", {}) or {}
    except SendError as exc:
        if exc.status in (401, 404):
            raise TokenRefused(f"the Telegram Bot API refused TELEGRAM_BOT_TOKEN (HTTP {exc.status}); "
                               "copy the token @BotFather gave again") from exc
        raise


def poll_once(intake: Intake, db_path: Path, api: TelegramSender, offset: int | None,
              timeout: int = POLL_TIMEOUT, stop: threading.Event | None = None) -> int | None:
    """Fetch one batch of updates and answer each; the next offset (also stored)."""
    db = connect(db_path)
    try:
        offset = offset if offset is not None else stored_offset(db)
        updates = _fetch(api, {"offset": offset, "timeout": timeout, "allowed_updates": ALLOWED}, stop)
        for data in updates if isinstance(updates, list) else []:
            if stop is not None and stop.is_set():
                break
            update_id = data.get("update_id") if isinstance(data, dict) else None
            if type(update_id) is not int or update_id < 0:
                log.warning("an update without a usable update_id was skipped")
                continue
            _answer_once(intake, db, api, data, update_id)
            offset = max(offset or 0, update_id + 1)
            _remember(db, update_id, offset)
    finally:
        db.conn.close()
    return offset


class Stopped(Exception):
    """SIGTERM arrived during a long poll."""


def _fetch(api: TelegramSender, payload: dict[str, Any], stop: threading.Event | None) -> Any:
    """getUpdates, given up as soon as `stop` is set: the updates it would bring are not confirmed,
    so Telegram delivers them again at the next start."""
    if stop is None:
        return api.call("getUpdates", payload, timeout=payload["timeout"] + 10)
    box: dict[str, Any] = {}
    done = threading.Event()

    def call() -> None:
        try:
            box["result"] = api.call("getUpdates", payload, timeout=payload["timeout"] + 10)
        except BaseException as exc:  # noqa: BLE001 - handed to the polling thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=call, name="telegram-getUpdates", daemon=True).start()
    while not done.wait(0.1):
        if stop.is_set():
            raise Stopped
    if "error" in box:
        raise box["error"]
    return box.get("result")


def _answer_once(intake: Intake, db: Database, api: TelegramSender, data: dict[str, Any], update_id: int) -> None:
    if db.execute("SELECT 1 FROM telegram_updates WHERE update_id = ?", [update_id]).fetchone():
        log.info("update already answered before a restart; not sent again")
        return
    try:
        call = answer_update(intake, db, data)
    except IntakeError as exc:
        log.warning("update refused: %s", exc.reason)
        call = polite(data)
    if call:
        _send(intake, db, api, call)


def _remember(db: Database, update_id: int, offset: int) -> None:
    with db.atomic():
        db.execute("INSERT OR IGNORE INTO telegram_updates (update_id, answered_at) VALUES (?, ?)",
                   [update_id, clock.iso(clock.now())])
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('telegram_offset', ?)", [str(offset)])


def stored_offset(db: Database) -> int | None:
    """The offset after the last update answered (None before the first)."""
    row = db.execute("SELECT value FROM meta WHERE key = 'telegram_offset'").fetchone()
    return int(row[0]) if row and str(row[0]).isdigit() else None


def forget_old(db: Database) -> None:
    """Drop answered update ids older than Telegram's own redelivery window."""
    with db.atomic():
        db.execute("DELETE FROM telegram_updates WHERE answered_at < ?", [clock.iso(clock.now() - KEEP_ANSWERED)])


def _send(intake: Intake, db: Database, api: TelegramSender, call: dict[str, Any]) -> None:
    method = call.pop("method")
    try:
        api.call(method, call)
    except SendError as exc:
        log.warning("telegram %s failed (%s)", method, exc.status or "no answer")
        if method == "sendMessage":  # the verdict must still reach the patient: the worker sends it
            chat = str(call["chat_id"])
            meta = {"kind": "reply", "telegram": {k: v for k, v in call.items() if k == "reply_markup"}}
            later = clock.now() + timedelta(seconds=exc.retry_after or 0)  # a 429 asked us to wait
            outbox.enqueue(db, "telegram", intake.keys.pseudonym("telegram", chat), call["text"], meta=meta, when=later)


def run(intake: Intake, db_path: Path, api: TelegramSender, stop: threading.Event,
        timeout: int = POLL_TIMEOUT) -> None:
    """Check the token, then poll until `stop` is set; outages back off, a 429 waits its retry_after."""
    _start(api, stop)
    db = connect(db_path)
    try:
        forget_old(db)
    finally:
        db.conn.close()
    offset, delay = None, 1.0
    while not stop.is_set():
        try:
            offset = poll_once(intake, db_path, api, offset, timeout, stop)
            delay = 1.0
        except Stopped:
            break
        except SendError as exc:
            wait = exc.retry_after or delay
            log.warning("getUpdates failed (%s); retrying in %.0f s", exc.status or "no answer", wait)
            stop.wait(wait)
            delay = min(delay * 2, 60.0)
        except Exception as exc:  # noqa: BLE001 - e.g. the database locked for long: wait, keep the offset
            log.error("polling pass failed (%s); retrying in %.0f s", type(exc).__name__, delay)
            stop.wait(delay)
            delay = min(delay * 2, 60.0)
    log.info("telegram polling stopped")
    gc.freeze()  # the process exits next: spare it collecting the whole engine at shutdown (~1.5 s)


def _start(api: TelegramSender, stop: threading.Event) -> None:
    delay = 1.0
    while not stop.is_set():
        try:
            check_token(api)
            log.info("telegram: token accepted (getMe)")
            return
        except TokenRefused:
            raise
        except SendError as exc:
            log.warning("getMe failed (%s); retrying in %.0f s", exc.status or "no answer", exc.retry_after or delay)
            stop.wait(exc.retry_after or delay)
            delay = min(delay * 2, 60.0)
