"""What a person reads on a rendered page: text nodes and the attributes a browser shows (title, aria-label,
placeholder, alt, the label of a submit button), without scripts and styles, and without anything inside an
element marked `translate="no"` — the patients' messages, indicator values, names and e-mail addresses, which
are data, not the desk's words."""
from __future__ import annotations

import re
from html.parser import HTMLParser

SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_HIDDEN = {"script", "style", "head"}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hides its content)
        self.parts: list[str] = []

    @property
    def hidden(self) -> bool:
        return any(hides for _, hides in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hides = tag in _HIDDEN or values.get("translate") == "no"
        if not self.hidden and not hides:
            self.parts += [values[a] or "" for a in SHOWN_ATTRIBUTES if a in values]
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.parts.append(values.get("value") or "")
        if tag not in _VOID:
            self.stack.append((tag, hides))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):  # tolerant of unclosed elements (<li>, <p>)
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The page's visible words, user content left out."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
VALUE = re.compile(r"\S+@\S+|\b[a-z][a-z0-9+.-]*://\S+", re.I)  # e-mail addresses and URLs are values, not words


def words(text: str) -> list[str]:
    """Words as a reader sees them: letters only, split at apostrophes, hyphens, digits and punctuation."""
    return WORD.findall(VALUE.sub(" ", text))
