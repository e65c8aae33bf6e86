"""The messages of each answer as they were sent, so a redelivery is answered identically."""
from __future__ import annotations

import json

from sqlite_utils import Database


def save(db: Database, channel: str, provider_id: str, messages: tuple[str, ...]) -> None:
    """Record the messages sent for this provider message (call inside the transaction of the answer)."""
    db.execute("UPDATE inbound SET messages = ? WHERE channel = ? AND provider_message_id = ?",
               [json.dumps(list(messages), ensure_ascii=False), channel, provider_id])


def sent(db: Database, channel: str, provider_id: str) -> tuple[str, ...] | None:
    """The messages sent for this provider message, or None (unknown, or stored before 0010)."""
    row = db.execute("SELECT messages FROM inbound WHERE channel = ? AND provider_message_id = ?",
                     [channel, provider_id]).fetchone()
    if not row or not row[0]:
        return None
    data = json.loads(row[0])
    return tuple(str(m) for m in data) if isinstance(data, list) and data else None
