"""The visible text of an HTML e-mail body, and the links whose shown text hides another host."""
from __future__ import annotations

import re
from html.parser import HTMLParser


# An inline style that keeps an element from the reader's eyes. Senders of bulk phishing fill their
# e-mails with such invisible text ("hidden text salting") so that filters read something else than
# the patient sees; Vigie reads what the patient sees.
_INVISIBLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|(?:font-size|max-height|max-width)\s*:\s*0"
                        r"(?![.\d])|opacity\s*:\s*0(?:\.0+)?(?![.\d])", re.I)
# Elements that have no end tag: they cannot hide what follows them.
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
# Elements a browser closes by itself when the next one of their kind opens (and a paragraph when a
# block opens): `<p style="display:none">…<p>shown` shows the second paragraph, so Vigie reads it too —
# when in doubt, read more rather than let hidden markup hide what the patient sees.
_AUTO_CLOSE = frozenset("p li dt dd option tr td th".split())
_CLOSES_P = frozenset("address article aside blockquote div dl fieldset footer form h1 h2 h3 h4 h5 h6 header hr "
                      "main nav ol p pre section table ul".split())


class HtmlText(HTMLParser):
    """Visible text of an HTML body; a link whose text shows another host than its target is hidden.

    Text inside an element hidden by its inline style (or the `hidden` attribute) is left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: list[str] = []
        self._skip = 0
        self._href: str | None = None
        self._anchor: list[str] = []
        self._hiding: str | None = None  # the tag of the outermost invisible element open
        self._hiding_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._hiding is not None:
            if not self._closes_hidden(tag):
                self._hiding_depth += tag == self._hiding
                return
            self._hiding, self._hiding_depth = None, 0  # and this element opens as any other
        if tag not in _VOID and _invisible(attrs):
            self._hiding, self._hiding_depth = tag, 1
            return
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
        elif tag == "a":
            self._href = dict(attrs).get("href") or None
            self._anchor = []
        elif tag in ("br", "p", "div", "tr", "li", "h1", "h2", "h3", "table"):
            self.parts.append("\n")

    def _closes_hidden(self, tag: str) -> bool:
        """Does opening `tag` close the invisible element, as a browser would?"""
        return (tag == self._hiding and tag in _AUTO_CLOSE) or (self._hiding == "p" and tag in _CLOSES_P)

    def handle_endtag(self, tag: str) -> None:
        if self._hiding is not None:
            if tag == self._hiding:
                self._hiding_depth -= 1
                if self._hiding_depth == 0:
                    self._hiding = None
            return
        if tag in ("script", "style", "head", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag == "a" and self._href:
            shown = "".join(self._anchor).strip()
            if self._href.lower().startswith(("http://", "https://")) and _host(self._href) not in shown.lower():
                self.hidden.append(self._href[:2000])
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._skip or self._hiding is not None:
            return
        self.parts.append(data)
        if self._href is not None:
            self._anchor.append(data)

    def text(self) -> str:
        """The collected text with blank runs squeezed."""
        joined = "".join(self.parts)
        return re.sub(r"\n\s*\n+", "\n\n", re.sub(r"[ \t\r\f\v]+", " ", joined)).strip()


def _invisible(attrs: list[tuple[str, str | None]]) -> bool:
    """Does the element's inline style (or `hidden` attribute) keep it from view?"""
    for name, value in attrs:
        if name == "hidden" or (name == "style" and value and _INVISIBLE.search(value[:2000])):
            return True
    return False


def _host(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return re.split(r"[/?#:]", rest, maxsplit=1)[0].lower()
