"""Reply texts per language and channel; SMS replies fit in three segments."""
from __future__ import annotations

import tomllib
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

import phonenumbers

from config.channels import traits
from nlp import families as scam_families

LANGS = ("fr", "en")

# GSM 03.38 basic character set, and the extension table (each costs two septets).
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXT = set("^{}\\[~]|€\f")
_TO_GSM = str.maketrans({"’": "'", "‘": "'", "«": '"', "»": '"', "“": '"', "”": '"', "–": "-",
                         "—": "-", "…": "...", "œ": "oe", "Œ": "OE", "\u00a0": " ", "\u202f": " "})


@lru_cache(maxsize=len(LANGS))
def texts(lang: str) -> dict[str, Any]:
    """The reply texts of one language (bot/texts/<lang>.toml), with the cue reasons of the
    scam families (nlp/families/*.toml) merged into its "reasons" section."""
    lang = lang if lang in LANGS else "fr"
    raw = resources.files("bot").joinpath("texts", f"{lang}.toml").read_bytes()
    doc = tomllib.loads(raw.decode("utf-8"))
    doc["reasons"] = {**scam_families.reason_texts(lang), **doc.get("reasons", {})}
    return doc


def family(lang: str, code: str) -> str:
    """The plain name of a scam family (its code when no text names it)."""
    return texts(lang).get("families", {}).get(code, texts(lang)["families"].get("other", code))


def t(lang: str, section: str, key: str, **params: Any) -> str:
    """One text, with its {placeholders} filled (missing ones become empty)."""
    template = texts(lang)[section][key]
    for name in ("institution", "name"):
        if params.get(name):
            params[f"de_{name}"] = de(params[name])
    return template.format_map(_Blank(params))


# Establishment names open with a common noun that takes its article: "du Centre hospitalier".
_ARTICLES = {"centre": "du", "cabinet": "du", "laboratoire": "du", "groupe": "du", "ch": "du",
             "chu": "du", "chr": "du", "chi": "du", "chru": "du", "gh": "du", "ghu": "du",
             "clinique": "de la", "polyclinique": "de la", "pharmacie": "de la", "maison": "de la",
             "hopital": "de l'", "institut": "de l'", "ehpad": "de l'"}


def de(name: str) -> str:
    """French 'de' before a name: "d'Assurance Maladie", "de Doctolib", "du Centre hospitalier"."""
    first_word = unicodedata.normalize("NFKD", name.split(" ", 1)[0]).encode("ascii", "ignore").decode().lower()
    article = _ARTICLES.get(first_word)
    if article:
        return f"{article}{'' if article.endswith(chr(39)) else ' '}{name}"
    first = unicodedata.normalize("NFKD", name[:1]).lower()[:1]
    return f"d'{name}" if first in "aeiouyh" else f"de {name}"


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 alphabet (basic or extension)."""
    return all(ch in _GSM_BASIC or ch in _GSM_EXT for ch in text)


def sms_segments(text: str) -> int:
    """How many SMS segments `text` takes (GSM-7: 160/153, UCS-2: 70/67)."""
    if is_gsm7(text):
        units = sum(2 if ch in _GSM_EXT else 1 for ch in text)
        single, multi = 160, 153
    else:
        units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        single, multi = 70, 67
    if units <= single:
        return 1
    return -(-units // multi)


def to_gsm7(text: str) -> str:
    """Replace characters outside GSM-7 by their closest GSM-7 form (ê→e, ç→c, ’→')."""
    out = []
    for ch in text.translate(_TO_GSM):
        if ch in _GSM_BASIC or ch in _GSM_EXT:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch)
        plain = "".join(c for c in base if not unicodedata.combining(c))
        out.append(plain if plain and all(c in _GSM_BASIC for c in plain) else "?")
    return "".join(out)


def fit(lines: list[tuple[int, str]], channel: str) -> str:
    """Join (priority, line) pairs in order; where the channel counts segments, drop the least important to fit."""
    text = "\n".join(line for _, line in lines if line)
    limit = traits(channel).segments
    if limit is None:
        return text
    kept = [(p, to_gsm7(line)) for p, line in lines if line]
    while len(kept) > 1 and sms_segments("\n".join(line for _, line in kept)) > limit:
        worst = max(range(len(kept)), key=lambda i: (kept[i][0], i))
        kept.pop(worst)
    text = "\n".join(line for _, line in kept)
    while sms_segments(text) > limit:  # a single overlong line: cut it
        text = text[: len(text) - 10].rstrip() + "..."
    return text


def display_phone(value: str) -> str:
    """A number as people write it: '03 84 58 60 00', '3646', '+44 300 013 5000'."""
    if not value.startswith("+"):
        return value
    try:
        num = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    national = str(num.national_number)
    if num.country_code == 33 and len(national) == 9:  # the French way: 08 05 20 48 05
        digits = "0" + national
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
