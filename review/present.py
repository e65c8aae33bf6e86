"""How the desk shows a message (pure): defanged indicators, evidence spans, patients' data masked, bidi made visible."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from bot.campaigns import EMAIL, NAME

# Direction overrides and isolates can make "moc.live" read as "evil.com": shown as visible marks.
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_SCHEME = re.compile(r"\b(h)tt(ps?)(?=:)|\b(javascript|data|vbscript)(:)", re.I)
_LOOSE_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.I)
# NIR: sex, year, month (or 20-99 for special cases), department (2A/2B), commune, order, optional key.
NIR = re.compile(r"\b[12]\s?\d{2}\s?(?:0[1-9]|1[0-2]|[2-9]\d)\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}(?:\s?\d{2})?\b")
_MONTHS = r"janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"
BIRTH_DATE = re.compile(
    rf"\b(?:0?[1-9]|[12]\d|3[01])(?:[/.-](?:0?[1-9]|1[0-2])[/.-]|\s+(?:{_MONTHS})\s+)(?:19\d\d|200\d|201[0-4])\b", re.I)
ADDRESS = re.compile(
    r"\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|chemin|allée|allee|impasse|place|route|quai|"
    r"cours|square|résidence|residence|lotissement|street|road)\b[^\n,;]{2,60}(?:,?\s*\d{5}\s+[A-ZÀ-Ý][\w' -]{1,40})?",
    re.I)
POSTCODE_TOWN = re.compile(r"\b\d{5}\s+[A-ZÀ-Ý][A-ZÀ-Ýa-zà-ÿ'-]{2,}(?:[ -][A-ZÀ-Ý][A-ZÀ-Ýa-zà-ÿ'-]+){0,2}\b")
MASK_LABELS = {"name": "[nom]", "birthdate": "[date de naissance]", "address": "[adresse]",
               "email": "[e-mail]", "nir": "[n° de sécurité sociale]"}


@dataclass(frozen=True)
class Segment:
    """A piece of the message as the desk shows it."""

    text: str  # already defanged and cleaned; the template escapes it
    kind: str = "plain"  # plain | link | phone | pii
    status: str = ""
    reasons: tuple[str, ...] = ()
    masked: bool = False


def clean(text: str) -> str:
    """Bidi controls become visible marks such as [U+202E]; nothing else changes."""
    return BIDI.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", text)


def defang(url: str) -> str:
    """hxxps://evil[.]com/path: a link that no browser or mail client turns back into a link."""
    url = clean(url)
    url = _SCHEME.sub(lambda m: f"{m.group(1)}xx{m.group(2)}" if m.group(1) else f"{m.group(3)}[:]", url)
    head, sep, rest = url.partition("://")
    if not sep:
        head, rest = "", url
    host, slash, path = rest.partition("/")
    return f"{head}{sep}{host.replace('.', '[.]').replace('@', '[@]')}{slash}{path}"


def defang_text(text: str) -> str:
    """Defang every link-looking run in free text (links the engine did not extract included)."""
    text = _LOOSE_URL.sub(lambda m: defang(m.group(0)), clean(text))
    return _SCHEME.sub(lambda m: f"{m.group(1)}xx{m.group(2)}" if m.group(1) else f"{m.group(3)}[:]", text)


def defang_value(kind: str, value: str) -> str:
    """An indicator or contact value as shown: domains and URLs defanged, numbers and sender IDs as they are."""
    if kind in ("domain", "email", "email_domain"):
        return clean(value).replace(".", "[.]")
    return defang(value) if kind == "url" else defang_text(value)


def personal_data(text: str, keep: Iterable[tuple[int, int]] = (), sender: str = "") -> list[tuple[int, int, str]]:
    """(start, end, kind) of a patient's own data in the text: names, birth dates, addresses, e-mails, NIR."""
    found: list[tuple[int, int, str]] = []
    for m in NAME.finditer(text):
        found.append((m.start("name"), m.end("name"), "name"))
    for pattern, kind in ((BIRTH_DATE, "birthdate"), (ADDRESS, "address"), (POSTCODE_TOWN, "address"),
                          (NIR, "nir")):
        found += [(m.start(), m.end(), kind) for m in pattern.finditer(text)]
    sender = sender.lower()
    found += [(m.start(), m.end(), "email") for m in EMAIL.finditer(text) if m.group(0).lower() not in sender]
    kept = list(keep)
    found = [f for f in found if not any(f[0] < e and s < f[1] for s, e in kept)]  # indicators stay visible
    found.sort()
    out: list[tuple[int, int, str]] = []
    for start, end, kind in found:
        if out and start < out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end, out[-1][2])
            continue
        out.append((start, end, kind))
    return out


def _atoms(data: Mapping[str, Any], text: str) -> list[tuple[int, int, str, str]]:
    atoms = []
    for key, kind in (("links", "link"), ("phones", "phone")):
        for item in data.get(key) or ():
            span = item.get("span")
            if isinstance(span, (list, tuple)) and len(span) == 2 and 0 <= span[0] < span[1] <= len(text):
                atoms.append((span[0], span[1], kind, str(item.get("status", ""))))
    atoms.sort()
    out: list[tuple[int, int, str, str]] = []
    for atom in atoms:
        if not out or atom[0] >= out[-1][1]:
            out.append(atom)
    return out


def segments(text: str, data: Mapping[str, Any], reveal: bool = False) -> list[Segment]:
    """The message cut into plain text, indicators, evidence and (masked) personal data."""
    atoms = _atoms(data, text)
    sender = str((data.get("sender") or {}).get("value", ""))
    pii = personal_data(text, [(a[0], a[1]) for a in atoms], sender)
    spans = [(r["span"][0], r["span"][1], r.get("code", "")) for r in data.get("reasons") or ()
             if isinstance(r.get("span"), (list, tuple)) and len(r["span"]) == 2]
    cuts = {0, len(text)} | {x for a in atoms for x in a[:2]} | {x for p in pii for x in p[:2]}
    cuts |= {min(max(x, 0), len(text)) for s in spans for x in s[:2]}
    bounds = sorted(cuts)
    out: list[Segment] = []
    for start, end in zip(bounds, bounds[1:]):
        atom = next((a for a in atoms if a[0] <= start and end <= a[1]), None)
        codes = tuple(dict.fromkeys(c for s, e, c in spans if s <= start and end <= e))
        if atom:
            piece = text[atom[0]:atom[1]]
            if out and out[-1].kind == atom[2] and start > atom[0]:
                continue  # the rest of an indicator already shown whole
            shown = defang(piece) if atom[2] == "link" else clean(piece)
            out.append(Segment(shown, atom[2], atom[3], codes))
            continue
        private = next((p for p in pii if p[0] <= start and end <= p[1]), None)
        if private and not reveal:
            if out and out[-1].kind == "pii" and out[-1].masked and start > private[0]:
                continue
            out.append(Segment(MASK_LABELS[private[2]], "pii", private[2], codes, masked=True))
            continue
        out.append(Segment(defang_text(text[start:end]), "pii" if private else "plain",
                           private[2] if private else "", codes))
    return out


# In a campaign's normalised text numbers are already "<n>", so an address reads "<n> rue des lilas".
_SIGNATURE_ADDRESS = re.compile(
    r"<n>\s+(?:rue|avenue|av|boulevard|bd|chemin|allee|impasse|place|route|quai|cours|square|residence|"
    r"lotissement|street|road)\b(?:\s+(?!<)[^\s<]{1,30}){0,5}")


def signature(text: str, limit: int = 140) -> str:
    """A campaign's normalised text as the desk shows it: addresses masked, like every excerpt."""
    return excerpt(_SIGNATURE_ADDRESS.sub(MASK_LABELS["address"], text or ""), {}, limit)


def excerpt(text: str, data: Mapping[str, Any], limit: int = 160) -> str:
    """A short masked, defanged, one-line excerpt of a message."""
    shown = "".join(s.text for s in segments(text[: limit * 3], data))
    shown = " ".join(shown.split())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def indicators(data: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(kind, shown value, status) of every link, number and the sender: defanged, never masked."""
    out = [("link", defang(str(x.get("url", ""))), str(x.get("status", ""))) for x in data.get("links") or ()]
    out += [("phone", clean(str(x.get("number", ""))), str(x.get("status", ""))) for x in data.get("phones") or ()]
    sender = data.get("sender") or {}
    if sender.get("value"):
        out.append(("sender", defang_text(str(sender["value"])), str(sender.get("status", ""))))
    return out
