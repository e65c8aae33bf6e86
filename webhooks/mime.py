"""Parse a raw e-mail (MIME) into a Report: the forwarded message, its senders and its links."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from email import errors as email_errors
from email.message import Message
from email.policy import EmailPolicy
from email.parser import BytesHeaderParser, BytesParser
from typing import Iterator

from bot.report import Report
from service import clean
from service.picture import MAX_PICTURES
from webhooks import mail_auth
from webhooks.attachments import risky_types
from webhooks.html_text import HtmlText
from webhooks.mail_rules import command_above_quote

MAX_EML_BYTES = 10 * 1024 * 1024
MAX_BODY_CHARS = 50_000
MAX_DEPTH = 12  # multipart levels walked; real mail nests 3 or 4 deep
MAX_PARTS = 500  # parts walked in one e-mail
MAX_MULTIPART_HEADERS = 100  # more multipart containers than this: the parser would recurse too deep
# What the e-mail library raises on hostile input (a broken header, an odd charset, deep nesting).
PARSE_ERRORS = (ValueError, LookupError, IndexError, TypeError, AttributeError, AssertionError,
                RecursionError, email_errors.MessageError)
_MULTIPART = re.compile(rb"^content-type:[ \t]*multipart/", re.I | re.M)
_PART_LINE = re.compile(rb"^(?:content-type:|--[^\s-])", re.I | re.M)  # a part header or a boundary
_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{0,60}:[ \t]", re.M)
_UNSAFE_CHARSETS = {"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape"}
MAX_HEADER_CHARS = 2048  # a header is parsed from at most this much of its value
MAX_HEADER_LINES = 3000  # header-like lines in the whole e-mail (a real one has a few hundred)
MAX_HEAD_BYTES = 256 * 1024  # the header block kept when only the headers are parsed
MAX_SAME_HEADER = 20  # occurrences of one header read (Authentication-Results)
MAX_IMAGES = MAX_PICTURES  # images taken from one e-mail: as many as the intake reads
# An e-mail with fewer words than this is a note around a picture ("est-ce une arnaque ?" and a
# screenshot, or a phishing e-mail that is one image): the picture is read. A longer text is the
# message itself and its images are logos.
PICTURE_WHEN_WORDS_UNDER = 40


class _BoundedPolicy(EmailPolicy):
    """policy.default, but a header value is cut before it is parsed: a 1 MB Subject of encoded
    words costs the header parser seconds and gigabytes."""

    def header_fetch_parse(self, name, value):  # type: ignore[no-untyped-def]
        """Parse at most MAX_HEADER_CHARS of the value."""
        return super().header_fetch_parse(name, value[:MAX_HEADER_CHARS])


POLICY = _BoundedPolicy()
_FORWARD_MARKERS = re.compile(
    r"^[ >]*(?:-{2,}\s*(?:Forwarded message|Message transf[ée]r[ée]|Original Message|Message d'origine)\s*-{2,}"
    r"|D[ée]but du message r[ée]exp[ée]di[ée]\s*:|Begin forwarded message\s*:)\s*$",
    re.I | re.M,
)
_INLINE_HEADER = re.compile(r"^[ >]*(From|De|Subject|Objet|Reply-To|R[ée]pondre [àa]|Date|To|[ÀA]|Cc)\s*:\s*(.*)$", re.I)


class EmailParseError(ValueError):
    """The bytes are not a usable e-mail message."""


@dataclass(frozen=True)
class ParsedEmail:
    """What Vigie needs from an e-mail, and the Message-ID for deduplication."""

    report: Report
    message_id: str
    outer_from: str  # who forwarded it (the patient), for the reply
    forwarded: bool = False  # a forward (attached or inline), not a message written to Vigie
    pictures: tuple[bytes, ...] = ()  # images attached or inline, when the text says little (a screenshot sent)


def parse_eml(data: bytes) -> ParsedEmail:
    """Parse raw MIME; the forwarded message (attached or inline) is what gets analysed."""
    if not data or not data.strip():
        raise EmailParseError("the e-mail is empty")
    if len(data) > MAX_EML_BYTES:
        raise EmailParseError(f"the e-mail is larger than {MAX_EML_BYTES // (1024 * 1024)} MB")
    if b"\x00" in data[:4096]:
        raise EmailParseError("this is binary data, not an e-mail")
    outer, flat = _parse(data)
    if not any(_header(outer, h) for h in ("From", "Subject", "Date", "Message-ID", "Content-Type")):
        raise EmailParseError("no e-mail headers found")
    inner = None if flat else _attached_message(outer)
    msg = inner or outer
    text, hidden = _flat_text(data) if flat else body_text(msg)
    sender, subject = _header(msg, "From"), _header(msg, "Subject")
    # Only Reply-To says where answers go. Return-Path is the bounce address, which mailing services set to
    # their own domain for nearly every genuine newsletter and notice: read as a reply address, it called them
    # "replies would go elsewhere" and kept them from ever being answered "legitimate".
    extra = [h for h in (_header(msg, "Reply-To"),) if h]
    command = command_above_quote(text) if inner is None else None
    forwarded = inner is not None or (command is None and _FORWARD_MARKERS.search(text) is not None)
    if command:  # "STOP" written above the quoted original is the command, not a new report
        text = command
    elif inner is None:
        text, fwd_from, fwd_subject, fwd_reply_to = _inline_forward(text)
        if fwd_from:
            sender, subject = fwd_from, fwd_subject or subject
            extra = [fwd_reply_to] if fwd_reply_to else []
    # Any failure counts; a pass proves nothing (mail_auth). An inline forward's headers are the patient's own
    # e-mail's: a failure there says nothing of the message they pasted.
    auth = "" if inner is None and forwarded else _header(msg, "Authentication-Results", every=True)
    report = Report(
        text=text[:MAX_BODY_CHARS] or subject or "", channel="email", sender=sender or None,
        extra_senders=tuple(extra), subject=subject or None, hidden_links=tuple(hidden[:20]),
        auth_failed=mail_auth.failed(auth),
        risky_attachments=() if flat else risky_types(msg, parts, PARSE_ERRORS),
    )
    message_id = clean.message_id(_header(msg, "Message-ID")) or clean.message_id(_header(outer, "Message-ID"))
    found = () if flat or len(text.split()) >= PICTURE_WHEN_WORDS_UNDER else images(msg, outer)
    return ParsedEmail(report, message_id.strip("<>"), _header(outer, "From"), forwarded, found)


def images(*messages: Message, limit: int = MAX_IMAGES) -> tuple[bytes, ...]:
    """The bytes of the image parts (attached or inline) of the first message that has some, at most `limit`."""
    for msg in messages:
        found: list[bytes] = []
        for part in parts(msg):
            if len(found) >= limit:
                break
            if _content_type(part).startswith("image/"):
                try:
                    data = part.get_payload(decode=True)
                except PARSE_ERRORS:
                    continue
                if isinstance(data, bytes) and data not in found:  # the same logo inline twice is one image
                    found.append(data)
        if found:
            return tuple(found)
    return ()


def _parse(data: bytes) -> tuple[Message, bool]:
    """The parsed message, and True when only its headers were parsed (too many parts, or too deep).

    The e-mail library needs seconds for 20,000 parts and recurses once per nested multipart."""
    if (len(_MULTIPART.findall(data)) <= MAX_MULTIPART_HEADERS
            and len(_PART_LINE.findall(data)) <= 2 * MAX_PARTS
            and len(_HEADER_LINE.findall(data)) <= MAX_HEADER_LINES):
        try:
            return BytesParser(policy=POLICY).parsebytes(data), False
        except RecursionError:
            pass
    head = data[:MAX_HEAD_BYTES]
    head = head[: head.rfind(b"\n") + 1] if len(data) > MAX_HEAD_BYTES else head
    try:
        return BytesHeaderParser(policy=POLICY).parsebytes(head), True
    except PARSE_ERRORS as exc:
        raise EmailParseError("the e-mail headers cannot be parsed") from exc


def _flat_text(data: bytes) -> tuple[str, list[str]]:
    """The raw body as text, for an e-mail with too many parts to parse: a person will read it."""
    body = data.split(b"\r\n\r\n", 1)[-1] if b"\r\n\r\n" in data else data.split(b"\n\n", 1)[-1]
    return body[: MAX_BODY_CHARS * 2].decode("utf-8", errors="replace")[:MAX_BODY_CHARS], []


def _header(msg: Message, name: str, every: bool = False) -> str:
    """One header (or all of them, joined) as one clean line; a broken header is read raw."""
    raw = [v for k, v in msg.raw_items() if k.lower() == name.lower()][: MAX_SAME_HEADER if every else 1]
    values = []
    for value in raw:
        try:
            values.append(str(msg.policy.header_fetch_parse(name, value)))
        except PARSE_ERRORS:
            values.append(str(value))
    return clean.one_line(" ".join(values))


def parts(msg: Message) -> Iterator[Message]:
    """The parts of `msg` depth-first, at most MAX_DEPTH levels and MAX_PARTS parts (no recursion)."""
    stack, seen = [(msg, 0)], 0
    while stack and seen < MAX_PARTS:
        part, level = stack.pop()
        seen += 1
        yield part
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list) and level < MAX_DEPTH:
            stack.extend((p, level + 1) for p in reversed(payload[:MAX_PARTS]) if isinstance(p, Message))


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except PARSE_ERRORS:
        return "application/octet-stream"


def _is_attachment(part: Message) -> bool:
    try:
        return part.get_content_disposition() == "attachment"
    except PARSE_ERRORS:
        return False


def _attached_message(msg: Message) -> Message | None:
    for part in parts(msg):
        if _content_type(part) == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
    return None


def body_text(msg: Message) -> tuple[str, list[str]]:
    """Plain text of the body (text/plain preferred, else HTML), and hidden link targets."""
    plain, html = [], []
    for part in parts(msg):
        if part.is_multipart() or _is_attachment(part):
            continue
        ctype = _content_type(part)
        if ctype in ("text/plain", "text/html"):
            (plain if ctype == "text/plain" else html).append(_decode(part))
    hidden: list[str] = []
    html_text = ""
    if html:
        parser = HtmlText()
        parser.feed("\n".join(html)[: MAX_BODY_CHARS * 4])
        html_text, hidden = parser.text(), parser.hidden
    text = "\n".join(plain).strip() or html_text
    return text[:MAX_BODY_CHARS], hidden


def _decode(part: Message) -> str:
    """The text of one part, decoded with its charset when that is a real text charset."""
    try:
        content = part.get_payload(decode=True)
    except PARSE_ERRORS:
        content = str(part.get_payload() or "").encode("utf-8", errors="surrogateescape")
    if not isinstance(content, bytes):
        return str(content or "")
    charset = _charset(part)
    try:
        return content.decode(charset, errors="replace")
    except (UnicodeError, LookupError, ValueError):  # a codec that cannot replace (utf-7 and kin)
        return content.decode("latin-1", errors="replace")


def _charset(part: Message) -> str:
    """The part's charset when Python knows it as a text encoding; else utf-8 (idna, undefined...)."""
    try:
        name = part.get_content_charset() or "utf-8"
        info = codecs.lookup(name)
    except (LookupError, *PARSE_ERRORS):
        return "utf-8"
    if not getattr(info, "_is_text_encoding", True) or info.name in _UNSAFE_CHARSETS:
        return "utf-8"
    return info.name


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
