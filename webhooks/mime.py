"""Parse a raw e-mail (MIME) into a Report: the forwarded message, its senders and its links."""
from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from html.parser import HTMLParser

from bot.report import Report

MAX_EML_BYTES = 10 * 1024 * 1024
MAX_BODY_CHARS = 50_000
_FORWARD_MARKERS = re.compile(
    r"^[ >]*(?:-{2,}\s*(?:Forwarded message|Message transf[ée]r[ée]|Original Message|Message d'origine)\s*-{2,}"
    r"|D[ée]but du message r[ée]exp[ée]di[ée]\s*:|Begin forwarded message\s*:)\s*$",
    re.I | re.M,
)
_INLINE_HEADER = re.compile(r"^[ >]*(From|De|Subject|Objet|Reply-To|R[ée]pondre [àa]|Date|To|[ÀA]|Cc)\s*:\s*(.*)$", re.I)
_AUTH_FAIL = re.compile(r"\b(?:spf|dkim|dmarc)=(?:fail|softfail|permerror)\b", re.I)


class EmailParseError(ValueError):
    """The bytes are not a usable e-mail message."""


@dataclass(frozen=True)
class ParsedEmail:
    """What Vigie needs from an e-mail, and the Message-ID for deduplication."""

    report: Report
    message_id: str
    outer_from: str  # who forwarded it (the patient), for the reply


def parse_eml(data: bytes) -> ParsedEmail:
    """Parse raw MIME; the forwarded message (attached or inline) is what gets analysed."""
    if not data or not data.strip():
        raise EmailParseError("the e-mail is empty")
    if len(data) > MAX_EML_BYTES:
        raise EmailParseError(f"the e-mail is larger than {MAX_EML_BYTES // (1024 * 1024)} MB")
    if b"\x00" in data[:4096]:
        raise EmailParseError("this is binary data, not an e-mail")
    outer = BytesParser(policy=policy.default).parsebytes(data)
    if not any(outer.get(h) for h in ("From", "Subject", "Date", "Message-ID", "Content-Type")):
        raise EmailParseError("no e-mail headers found")
    inner = _attached_message(outer)
    msg = inner or outer
    text, hidden = body_text(msg)
    sender, subject = _header(msg, "From"), _header(msg, "Subject")
    extra = [h for h in (_header(msg, "Reply-To"), _header(msg, "Return-Path")) if h]
    if inner is None:
        text, fwd_from, fwd_subject, fwd_reply_to = _inline_forward(text)
        if fwd_from:
            sender, subject = fwd_from, fwd_subject or subject
            extra = [fwd_reply_to] if fwd_reply_to else []
    auth = " ".join(str(v) for v in msg.get_all("Authentication-Results", []) or [])
    report = Report(
        text=text[:MAX_BODY_CHARS] or subject or "", channel="email", sender=sender or None,
        extra_senders=tuple(extra), subject=subject or None, hidden_links=tuple(hidden[:20]),
        auth_failed=bool(_AUTH_FAIL.search(auth)),
    )
    message_id = _header(msg, "Message-ID") or _header(outer, "Message-ID")
    return ParsedEmail(report, message_id.strip("<> "), _header(outer, "From"))


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, IndexError, TypeError, LookupError):
        value = msg.get_all(name, failobj=[""])[0] if hasattr(msg, "get_all") else ""
    return str(value or "").strip()[:998]


def _attached_message(msg: Message) -> Message | None:
    for part in msg.walk():
        if part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                return payload[0]
    return None


def body_text(msg: Message) -> tuple[str, list[str]]:
    """Plain text of the body (text/plain preferred, else HTML), and hidden link targets."""
    plain, html = [], []
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype in ("text/plain", "text/html"):
            (plain if ctype == "text/plain" else html).append(_decode(part))
    hidden: list[str] = []
    html_text = ""
    if html:
        parser = _HTMLText()
        parser.feed("\n".join(html)[: MAX_BODY_CHARS * 4])
        html_text, hidden = parser.text(), parser.hidden
    text = "\n".join(plain).strip() or html_text
    return text[:MAX_BODY_CHARS], hidden


def _decode(part: Message) -> str:
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else part.get_payload(decode=True)
    except (LookupError, UnicodeError, ValueError, AssertionError):
        content = part.get_payload(decode=True)
    if isinstance(content, bytes):
        charset = part.get_content_charset() or "utf-8"
        try:
            return content.decode(charset, errors="replace")
        except LookupError:
            return content.decode("latin-1", errors="replace")
    return str(content or "")


def _inline_forward(text: str) -> tuple[str, str, str, str]:
    """Split an inline forward: (inner text, From, Subject, Reply-To) when a marker is found."""
    m = _FORWARD_MARKERS.search(text)
    if not m:
        return text, "", "", ""
    rest = text[m.end():].lstrip("\n").splitlines()
    headers: dict[str, str] = {}
    i = 0
    while i < len(rest) and i < 12:
        hm = _INLINE_HEADER.match(rest[i])
        if not hm:
            if rest[i].strip():
                break
            i += 1
            continue
        headers.setdefault(hm.group(1).lower(), hm.group(2).strip())
        i += 1
    body = "\n".join(line.lstrip("> ") if line.startswith(">") else line for line in rest[i:])
    sender = headers.get("from") or headers.get("de", "")
    subject = headers.get("subject") or headers.get("objet", "")
    reply_to = next((v for k, v in headers.items() if k.startswith(("reply", "répondre", "repondre"))), "")
    return body.strip(), sender, subject, reply_to


class _HTMLText(HTMLParser):
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
