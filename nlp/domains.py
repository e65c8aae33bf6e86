"""Domain helpers: public-suffix split (offline), punycode, confusable skeletons, lookalike tests."""
from __future__ import annotations

import ipaddress
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable

import idna
import tldextract
from rapidfuzz.distance import Levenshtein

from nlp.text import fold, fold_compact

# Offline: the suffix list bundled with tldextract, never fetched.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

# Latin look-alikes from other scripts and digits (a subset of Unicode TR39 confusables
# that registries accept), mapped to the Latin letter they imitate.
_CONFUSABLE = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "ӏ": "l", "м": "m", "т": "t", "в": "b", "к": "k",
    "н": "h", "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i", "κ": "k", "ε": "e",
    "0": "o", "1": "l", "3": "e", "5": "s", "ı": "i", "ł": "l",
})


# Public suffixes only public bodies can register under: a name there is not a lookalike.
RESTRICTED_SUFFIXES = frozenset({"gouv.fr", "gov.uk", "nhs.uk", "gov.au", "gov", "mil"})


@dataclass(frozen=True)
class HostParts:
    host: str  # ASCII (punycode) host
    unicode_host: str
    registered: str  # registrable domain, e.g. "ameli.fr", "sante.gouv.fr"
    label: str  # the label under the public suffix, e.g. "ameli"
    suffix: str  # e.g. "fr", "gouv.fr"
    subdomain: str


@lru_cache(maxsize=8192)
def split_host(host: str) -> HostParts | None:
    """Split a host into its parts, or None when it has no public suffix."""
    host = host.strip().strip(".").lower()
    if not host or len(host) > 253:
        return None
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        ascii_host = host if host.isascii() else ""
    if not ascii_host:
        return None
    try:
        unicode_host = idna.decode(ascii_host)
    except (idna.IDNAError, UnicodeError):
        unicode_host = host
    ext = _EXTRACT(ascii_host)
    if not ext.suffix or not ext.domain:
        return None
    return HostParts(ascii_host, unicode_host, f"{ext.domain}.{ext.suffix}", ext.domain,
                     ext.suffix, ext.subdomain)


def has_public_suffix(host: str) -> bool:
    """True when `host` ends in a known public suffix (so it can be a link)."""
    return split_host(host) is not None


def is_ip(host: str) -> bool:
    """True for an IPv4 or IPv6 literal."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def skeleton(label: str) -> str:
    """A confusable skeleton: accents stripped, look-alike letters mapped to Latin."""
    decomposed = unicodedata.normalize("NFKD", label.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.translate(_CONFUSABLE).replace("rn", "m").replace("vv", "w")


def unicode_label(label: str) -> str:
    """The Unicode form of a punycode label (itself when not punycode)."""
    if not label.startswith("xn--"):
        return label
    try:
        return idna.decode(label)
    except (idna.IDNAError, UnicodeError):
        return label


def tokens(label: str) -> list[str]:
    """The hyphen-separated words of a label, plus the label without hyphens."""
    parts = [p for p in label.split("-") if p]
    joined = "".join(parts)
    return parts + ([joined] if len(parts) > 1 else [])


def near(word: str, brand: str) -> bool:
    """A typo of `brand`: edit distance 1 (2 for long brands), never for short brands."""
    if len(brand) < 5 or word == brand:
        return False
    limit = 2 if len(brand) >= 9 else 1
    if abs(len(word) - len(brand)) > limit:
        return False
    return Levenshtein.distance(word, brand, score_cutoff=limit) <= limit


def _word_list(name: str) -> frozenset[str]:
    """The lines of nlp/data/<name>, lower-cased, without blanks and comment lines."""
    raw = resources.files("nlp").joinpath("data", name).read_text("utf-8")
    return frozenset(line.strip().lower() for line in raw.splitlines()
                     if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def shorteners() -> frozenset[str]:
    """Registrable domains of public URL shorteners (nlp/data/shorteners.txt)."""
    return _word_list("shorteners.txt")


@lru_cache(maxsize=1)
def impersonated_brands() -> tuple[str, ...]:
    """Brands often named in phishing display names (nlp/data/impersonated_brands.txt)."""
    raw = resources.files("nlp").joinpath("data", "impersonated_brands.txt").read_text("utf-8")
    return tuple(line.strip().lower() for line in raw.splitlines()
                 if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def typosquatted_brands() -> tuple[str, ...]:
    """Brands phishers misspell in link hosts (nlp/data/typosquatted_brands.txt)."""
    raw = resources.files("nlp").joinpath("data", "typosquatted_brands.txt").read_text("utf-8")
    return tuple(line.strip().lower() for line in raw.splitlines()
                 if line.strip() and not line.startswith("#"))


def brand_typo(parts: HostParts) -> str:
    """The well-known brand a host misspells ("facebok", "paypa1", "amaz0n" in any of its labels),
    or "". Only a misspelling counts, never the name itself: where a brand's real domains are not
    in the registry, its own name proves nothing either way, but its misspelling is never the brand's."""
    brands = typosquatted_brands()
    for label in (parts.label, *(x for x in parts.subdomain.split(".") if x)):
        for word in tokens(unicode_label(label)):
            if len(word) < 5 or word in brands:
                continue
            skel = skeleton(word)
            for brand in brands:
                if skel == brand or (skel[:1] == brand[:1] and near(skel, brand)):
                    return brand
    return ""


def looks_random(label: str) -> bool:
    """A machine-made label: long, letters and several digits mixed ('gwu7nvb6l3')."""
    digits = sum(ch.isdigit() for ch in label)
    letters = sum(ch.isalpha() for ch in label)
    return len(label) >= 8 and digits >= 2 and letters >= 4 and not label.isdigit()


@lru_cache(maxsize=1)
def risky_attachments() -> frozenset[str]:
    """File name extensions that run code or reconfigure a device (nlp/data/risky_attachments.txt)."""
    return _word_list("risky_attachments.txt")


@lru_cache(maxsize=1)
def freemail() -> frozenset[str]:
    """Registrable domains of free webmail providers (nlp/data/freemail.txt)."""
    return _word_list("freemail.txt")


@lru_cache(maxsize=1)
def brands_in_text() -> tuple[str, ...]:
    """Brands a message speaks for when it names them (nlp/data/brands_in_text.txt), folded."""
    raw = resources.files("nlp").joinpath("data", "brands_in_text.txt").read_text("utf-8")
    return tuple(fold_compact(line) for line in raw.splitlines() if line.strip() and not line.startswith("#"))


def named_brands(text: str, skip: Iterable[tuple[int, int]] = ()) -> list[str]:
    """The brands of brands_in_text.txt that `text` names outside the `skip` spans (its links and
    addresses, which name brands of their own), in the order of their first mention."""
    chars = list(fold(text))
    for start, end in skip:
        chars[start:end] = " " * len(chars[start:end])
    flat = " " + " ".join("".join(chars).split()) + " "
    found = [(flat.find(f" {brand} "), brand) for brand in brands_in_text()]
    return [brand for at, brand in sorted(found) if at >= 0]


def is_brand_name(host: str, brands: Iterable[str]) -> bool:
    """True when the registrable name of `host` is exactly one of `brands` ("paypal.com" for
    PayPal, "credit-agricole.fr" for Crédit Agricole), not the brand with other words around it."""
    parts = split_host(host)
    if parts is None:
        return False
    label = parts.label.replace("-", "")
    return any(label == brand.replace(" ", "") for brand in brands)


# The same offline list, with its private section: suffixes a platform hands out to anyone
# ("web.app", "wixsite.com", "onrender.com", "ngrok.io", "appspot.com", "github.io").
_EXTRACT_PRIVATE = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def free_host(host: str) -> str:
    """The platform suffix ("web.app", "wixsite.com") when `host` is a site anyone can open there
    for free (a suffix of the public suffix list's private section), else "". The platform's own
    site ("www.wix.com") is not one; nor is a host that has no name of its own under the suffix."""
    ext = _EXTRACT_PRIVATE(host.lower())
    return ext.suffix if ext.is_private and ext.domain else ""


def warm_up() -> None:
    """Build the suffix lists' lookup tables and read the word lists now, not on the first message."""
    split_host("www.example.com")
    free_host("www.example.com")
    abused_tlds()
    host_keywords()


def site_of(host: str) -> str:
    """The site a host belongs to, as far as one owner goes: its registrable domain ("evil.fr" for
    "pay.evil.fr"), or the whole name under a platform's suffix ("evri-gb.web.app", not "web.app", whose
    other sites belong to everyone else)."""
    ext = _EXTRACT_PRIVATE(host.lower())
    if ext.is_private and ext.domain:
        return f"{ext.domain}.{ext.suffix}"
    parts = split_host(host)
    return parts.registered if parts else host.lower()


@lru_cache(maxsize=1)
def abused_tlds() -> frozenset[str]:
    """Top-level domains much used for phishing sites (nlp/data/abused_tlds.txt)."""
    return _word_list("abused_tlds.txt")


@lru_cache(maxsize=1)
def host_keywords() -> tuple[str, ...]:
    """Account, security and payment words phishing sites put in their names (nlp/data/host_keywords.txt)."""
    return tuple(sorted(_word_list("host_keywords.txt")))


LONG_KEYWORD = 5  # a host keyword this long counts inside a longer word; a shorter one only whole


def host_keyword(parts: HostParts) -> str:
    """The first account, security or payment word in the host's own name or its sub-domains
    ("secure.ezpassofx.top", "online-banking-personal-login.com"), else ""."""
    labels = [x for x in (*parts.subdomain.split("."), parts.label) if x and x != "www"]
    for label in labels:
        words = set(label.split("-"))
        for kw in host_keywords():
            if kw in words or (len(kw) >= LONG_KEYWORD and kw in label):
                return kw
    return ""


def abused_tld(parts: HostParts) -> str:
    """The top-level domain when it is one much used for phishing ("top", "xyz"), else ""."""
    tld = parts.suffix.rsplit(".", 1)[-1]
    return tld if tld in abused_tlds() else ""
