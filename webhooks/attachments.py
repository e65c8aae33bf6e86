"""The attachments of a forwarded e-mail that can run code or reconfigure the patient's device."""
from __future__ import annotations

from email.message import Message
from typing import Callable, Iterator

from nlp import domains

MAX_TYPES = 5  # kinds named in one reason


def risky_types(msg: Message, walk: Callable[[Message], Iterator[Message]], errors: tuple[type[BaseException], ...]
                ) -> tuple[str, ...]:
    """The extensions (".exe", ".mobileconfig") of `msg`'s attachments that run code or change a device's
    settings, in the order met. Only the extension is kept: a file's name may hold the patient's."""
    found: list[str] = []
    for part in walk(msg):
        try:
            name = (part.get_filename() or "").rstrip(" .")  # Windows drops trailing dots and spaces: "Facture.exe."
        except errors:
            continue
        ext = name.rsplit(".", 1)[-1].strip().lower() if "." in name else ""
        if ext in domains.risky_attachments() and f".{ext}" not in found:
            found.append(f".{ext}")
            if len(found) >= MAX_TYPES:
                break
    return tuple(found)
