"""`vigie telegram-poll`: the Telegram bot by long polling (getUpdates), for a laptop without a public URL."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from store.db import connect
from webhooks.errors import IntakeError
from webhooks.intake import Intake
from webhooks.senders import SendError, TelegramSender
from webhooks.telegram_bot import handle_update

log = logging.getLogger("vigie.telegram")
ALLOWED = ["message", "callback_query"]


def poll_once(intake: Intake, db_path: Path, api: TelegramSender, offset: int | None,
              timeout: int = 25) -> int | None:
    """Fetch one batch of updates, answer each with the webhook's handler; the next offset."""
    updates = api.call("getUpdates", {"offset": offset, "timeout": timeout, "allowed_updates": ALLOWED},
                       timeout=timeout + 10)
    db = connect(db_path)
    try:
        for data in updates or []:
            offset = int(data["update_id"]) + 1
            try:
                call = handle_update(intake, db, data)
            except IntakeError as exc:
                log.warning("update %s ignored: %s", data.get("update_id"), exc.reason)
                continue
            if call:
                _send(intake, db, api, call)
    finally:
        db.conn.close()
    return offset


def _send(intake: Intake, db, api: TelegramSender, call: dict) -> None:
    method = call.pop("method")
    try:
        api.call(method, call)
    except SendError as exc:
        log.warning("telegram %s failed (%s)", method, exc)
        if method == "sendMessage":  # the verdict must still reach the patient: the worker retries
            chat = str(call["chat_id"])
            meta = {"kind": "reply", "telegram": {k: v for k, v in call.items() if k == "reply_markup"}}
            intake.deliver(db, "telegram", chat, call["text"], reporter=intake.keys.pseudonym("telegram", chat),
                           meta=meta)


def run(intake: Intake, db_path: Path, api: TelegramSender, stop: threading.Event, timeout: int = 25) -> None:
    """Poll until `stop` is set; network errors back off and retry."""
    offset, delay = None, 1.0
    while not stop.is_set():
        try:
            offset = poll_once(intake, db_path, api, offset, timeout)
            delay = 1.0
        except SendError as exc:
            log.warning("getUpdates failed (%s); retrying in %.0f s", exc, delay)
            stop.wait(delay)
            delay = min(delay * 2, 60.0)
