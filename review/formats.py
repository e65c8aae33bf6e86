"""How the desk writes dates and values for people: French, in Paris time ("1 déc. 2026, 01:53")."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint

PARIS = ZoneInfo("Europe/Paris")
MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
ROLES = {"reviewer": "relecture", "admin": "administration"}
VERDICTS = {"scam": "arnaque", "suspicious": "suspect", "legitimate": "authentique", "unknown": "inconnu"}


def when(value: object) -> str:
    """An ISO timestamp (stored in UTC) as Paris time in French; a bare date as "1 déc. 2026"."""
    text = str(value or "").strip()
    if not text:
        return "—"
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text  # not a date: shown as it is
    if len(text) <= 10:  # a date without a time
        return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(PARIS)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"


def verdict(value: object) -> str:
    """A stored verdict ("scam") in the desk's words ("arnaque")."""
    return VERDICTS.get(str(value or ""), str(value or "—"))


def role(value: object) -> str:
    """A staff role ("reviewer") in the desk's words ("relecture")."""
    return ROLES.get(str(value or ""), str(value or "—"))


def register(bp: Blueprint) -> None:
    """The filters `when`, `verdict_fr` and `role_fr` in every template of the app."""
    bp.add_app_template_filter(when, "when")
    bp.add_app_template_filter(verdict, "verdict_fr")
    bp.add_app_template_filter(role, "role_fr")
