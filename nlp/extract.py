"""Extract links, e-mail addresses, phone numbers, amounts and IBANs from refanged text.

Every regex here is linear: no nested quantifiers over overlapping classes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from nlp.types import Amount, Span

_URL = re.compile(
    r"\b(?:https?://\[[0-9a-f:.]{2,45}\](?::\d{1,5})?(?:/[^\s<>\"'`{}|\\^]{0,2000})?"
    r"|(?:https?://|www\.)[^\s<>\"'`{}|\\^\[\]]{1,2000})",
    re.I,
)
# A bare host: labels of letters/digits/hyphens joined by dots, then a path or not.
_HOST = re.compile(
    r"(?<![\w@./-])((?:[^\W_][\w-]{0,62}\.){1,8}[^\W\d_]{2,24})(?![\w@-])(/[^\s<>\"'`{}|\\^\[\]]{0,2000})?",
    re.UNICODE,
)
_EMAIL = re.compile(
    r"(?<![\w.+-])([\w.+-]{1,64})@((?:[^\W_][\w-]{0,62}\.){1,8}[^\W\d_]{2,24})(?![\w-])", re.UNICODE
)
# Top-level domains a bare name (no scheme, no www., no path) must end in to count as a link.
BARE_TLDS = frozenset(
    "fr com net org info eu uk be ch de es it nl pt pl ru cn us ca au nz in io co me ly to tv cc "
    "biz xyz top online site app shop live click link vip club icu buzz tk ml ga cf gq pw ws "
    "store website space fun tech support help services digital cloud email world life today "
    "gov gouv".split()
)
_TRAILING = ".,;:!?)»”’'\"*"
_AMOUNT_AFTER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[  .,]\d{3})+|\d+)(?:[.,](\d{1,2}))?\s?(€|eur\b|euros?\b|£|\$|gbp\b|usd\b|dollars?\b|pounds?\b)",
    re.I,
)
_AMOUNT_BEFORE = re.compile(r"(€|£|\$|gbp|usd|eur)\s?(\d{1,3}(?:,\d{3})+|\d+)(?:[.,](\d{1,2}))?(?![\d])", re.I)
_IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)\b")
_DIGIT_RUN = re.compile(r"(?<![\d+])(\+?\d(?:[ .-]?\d){7,14})(?!\d)")
_SHORT = re.compile(r"(?<![\d+.,/-])([1-9]\d{3,4})(?![\d,/-]|[.]\d|\s?(?:€|eur|£|\$|%|h\b|km))", re.I)
# French 4-digit service numbers (3BPQ: 3646, 3960, 3230) are often written in two pairs: "36 46".
_SHORT_PAIRS = re.compile(r"(?<![\d+.,/-])(3\d[ \u00a0\u202f]\d\d)(?![\d,/-]|[.]\d|\s?(?:€|eur|£|\$|%|h\b|km|min))", re.I)
_CURRENCY = {"€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "£": "GBP", "gbp": "GBP",
             "pound": "GBP", "pounds": "GBP", "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD"}


@dataclass(frozen=True)
class RawLink:
    url: str
    host: str
    span: Span


@dataclass(frozen=True)
class RawPhone:
    raw: str
    number: phonenumbers.PhoneNumber | None  # None for short numbers
    short: str
    span: Span


def _strip_trailing(text: str, start: int, end: int) -> tuple[str, int]:
    s = text[start:end]
    while s and s[-1] in _TRAILING:
        s = s[:-1]
    return s, start + len(s)


def links(text: str, is_host: "callable[[str], bool]") -> list[RawLink]:
    """Links with or without scheme; `is_host` says whether a bare name has a public suffix."""
    found: list[RawLink] = []
    taken: list[Span] = []
    for m in _URL.finditer(text):
        url, end = _strip_trailing(text, m.start(), m.end())
        host = _host_of(url)
        if host and ("." in host or ":" in host):  # a name, or an IPv6 literal
            found.append(RawLink(url, host, (m.start(), end)))
            taken.append((m.start(), end))
    for m in _HOST.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        if text[m.end(1):m.end(1) + 1] == "@" or (m.start() > 0 and text[m.start() - 1] == "@"):
            continue
        host = m.group(1).lower()
        if not m.group(2) and host.rsplit(".", 1)[-1] not in BARE_TLDS:
            continue  # "title.so", "me.she": without scheme, www or path, only common TLDs count
        if not is_host(host):
            continue
        url, end = _strip_trailing(text, m.start(), m.end())
        found.append(RawLink(url, host, (m.start(), end)))
    found.sort(key=lambda r: r.span)
    return found


def _host_of(url: str) -> str:
    rest = re.sub(r"^(?:https?://)", "", url, flags=re.I)
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1]  # user:pass@host
    if host.startswith("[") and "]" in host:  # IPv6 literal
        return host[1:host.index("]")].lower()
    return host.split(":", 1)[0].lower().rstrip(".")


def emails(text: str) -> list[tuple[str, str, Span]]:
    """E-mail addresses as (address, domain, span)."""
    return [(m.group(0).lower(), m.group(2).lower(), m.span()) for m in _EMAIL.finditer(text)]


def phones(text: str, regions: tuple[str, ...]) -> list[RawPhone]:
    """Phone numbers in national and international notations, and 4–5 digit short numbers."""
    found: list[RawPhone] = []
    spans: list[Span] = []
    for region in regions:
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            span = (m.start, m.end)
            if any(a < span[1] and span[0] < b for a, b in spans):
                continue
            found.append(RawPhone(m.raw_string, m.number, "", span))
            spans.append(span)
    for pattern in (_DIGIT_RUN, _SHORT, _SHORT_PAIRS):  # numbers no numbering plan knows, then short numbers
        for m in pattern.finditer(text):
            span = m.span(1)
            if any(a < span[1] and span[0] < b for a, b in spans):
                continue
            digits = re.sub(r"\D", "", m.group(1))
            overseas = _overseas(digits)
            if overseas is not None:
                found.append(RawPhone(m.group(1), overseas, "", span))
            else:
                found.append(RawPhone(m.group(1), None, ("+" if m.group(1).startswith("+") else "") + digits, span))
            spans.append(span)
    found.sort(key=lambda p: p.span)
    return found


# French overseas departments dial 0 + 9 digits at home but have their own country codes.
OVERSEAS_PREFIX = {"0262": "RE", "0263": "RE", "0692": "RE", "0693": "RE", "0590": "GP", "0690": "GP",
                    "0691": "GP", "0596": "MQ", "0696": "MQ", "0697": "MQ", "0594": "GF", "0694": "GF",
                    "0269": "YT", "0639": "YT", "0508": "PM"}


def _overseas(digits: str) -> phonenumbers.PhoneNumber | None:
    region = OVERSEAS_PREFIX.get(digits[:4]) if len(digits) == 10 else None
    if region is None:
        return None
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def amounts(text: str) -> list[Amount]:
    """Money amounts (€, EUR, euros, £, $)."""
    out: list[Amount] = []
    for m in _AMOUNT_AFTER.finditer(text):
        out.append(Amount(_number(m.group(1), m.group(2)), _CURRENCY[m.group(3).lower()], m.span()))
    for m in _AMOUNT_BEFORE.finditer(text):
        if any(a.span[0] <= m.start() < a.span[1] for a in out):
            continue
        out.append(Amount(_number(m.group(2), m.group(3)), _CURRENCY[m.group(1).lower()], m.span()))
    out.sort(key=lambda a: a.span)
    return out


def _number(whole: str, cents: str | None) -> float:
    digits = re.sub(r"\D", "", whole)
    return float(digits or 0) + (int(cents) / (10 ** len(cents)) if cents else 0.0)


def ibans(text: str) -> list[Span]:
    """IBANs whose mod-97 check passes."""
    return [m.span(1) for m in _IBAN.finditer(text) if _iban_ok(m.group(1))]


def _iban_ok(iban: str) -> bool:
    s = iban.replace(" ", "")
    if not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    digits = "".join(str(int(c, 36)) for c in moved)
    return int(digits) % 97 == 1
