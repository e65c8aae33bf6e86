"""Sanitising what a channel parsed before it is analysed, stored or put in an outgoing header."""
from __future__ import annotations

import re
from dataclasses import fields, replace

from bot.report import Report

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 controls except tab and newline; DEL. CR is turned into a newline first.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_MSG_ID = re.compile(r"<([^<>\s\"\\]{1,250})>|([^<>\s\"\\]{1,120}@[^<>\s\"\\]{1,120})")


def text(value: str) -> str:
    """`value` storable and analysable: a lone surrogate becomes U+FFFD, controls become spaces."""
    value = _SURROGATE.sub("\ufffd", value)
    return _CONTROL.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(value: str, limit: int = 998) -> str:
    """A header-safe value: `text` on one line (no CR/LF to inject another header), at most `limit`."""
    return _LINE_BREAK.sub(" ", text(value)).strip()[:limit]


def message_id(value: str) -> str:
    """The first well-formed `<id@host>` in a Message-ID header, else '' (never CR/LF or spaces)."""
    found = _MSG_ID.search(_SURROGATE.sub("", value or ""))
    return f"<{found.group(1) or found.group(2)}>" if found else ""


def report(rep: Report) -> Report:
    """The report with every text field sanitised (text keeps its lines; the others are one line)."""
    changes: dict[str, object] = {}
    for f in fields(rep):
        value = getattr(rep, f.name)
        if f.name == "text" and isinstance(value, str):
            changes[f.name] = text(value)
        elif isinstance(value, str):
            changes[f.name] = one_line(value, 2000)
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            changes[f.name] = tuple(one_line(v, 2000) for v in value)
    return replace(rep, **changes)
