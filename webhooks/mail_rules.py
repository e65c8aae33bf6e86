"""E-mail that must never be answered (RFC 3834), and a command written above a quoted original."""
from __future__ import annotations

import re
from email.message import Message

from bot.conversation import command_of

_BULK = {"bulk", "list", "junk"}
_DAEMONS = {"mailer-daemon", "postmaster"}
# Where the quoted original starts: a "> " line, or the attribution line of a reply
# ("Le lun. 1 déc. 2026 à 10:00, Vigie <...> a écrit :", which mail clients may wrap).
_QUOTE_START = re.compile(
    r"^[ \t]*>|^[ \t]*(?:Le|On)\s[^\n]{0,200}(?:\n[^\n]{0,200})?\b(?:a\s+[ée]crit|wrote)\s*:[ \t]*$", re.M | re.I)


def never_answer(headers: Message, address: str, own_address: str, forwarded: bool) -> str | None:
    """Why this e-mail must get no reply (bounce, auto-reply, bulk or list mail, our own), or None."""
    local = address.split("@", 1)[0]
    if local in _DAEMONS:
        return "bounce (mailer-daemon)"
    if own_address and address == own_address:
        return "mail from Vigie's own address"
    ctype = _value(headers, "Content-Type").lower()
    if ctype.startswith("multipart/report"):
        return "delivery or read report (multipart/report)"
    if "Return-Path" in headers and _value(headers, "Return-Path").replace(" ", "") in ("<>", ""):
        return "bounce (empty Return-Path)"
    if _value(headers, "Auto-Submitted").lower() not in ("", "no"):
        return "auto-submitted"
    if "X-Autoreply" in headers or "X-Autorespond" in headers:
        return "auto-reply"
    if _value(headers, "Precedence").lower() in _BULK:
        return "bulk or list mail (Precedence)"
    if "List-Id" in headers:
        return "list mail (List-Id)"
    if "List-Unsubscribe" in headers and not forwarded:
        return "list mail (List-Unsubscribe)"
    return None


def command_above_quote(text: str) -> str | None:
    """The text written above a quoted original when it is a command ('STOP', 'OUBLI'), else None."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = _QUOTE_START.search(text)
    if not found:
        return None
    top = text[: found.start()].strip()
    return top if top and command_of(top) else None


def _value(headers: Message, name: str) -> str:
    try:
        return " ".join(str(headers.get(name, "") or "").split())
    except (ValueError, LookupError, TypeError, IndexError):  # a header the parser cannot read
        return "?"
