"""How the desk writes dates and values for people: French, in Paris time ("1 déc. 2026, 01:53")."""
from __future__ import annotations

import json
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


ACTIONS = {"login": "connexion", "login_failed": "échec de connexion", "logout": "déconnexion",
           "reveal": "données patient affichées", "decide": "décision", "staff_add": "compte créé",
           "staff_role": "rôle changé", "staff_unlock": "compte débloqué", "staff_password": "mot de passe changé",
           "export_indicators": "export des indicateurs", "forget": "OUBLI (patient)", "stop": "STOP (patient)",
           "propose_contact": "contact proposé", "proposal": "proposition traitée"}
FIELDS = {"case": "cas", "campaign": "campagne", "staff": "compte", "role": "rôle", "email": "e-mail",
          "verdict": "décision", "notified": "suivis", "indicators": "indicateurs", "kind": "type",
          "format": "format", "count": "nombre", "value": "valeur", "institution": "établissement"}


def action(value: object) -> str:
    """An audit action ("staff_add") in words ("compte créé")."""
    return ACTIONS.get(str(value or ""), str(value or "—"))


def fields(detail: object) -> str:
    """An audit entry's detail, stored as JSON, as readable fields ("cas : 12 · décision : arnaque")."""
    text = str(detail or "")
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text
    parts = []
    for key, value in data.items():
        if isinstance(value, (list, tuple)):
            value = ", ".join(map(str, value))
        elif key == "verdict":
            value = verdict(value)
        elif key == "role":
            value = role(value)
        parts.append(f"{FIELDS.get(key, key)} : {value}")
    return " · ".join(parts) or "—"


def register(bp: Blueprint) -> None:
    """The desk's filters (`when`, `verdict_fr`, `role_fr`, `action_fr`, `fields`) in every template."""
    bp.add_app_template_filter(when, "when")
    bp.add_app_template_filter(verdict, "verdict_fr")
    bp.add_app_template_filter(role, "role_fr")
    bp.add_app_template_filter(action, "action_fr")
    bp.add_app_template_filter(fields, "fields")
