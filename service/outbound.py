"""What the core needs of a provider that sends a message; the providers themselves live in webhooks/senders.py."""
from __future__ import annotations

from typing import Any, Mapping, Protocol


class SendError(Exception):
    """A message could not be sent now (the outbox will retry, not before `retry_after` seconds)."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status, self.retry_after = status, retry_after


class Sender(Protocol):
    """Sends one message to one address."""

    def send(self, address: str, body: str, meta: Mapping[str, Any]) -> None: ...
