"""Campaigns: a message's fingerprint (what varies replaced by placeholders) and when two reports belong together."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from rapidfuzz import fuzz, process

from bot import replies
from bot.report import Report
from nlp import analyse
from nlp.domains import site_of
from nlp.types import Findings

# Two texts belong to one campaign when their normalised forms are this similar (rapidfuzz ratio, 0..1).
TEXT_SIMILARITY = 0.9
# Below this many characters a normalised text says too little to group on wording alone.
MIN_TEXT_LENGTH = 25
# Two pictures are one screenshot passed on (recompressed, resized, another clock) when their 256-bit dhash
# differ in at most this many bits. Measured on 60 generated screens (bench/picture_twins.py): re-sent copies
# 0-13 bits apart, different screens of the same app 22 or more; the same message captured on another phone
# (another font) is 14-95 apart and is grouped by its OCR text instead. Must stay under store.case_pictures.BANDS.
PICTURE_DISTANCE = 15

# Shapes: a message whose links are all official never joins one with a non-official link.
NO_LINK, OFFICIAL_LINKS, OTHER_LINKS = "none", "official", "other"
_NOT_AN_INDICATOR = {"official"}

_TITLES = r"(?:Madame|Monsieur|Mademoiselle|Mme|Mlle|M\.|Mr\.?|Mrs\.?|Ms\.?|Docteur|Dr\.?)"
_GREETINGS = r"(?:Bonjour|Bonsoir|Salut|Cher|Chère|Chers|Hello|Hi|Dear)"
_NAME_WORD = r"(?!(?:Madame|Monsieur|Mademoiselle)\b)[A-ZÀ-Ý][A-Za-zÀ-ÿ'’-]+"
# A person's name after a title or a greeting: "Bonjour Madame Marie DUPONT", "Dear Mr Smith".
NAME = re.compile(rf"\b(?:(?P<greet>{_GREETINGS})\s+(?:{_TITLES}\s*)?|{_TITLES}\s*)(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}})")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
_MONTHS = ("janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|"
           "january|february|march|april|may|june|july|august|september|october|november|december")
_DATE = re.compile(rf"\b\d{{1,2}}[/.-]\d{{1,2}}(?:[/.-]\d{{2,4}})?\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
                   rf"|\b\d{{1,2}}(?:er)?\s+(?:{_MONTHS})(?:\s+\d{{4}})?\b")
_AMOUNT = re.compile(r"\d+(?:[.,]\d+)?\s?(?:€|eur\b|euros?\b|£|\$)|[€£$]\s?\d+(?:[.,]\d+)?")
_TIME = re.compile(r"\b\d{1,2}\s?[h:]\s?\d{0,2}\b")
_NUMBER = re.compile(r"\d+")
_NOISE = re.compile(r"[^\w<>]+")


@dataclass(frozen=True)
class Mark:
    """A link or a phone number found in the analysed text, with its judgement."""

    start: int
    end: int
    kind: str  # link | phone
    status: str


@dataclass(frozen=True)
class Fingerprint:
    """What two reports of one campaign share: the link shape, the normalised text, the indicators."""

    shape: str
    text: str
    indicators: tuple[tuple[str, str], ...]

    def to_json(self) -> dict[str, Any]:
        """The form stored with a case's verdict (so the desk never derives it again)."""
        return {"shape": self.shape, "text": self.text, "indicators": [list(i) for i in self.indicators]}

    @classmethod
    def from_json(cls, data: Any) -> "Fingerprint | None":
        """The stored form back, or None when absent or unreadable."""
        try:
            return cls(str(data["shape"]), str(data["text"]),
                       tuple((str(kind), str(value)) for kind, value in data["indicators"]))
        except (KeyError, TypeError, ValueError):
            return None

    @property
    def key(self) -> str:
        """A stable hash of shape and text (exact-match lookups)."""
        return hashlib.sha1(f"{self.shape}\n{self.text}".encode("utf-8")).hexdigest()

    @property
    def wording_counts(self) -> bool:
        """True when the text is long enough to group on wording alone."""
        return len(self.text) >= MIN_TEXT_LENGTH


def analysed_text(text: str, subject: str | None, data: Mapping[str, Any]) -> str:
    """The text the verdict's spans refer to: stored with the verdict, or rebuilt by the analyser's own function."""
    if isinstance(data.get("text"), str):
        return data["text"]
    return analyse.analysed_text(Report(text or "", subject=subject).full_text())


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def normalise(text: str, marks: Iterable[Mark] = ()) -> str:
    """The text with links, numbers, amounts, dates, names and e-mail addresses as placeholders."""
    out, last = [], 0
    for m in sorted(marks, key=lambda m: m.start):
        if m.start < last:
            continue
        out.append(text[last:m.start])
        out.append(" <lien-officiel> " if m.kind == "link" and m.status == "official"
                   else " <lien> " if m.kind == "link" else " <num> ")
        last = m.end
    out.append(text[last:])
    text = NAME.sub(lambda m: f"{m.group('greet') or ''} <nom> ", "".join(out))
    text = EMAIL.sub(" <mail> ", text)
    text = _URL.sub(" <lien> ", text)
    text = _fold(text)
    for pattern, holder in ((_DATE, " <date> "), (_AMOUNT, " <montant> "), (_TIME, " <heure> "),
                            (_NUMBER, " <n> ")):
        text = pattern.sub(holder, text)
    return " ".join(_NOISE.sub(" ", text).split())


def shape_of(marks: Iterable[Mark]) -> str:
    """none / official / other: whether the message links only to official sites."""
    links = [m.status for m in marks if m.kind == "link"]
    if not links:
        return NO_LINK
    return OFFICIAL_LINKS if all(s == "official" for s in links) else OTHER_LINKS


def link_indicator(url: str, domain: str, status: str) -> tuple[str, str] | None:
    """The indicator a non-official link contributes: its registrable domain — on a platform that hands out
    names to anyone (web.app, wixsite.com, github.io), the site's own name, never the platform's (a shortener:
    the URL)."""
    if status in _NOT_AN_INDICATOR or not domain:
        return None
    if status == "shortener":
        return ("url", url.strip().lower())
    return ("domain", site_of(domain))


def sender_indicator(value: str, status: str) -> tuple[str, str] | None:
    """The indicator a non-official sender contributes: a phone number, or the sender as shown."""
    if not value or status in _NOT_AN_INDICATOR:
        return None
    if re.fullmatch(r"\+?\d{3,15}", value):
        return ("phone", value)
    return ("sender", value.lower() if "@" in value else value)


def from_verdict(data: Mapping[str, Any], text: str) -> Fingerprint:
    """The fingerprint of a stored verdict JSON over its analysed text."""
    marks = [Mark(*link["span"], "link", link.get("status", "")) for link in data.get("links") or ()
             if _span_ok(link.get("span"), text)
             and str(link.get("domain", "")).lower() in text[link["span"][0]:link["span"][1]].lower()]
    marks += [Mark(*ph["span"], "phone", ph.get("status", "")) for ph in data.get("phones") or ()
              if _span_ok(ph.get("span"), text)]
    found = [link_indicator(x.get("url", ""), x.get("domain", ""), x.get("status", "")) for x in data.get("links") or ()]
    found += [("phone", p["number"]) for p in data.get("phones") or () if p.get("status") not in _NOT_AN_INDICATOR]
    sender = data.get("sender") or {}
    found.append(sender_indicator(sender.get("value", ""), sender.get("status", "")))
    return Fingerprint(shape_of(marks), normalise(text, marks), _unique(found))


def of_case(text: str, subject: str | None, data: Mapping[str, Any]) -> Fingerprint:
    """A stored case's fingerprint: the one computed when it was checked (cases stored before
    fingerprints were stored: derived from their verdict JSON)."""
    return Fingerprint.from_json(data.get("fingerprint")) or from_verdict(data, analysed_text(text, subject, data))


def from_findings(f: Findings) -> Fingerprint:
    """The fingerprint of a message the engine just analysed."""
    marks = [Mark(x.span[0], x.span[1], "link", x.status) for x in f.links]
    marks += [Mark(x.span[0], x.span[1], "phone", x.status) for x in f.phones]
    found = [link_indicator(x.url, x.domain, x.status) for x in f.links]
    found += [("phone", x.number) for x in f.phones if x.status not in _NOT_AN_INDICATOR]
    if f.sender:
        found.append(sender_indicator(f.sender.value, f.sender.status))
    return Fingerprint(shape_of(marks), normalise(f.text, marks), _unique(found))


def _span_ok(span: Any, text: str) -> bool:
    return isinstance(span, (list, tuple)) and len(span) == 2 and 0 <= span[0] < span[1] <= len(text)


def _unique(found: Iterable[tuple[str, str] | None]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({x for x in found if x and x[1]}))


def vouches(known: Iterable[tuple[str, str]], indicators: Iterable[tuple[str, str]]) -> bool:
    """Whether a campaign a person found genuine vouches for a message: every non-official contact in it
    (link, number, sender) is one the campaign already held. Staff confirmed what they saw; the same
    wording with another link or number is how a genuine message is cloned, and is never vouched for."""
    return set(indicators) <= set(known)


def may_join(a: str, b: str) -> bool:
    """Whether two shapes may share a campaign: official-only links never join non-official ones."""
    return {a, b} != {OFFICIAL_LINKS, OTHER_LINKS}


def similar(a: str, b: str) -> bool:
    """True when two normalised texts match at TEXT_SIMILARITY or above."""
    return fuzz.ratio(a, b) >= TEXT_SIMILARITY * 100


def length_window(length: int) -> tuple[int, int]:
    """The text lengths that can reach TEXT_SIMILARITY with a text of `length` characters."""
    low = TEXT_SIMILARITY / (2 - TEXT_SIMILARITY)
    return int(length * low), int(length / low) + 1


def best_match(fp: Fingerprint, candidates: Mapping[Any, str]) -> Any | None:
    """The key of the candidate text most similar to `fp.text`, when it reaches TEXT_SIMILARITY."""
    if not fp.wording_counts or not candidates:
        return None
    found = process.extractOne(fp.text, candidates, scorer=fuzz.ratio, score_cutoff=TEXT_SIMILARITY * 100)
    return found[2] if found else None


def followup(lang: str, verdict: str, decided_at: str, received_at: str = "") -> str:
    """The follow-up a reporter receives once a person settled their campaign."""
    lang = lang if lang in replies.LANGS else "fr"
    head = replies.t(lang, "followup", "intro", date=received_at[:10]) if received_at else ""
    body = replies.t(lang, "followup", verdict, date=decided_at[:10])
    return " ".join(x for x in (head, body, replies.t(lang, "followup", "stop")) if x)
