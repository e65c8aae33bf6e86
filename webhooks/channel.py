"""What a channel adapter declares: its blueprint and the secret that switches it on."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import Blueprint

from config.settings import Settings


@dataclass(frozen=True)
class Channel:
    """One adapter: a blueprint, the report channels it serves, and when it is on."""

    name: str
    serves: tuple[str, ...]
    blueprint: Blueprint
    needs: str = ""  # the environment variable that must be set, or "" when always on
    secret: Callable[[Settings], object] = lambda settings: True

    def off_reason(self, settings: Settings) -> str | None:
        """Why the channel is off, or None when it is on."""
        if self.secret(settings):
            return None
        return f"{self.name} channel is off: {self.needs} is not set"
