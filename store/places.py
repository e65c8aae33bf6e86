"""Places and numbers in the national files: departments, postcodes and towns, E.164 phones."""
from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from nlp.extract import OVERSEAS_PREFIX

# Overseas INSEE department codes -> libphonenumber region (+262, +590, +596, +594, +508, +681...).
REGION_BY_DEPARTMENT = {
    "971": "GP", "972": "MQ", "973": "GF", "974": "RE", "975": "PM", "976": "YT",
    "977": "BL", "978": "MF", "986": "WF", "987": "PF", "988": "NC",
}
# The legacy FINESS file codes overseas departments 9A..9J (technical.md §2.1).
LEGACY_DEPARTMENTS = {
    "9A": "971", "9B": "972", "9C": "973", "9D": "974", "9E": "975", "9F": "976", "9J": "986",
}
_CEDEX = re.compile(r"\s+CEDEX(\s+\d{1,3})?\s*$", re.IGNORECASE)
_LEADING_POSTCODE = re.compile(r"^\s*(\d{5})\s+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def squash(text: str | None) -> str:
    """Strip and collapse inner whitespace (the files pad fields with spaces)."""
    return " ".join(text.split()) if text else ""


def department_from_commune(code: str) -> str:
    """INSEE department of an INSEE commune code ('97411' -> '974', '2A004' -> '2A')."""
    code = code.strip()
    if len(code) != 5:
        return ""
    return code[:3] if code.startswith(("97", "98")) else code[:2]


def department_from_legacy(code: str, postcode: str) -> str:
    """INSEE department of a legacy FINESS code (9D -> 974; 9A split by postcode into 971/977/978)."""
    code = code.strip()
    if code == "9A" and postcode in ("97133", "97150"):
        return "977" if postcode == "97133" else "978"
    return LEGACY_DEPARTMENTS.get(code, code)


def split_acheminement(line: str) -> tuple[str, str]:
    """('01440 VIRIAT' | '97306 CAYENNE CEDEX') -> (postcode, town without CEDEX)."""
    line = squash(line)
    postcode = ""
    match = _LEADING_POSTCODE.match(line)
    if match:
        postcode, line = match.group(1), line[match.end():]
    return postcode, _CEDEX.sub("", line).strip()


@lru_cache(maxsize=262_144)
def e164(raw: str, department: str = "") -> str | None:
    """A French directory phone ('0262905050', dept '974') as E.164 ('+262262905050'), or None."""
    text = raw.strip()
    if not text:
        return None
    digits = re.sub(r"\D", "", text)
    if text.startswith("+") or digits.startswith("00"):
        return _valid("+" + digits.removeprefix("00"), None)
    if len(digits) == 9 and not digits.startswith("0"):
        digits = "0" + digits  # a leading 0 lost to a spreadsheet round trip
    if len(digits) != 10:
        return None
    if digits[1:4] in ("508", "681"):  # Saint-Pierre-et-Miquelon, Wallis-et-Futuna: 6-digit plans
        found = _valid("+" + digits[1:], None)
        if found:
            return found
    regions = [REGION_BY_DEPARTMENT.get(department), OVERSEAS_PREFIX.get(digits[:4]), "FR"]
    for region in dict.fromkeys(r for r in regions if r):
        found = _valid(digits, region)
        if found:
            return found
    return None


def _valid(text: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_email(raw: str) -> str | None:
    """A plausible e-mail address, lower-cased, or None."""
    text = raw.strip().lower()
    return text if _EMAIL.match(text) else None
