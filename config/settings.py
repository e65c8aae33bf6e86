"""Settings: the one place that reads the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping


def _number(env: Mapping[str, str], name: str, default: float, kind: type = int) -> Any:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{name} must be {what}, got {raw!r}") from None


class SettingsError(ValueError):
    """A setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    """Everything configurable, read once from the environment."""

    db_path: Path = Path("var/vigie.sqlite3")
    secret_key: str = ""
    data_key: str = ""
    public_url: str = "http://127.0.0.1:5000"
    behind_proxy: int = 0
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from: str = ""
    twilio_media_hosts: tuple[str, ...] = ("api.twilio.com",)  # MediaUrl hosts pictures are fetched from
    telegram_bot_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_url: str = "https://api.telegram.org"
    mailgun_signing_key: str = ""
    smtp_url: str = ""
    smtp_from: str = ""
    api_tokens: tuple[str, ...] = field(default=())
    retention_days: int = 90
    review_below_score: float = 0.6  # a suspicious verdict below this score waits for a person
    review_target_hours: float = 4.0  # how soon staff aim to settle a case

    @property
    def production(self) -> bool:
        """True when served over https (secure cookies, HSTS); secrets are mandatory either way."""
        return self.public_url.startswith("https://")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from environment variables (see DESIGN.md)."""
        env = os.environ if env is None else env
        tokens = tuple(t.strip() for t in env.get("VIGIE_API_TOKENS", "").split(",") if t.strip())
        return cls(
            db_path=Path(env.get("VIGIE_DB") or "var/vigie.sqlite3"),
            secret_key=env.get("SECRET_KEY", "").strip(),
            data_key=env.get("VIGIE_DATA_KEY", "").strip(),
            public_url=(env.get("PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/"),
            behind_proxy=_number(env, "BEHIND_PROXY", 0),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
            twilio_from=env.get("TWILIO_FROM", ""),
            twilio_media_hosts=tuple(h.strip().lower() for h in (env.get("TWILIO_MEDIA_HOSTS")
                                                                 or "api.twilio.com").split(",") if h.strip()),
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN", ""),
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", ""),
            telegram_api_url=(env.get("TELEGRAM_API_URL") or "https://api.telegram.org").rstrip("/"),
            mailgun_signing_key=env.get("MAILGUN_SIGNING_KEY", ""),
            smtp_url=env.get("SMTP_URL", ""),
            smtp_from=env.get("SMTP_FROM", ""),
            api_tokens=tokens,
            retention_days=_number(env, "VIGIE_RETENTION_DAYS", 90),
            review_below_score=_number(env, "VIGIE_REVIEW_BELOW_SCORE", 0.6, float),
            review_target_hours=_number(env, "VIGIE_REVIEW_TARGET_HOURS", 4.0, float),
        )
