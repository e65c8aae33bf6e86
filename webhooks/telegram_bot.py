"""POST /webhooks/telegram: the Telegram bot (webhook), also driven by `vigie telegram-poll`."""
from __future__ import annotations

import logging
import sqlite3
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from sqlite_utils import Database
from telegram import Message, MessageEntity, MessageOrigin, Update, User
from telegram.error import TelegramError

from bot import replies
from bot.report import Report
from config.settings import Settings
from service import picture
from service.intake import Answer, Inbound, Intake
from web.errors import Forged, IntakeError, Malformed
from web.http import SMALL_BODY, json_object, limit_body, same_secret
from web.resources import get_db, get_intake
from webhooks import media
from webhooks.channel import Channel
from webhooks.telegram_shape import check_update

log = logging.getLogger("vigie.telegram")
bp = Blueprint("telegram", __name__)
FEEDBACK = ("useful", "wrong")
UNREADABLE = (TelegramError, KeyError, TypeError, ValueError, AttributeError, OverflowError)


@bp.post("/webhooks/telegram")
def inbound():
    """Check the secret header, then answer in the webhook response (a Bot API method call)."""
    limit_body(SMALL_BODY)
    intake = get_intake()
    if not same_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                       intake.settings.telegram_webhook_secret):
        current_app.logger.warning("telegram: bad secret token from %s", request.remote_addr)
        raise Forged("the X-Telegram-Bot-Api-Secret-Token does not match")
    call = answer_update(intake, get_db(), json_object())
    return jsonify(call or {})


def answer_update(intake: Intake, db: Database, data: dict[str, Any]) -> dict[str, Any] | None:
    """handle_update, except that an unplanned failure becomes an error case for staff and a polite
    answer, so Telegram does not redeliver that update forever (a refused one stays a 4xx)."""
    try:
        return handle_update(intake, db, data)
    except (IntakeError, sqlite3.OperationalError):  # refused, or the database is busy: worth a retry
        raise
    except Exception as exc:  # noqa: BLE001 - one update must never stop the bot
        log.error("telegram update could not be handled (%s); stored as an error case", type(exc).__name__)
        if db.conn.in_transaction:
            db.conn.rollback()
        note = f"telegram update {data.get('update_id')} could not be handled ({type(exc).__name__})"
        message = data.get("message") if isinstance(data.get("message"), dict) else {}
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        chat_id = chat.get("id") if isinstance(chat.get("id"), int) and not isinstance(chat.get("id"), bool) else None
        text = message.get("text") or message.get("caption") or ""
        user = message.get("from") if isinstance(message.get("from"), dict) else {}
        reply = intake.salvage(db, "telegram", str(data.get("update_id")), str(chat_id) if chat_id else None,
                               text if isinstance(text, str) else "", str(user.get("language_code") or ""), note)
        if chat_id is not None:  # a message: its sender is told a person will look at it
            return {"method": "sendMessage", "chat_id": chat_id, "text": reply}
        return polite(data)


def polite(data: dict[str, Any]) -> dict[str, Any] | None:
    """The answer to a button Vigie cannot use (it also stops the spinner); nothing for a message."""
    query = data.get("callback_query")
    if not isinstance(query, dict) or not isinstance(query.get("id"), str):
        return None
    user = query.get("from") if isinstance(query.get("from"), dict) else {}
    lang = "en" if str(user.get("language_code") or "").startswith("en") else "fr"
    return {"method": "answerCallbackQuery", "callback_query_id": query["id"][:64],
            "text": replies.t(lang, "conversation", "feedback_unknown")}


def handle_update(intake: Intake, db: Database, data: dict[str, Any]) -> dict[str, Any] | None:
    """The Bot API call answering one update (None when there is nothing to say)."""
    update = _update(data)
    if update.callback_query is not None:
        return _feedback(intake, db, update)
    message = update.message
    if message is None:
        return None
    try:
        inbound_msg = parse(update_id=update.update_id, message=message, settings=intake.settings)
    except UNREADABLE as exc:
        raise Malformed(f"unreadable Telegram message ({type(exc).__name__})") from exc
    answer = intake.receive(db, inbound_msg)
    call: dict[str, Any] = {"method": "sendMessage", "chat_id": message.chat.id, "text": answer.text[:4096]}
    if answer.case_id and answer.verdict:
        call["reply_markup"] = keyboard(answer)
    return call


def _update(data: dict[str, Any]) -> Update:
    check_update(data)  # types and ranges first: de_json trusts what it is given
    try:
        return Update.de_json(data, None)
    except UNREADABLE as exc:
        raise Malformed(f"not a Telegram update ({type(exc).__name__})") from exc


def parse(*, update_id: int, message: Message, settings: Settings | None = None) -> Inbound:
    """The Inbound of a message: text or caption, the forward's origin, hidden link targets."""
    text = message.text or message.caption or ""
    entities = message.parse_entities() if message.text else message.parse_caption_entities()
    hidden = tuple(e.url for e in entities if e.type == MessageEntity.TEXT_LINK and e.url)
    file_id = picture_file(message)
    # Without TELEGRAM_BOT_TOKEN no file can be downloaded: the picture is answered like any file.
    load = media_loader(settings, file_id) if file_id and settings and settings.telegram_bot_token else None
    media = load is None and bool(message.photo or message.document or message.video or message.voice
                                  or message.sticker)
    lang = message.from_user.language_code if message.from_user else None
    report = Report(text=text, channel="telegram", sender=origin_name(message.forward_origin, message.from_user),
                    hidden_links=hidden[:20])
    return Inbound("telegram", str(update_id), str(message.chat.id), report, lang_hint=lang, media=media,
                   picture=load)


def picture_file(message: Message) -> str | None:
    """The file id of the picture in a message: its largest photo size, or a document that is an image."""
    if message.photo:
        return max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0)).file_id
    if message.document and media.is_image(message.document.mime_type):
        return message.document.file_id
    return None


def media_loader(settings: Settings, file_id: str):
    """The picture's bytes through the Bot API in use (getFile, then its file URL)."""
    return media.telegram_file(settings.telegram_api_url, settings.telegram_bot_token, file_id,
                               max_bytes=picture.MAX_BYTES["telegram"])


def origin_name(origin: MessageOrigin | None, reporter: User | None = None) -> str | None:
    """Who the forwarded message came from, as Telegram shows it.

    None for the patient's own message (an SMS pasted into Saved Messages, then forwarded): their name or
    @username is not a sender, and must never be offered to staff as an indicator to blocklist."""
    if origin is None:
        return None
    if origin.type == MessageOrigin.USER:
        user = origin.sender_user
        if reporter is not None and user.id == reporter.id:
            return None
        return f"@{user.username}" if user.username else user.full_name
    if origin.type == MessageOrigin.HIDDEN_USER:
        return origin.sender_user_name
    chat = origin.sender_chat if origin.type == MessageOrigin.CHAT else origin.chat
    return f"@{chat.username}" if chat.username else chat.title


def keyboard(answer: Answer) -> dict[str, Any]:
    """The inline keyboard under a verdict: useful / wrong."""
    return {"inline_keyboard": [[
        {"text": replies.t(answer.lang, "conversation", f"feedback_{value}"),
         "callback_data": f"fb:{answer.case_id}:{value}"} for value in FEEDBACK]]}


def _feedback(intake: Intake, db: Database, update: Update) -> dict[str, Any]:
    query = update.callback_query
    parts = (query.data or "").split(":")
    if len(parts) != 3 or parts[0] != "fb" or parts[2] not in FEEDBACK or not parts[1].isascii() \
            or not parts[1].isdigit() or len(parts[1]) > 18:  # a case id fits SQLite's 64-bit INTEGER
        raise Malformed("unknown callback data")
    chat = query.message.chat.id if query.message else query.from_user.id
    text = intake.feedback(db, "telegram", str(update.update_id), str(chat), int(parts[1]), parts[2],
                           query.from_user.language_code)
    return {"method": "answerCallbackQuery", "callback_query_id": query.id, "text": text}


CHANNEL = Channel("telegram", ("telegram",), bp, "TELEGRAM_WEBHOOK_SECRET",
                  lambda s: s.telegram_webhook_secret)
