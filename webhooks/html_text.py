"""The visible text of an HTML e-mail body, and the links whose shown text hides another host."""
from __future__ import annotations

import re
from html.parser import HTMLParser


class HtmlText(HTMLParser):
    """Visible text of an HTML body; a link whose text shows another host than its target is hidden."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: list[str] = []
        self._skip = 0
        self._href: str | None = None
        self._anchor: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
        elif tag == "a":
            self._href = dict(attrs).get("href") or None
            self._anchor = []
        elif tag in ("br", "p", "div", "tr", "li", "h1", "h2", "h3", "table"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag == "a" and self._href:
            shown = "".join(self._anchor).strip()
            if self._href.lower().startswith(("http://", "https://")) and _host(self._href) not in shown.lower():
                self.hidden.append(self._href[:2000])
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data)
        if self._href is not None:
            self._anchor.append(data)

    def text(self) -> str:
        """The collected text with blank runs squeezed."""
        joined = "".join(self.parts)
        return re.sub(r"\n\s*\n+", "\n\n", re.sub(r"[ \t\r\f\v]+", " ", joined)).strip()


def _host(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return re.split(r"[/?#:]", rest, maxsplit=1)[0].lower()
