"""The shape of a Telegram update, checked before python-telegram-bot reads it.

`Update.de_json` trusts the JSON: a chat id given as a list, a `date` in the year 300 000, a lone
surrogate in a name or a 20-digit number reach the database or the analysis and fail there. Every
field Vigie reads is checked here for its type and range; unknown fields are left alone (the Bot
API adds fields over time) but their strings and numbers must still be storable.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web.errors import Malformed

MAX_INT = 2**63 - 1  # SQLite's INTEGER; Telegram ids fit in 52 bits
MAX_DATE = 4_102_444_800  # 2100-01-01: a later date is not from Telegram
ORIGIN_NEEDS = {"user": "sender_user", "hidden_user": "sender_user_name", "chat": "sender_chat", "channel": "chat"}


class Date:
    """A Unix time between 1970 and 2100."""


@dataclass(frozen=True)
class Shape:
    """Expected types of some fields of a JSON object; `required` ones must be there."""

    fields: dict[str, Any]
    required: tuple[str, ...] = ()


USER = Shape({"id": int, "is_bot": bool, "first_name": str, "last_name": str, "username": str,
              "language_code": str}, ("id", "first_name"))
CHAT = Shape({"id": int, "type": str, "title": str, "username": str, "first_name": str, "last_name": str},
             ("id", "type"))
ENTITY = Shape({"type": str, "offset": int, "length": int, "url": str}, ("type", "offset", "length"))
ORIGIN = Shape({"type": str, "date": Date, "sender_user": USER, "sender_user_name": str, "sender_chat": CHAT,
                "chat": CHAT, "message_id": int, "author_signature": str}, ("type", "date"))
MESSAGE = Shape({"message_id": int, "date": Date, "chat": CHAT, "from": USER, "text": str, "caption": str,
                 "entities": [ENTITY], "caption_entities": [ENTITY], "forward_origin": ORIGIN,
                 "photo": list, "document": dict, "video": dict, "voice": dict, "sticker": dict},
                ("message_id", "date", "chat"))
CALLBACK = Shape({"id": str, "from": USER, "chat_instance": str, "data": str, "message": MESSAGE},
                 ("id", "from"))
UPDATE = Shape({"update_id": int, "message": MESSAGE, "callback_query": CALLBACK}, ("update_id",))


def check_update(data: Any) -> None:
    """Raise Malformed, naming the field, unless `data` has the shape of an update Vigie can read."""
    _check(data, UPDATE, "update")
    _storable(data, "update", 0)
    origin = (data.get("message") or {}).get("forward_origin")
    if origin is not None:
        need = ORIGIN_NEEDS.get(origin["type"])
        if need is None or need not in origin:
            raise Malformed(f"update.message.forward_origin has an unknown type or lacks {need}")


def _check(value: Any, expected: Any, where: str) -> None:
    if isinstance(expected, Shape):
        if not isinstance(value, dict):
            raise Malformed(f"{where} is not an object")
        for name in expected.required:
            if name not in value:
                raise Malformed(f"{where}.{name} is missing")
        for name, kind in expected.fields.items():
            if name in value:
                _check(value[name], kind, f"{where}.{name}")
    elif isinstance(expected, list):
        if not isinstance(value, list):
            raise Malformed(f"{where} is not a list")
        for i, item in enumerate(value[:100]):
            _check(item, expected[0], f"{where}[{i}]")
    elif expected is Date:
        if type(value) is not int or not 0 <= value <= MAX_DATE:
            raise Malformed(f"{where} is not a date")
    elif expected is int:
        if type(value) is not int or abs(value) > MAX_INT:
            raise Malformed(f"{where} is not a 64-bit integer")
    elif not isinstance(value, expected):
        raise Malformed(f"{where} is not a {expected.__name__}")


def _storable(value: Any, where: str, depth: int) -> None:
    """Every string encodes as UTF-8 and every integer fits SQLite, however deep (to a bound)."""
    if depth > 20:
        raise Malformed(f"{where} is nested too deep")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise Malformed(f"{where} is not valid text") from None
    elif type(value) is int and abs(value) > MAX_INT:
        raise Malformed(f"{where} is too large a number")
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable(key, where, depth + 1)
            _storable(item, f"{where}.{key}", depth + 1)
    elif isinstance(value, list):
        for item in value:
            _storable(item, where, depth + 1)
