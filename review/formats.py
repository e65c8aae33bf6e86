"""How the desk writes dates and values for people: French, in Paris time ("1 déc. 2026, 01:53").

The words for stored values (verdicts, channels, kinds, statuses, audit actions...) live in review/texts/*.toml."""
from __future__ import annotations

import json
import tomllib
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, g, has_app_context
from markupsafe import Markup, escape

from store.refusal import Refusal

PARIS = ZoneInfo("Europe/Paris")
TEXTS = Path(__file__).resolve().parent / "texts"
LANGS = ("fr", "en")
MONTHS = {"fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
          "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}


@lru_cache(maxsize=None)
def texts(lang: str = "fr") -> dict[str, Any]:
    """The desk's words in one language (review/texts/<lang>.toml)."""
    with open(TEXTS / f"{lang if lang in LANGS else 'fr'}.toml", "rb") as f:
        return tomllib.load(f)


def lang() -> str:
    """The language of the page being rendered: the signed-in staff member's, French otherwise."""
    chosen = g.get("desk_lang") if has_app_context() else None
    return chosen if chosen in LANGS else "fr"


def gettext(text: str, **params: object) -> Markup:
    """A sentence of the desk in the page's language: the French text is the key of its translation in
    review/texts/<lang>.toml [pages] (as with gettext); untranslated, it stays French. The sentence is the
    project's own text (no markup in it); the values put into it are escaped."""
    if lang() != "fr":
        text = str(texts(lang()).get("pages", {}).get(text, text))
    return Markup(text).format(**params) if params else Markup(text)


def message(text: object) -> str:
    """An error message in the page's language: a refusal (store.refusal) in its own words, a sentence the desk
    knows through its translation; otherwise as it is (it may quote what someone typed, so it stays plain text
    for the template to escape)."""
    if isinstance(text, Refusal):
        return text.say(lang())
    text = str(text or "")
    return str(texts(lang()).get("pages", {}).get(text, text)) if lang() != "fr" else text


def word(value: object, section: str) -> str:
    """A stored value ("sms", "lookalike") in the desk's words ("SMS", "imitation"); unknown values as they are."""
    text = "" if value is None else str(value)
    return str(texts(lang()).get(section, {}).get(text, text or "—"))


def when(value: object) -> str:
    """An ISO timestamp (stored in UTC) as Paris time in French; a bare date as "1 déc. 2026"."""
    text = str(value or "").strip()
    if not text:
        return "—"
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text  # not a date: shown as it is
    months = MONTHS[lang()]
    if len(text) <= 10:  # a date without a time
        return f"{moment.day} {months[moment.month - 1]} {moment.year}"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(PARIS)
    return f"{local.day} {months[local.month - 1]} {local.year}, {local:%H:%M}"


def verdict(value: object) -> str:
    """A stored verdict ("scam") in the desk's words ("arnaque")."""
    return word(value, "verdict")


def role(value: object) -> str:
    """A staff role ("reviewer") in the desk's words ("relecture")."""
    return word(value, "role")


def action(value: object) -> str:
    """An audit action ("staff_add") in words ("compte créé")."""
    return word(value, "action")


def reports(cases: object, reporters: object, placed: bool = True) -> str:
    """A campaign's figures in words: "3 signalements par 2 patients", "2 signalements, aucun patient joignable"."""
    counts = texts(lang())["counts"]
    n_cases, n_people = int(cases or 0), int(reporters or 0)
    said = counts["report" if n_cases <= 1 else "reports"].format(n=n_cases)
    if not placed:
        return str(counts["unplaced"].format(reports=said))
    if not n_people:
        return str(counts["nobody"].format(reports=said))
    people = counts["patient" if n_people == 1 else "patients"].format(n=n_people)
    return str(counts["by"].format(reports=said, patients=people))


def _value(key: str, value: object) -> Markup:
    """One field's value: stored codes in words; what people typed or sent (notes, values) marked as data."""
    if value is None:
        return Markup("—")
    if isinstance(value, bool) or key in ("is_primary", "primary"):
        return escape(word("yes" if value else "no", "answer"))
    if isinstance(value, dict):
        return Markup("(") + Markup("; ").join(_field(k, v) for k, v in value.items()) + Markup(")")
    if isinstance(value, (list, tuple)):
        return Markup(", ").join(_value(key, v) for v in value)
    if key in ("verdict", "previous"):
        return escape(verdict(value))
    if isinstance(value, (int, float)):
        return escape(str(value))
    section = {"role": "role", "kind": "kind"}.get(key)
    if section:
        return escape(word(value, section))
    return Markup('<span translate="no">%s</span>') % value


def _field(key: str, value: object) -> Markup:
    return escape(word(key, "field")) + Markup(" : ") + _value(key, value)


def fields(detail: object) -> Markup:
    """An audit entry's detail, stored as JSON, as readable fields ("cas : 12 · décision : arnaque")."""
    text = str(detail or "")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return Markup('<span translate="no">%s</span>') % text
    return Markup(" · ").join(_field(key, value) for key, value in data.items()) or Markup("—")


def register(bp: Blueprint) -> None:
    """The desk's filters (`when`, `word`, `verdict_fr`, `role_fr`, `action_fr`, `fields`), `reports()`, `_()`,
    `message_in_lang()` and `desk_lang()` in every template."""
    bp.add_app_template_filter(when, "when")
    bp.add_app_template_filter(word, "word")
    bp.add_app_template_filter(verdict, "verdict_fr")
    bp.add_app_template_filter(role, "role_fr")
    bp.add_app_template_filter(action, "action_fr")
    bp.add_app_template_filter(fields, "fields")
    bp.add_app_template_global(reports, "reports")
    bp.add_app_template_global(gettext, "_")
    bp.add_app_template_global(message, "message_in_lang")
    bp.add_app_template_global(lang, "desk_lang")
