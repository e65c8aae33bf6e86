"""Payload factories shared by the tests (imported as `tests.factories`)."""
from __future__ import annotations

from typing import Any

from bot.report import Report


def make_report(text: str = "Bonjour, ceci est un message.", **overrides: Any) -> Report:
    """Factory: a Report with defaults a test overrides (channel, sender, subject...)."""
    fields: dict[str, Any] = {"text": text, "channel": "sms", "sender": None}
    fields.update(overrides)
    return Report(**fields)
