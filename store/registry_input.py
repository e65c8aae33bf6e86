"""What an admin types into the registry, checked: an https source, a check date, a normalised value."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

import phonenumbers

from nlp.registry_index import normalise_phone
from store import clock
from store.refusal import Refusal

KINDS = ("phone", "short_code", "domain", "email", "email_domain", "sms_sender")
_DOMAIN = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class RegistryAdminError(Refusal):
    """A registry change is refused (the sentence, in both languages, is in store/texts/refusals.toml)."""


class UnknownEntry(RegistryAdminError):
    """The institution, contact or proposal does not exist."""


@dataclass(frozen=True)
class ContactInput:
    """An official contact as an admin typed it."""

    kind: str
    value: str
    source: str
    checked: str
    note: str = ""
    primary: bool = False


def check_source(source: str) -> str:
    """The source as stored: the https address of the page that states the contact."""
    source = (source or "").strip()
    if not source:
        raise RegistryAdminError("registry_source_missing")
    parts = urlsplit(source)
    if parts.scheme != "https" or not parts.netloc or len(source) > 500 or any(c.isspace() for c in source):
        raise RegistryAdminError("registry_source_refused", source=source[:80])
    return source


def check_date(checked: str, today: date | None = None) -> str:
    """The day the source was checked, as YYYY-MM-DD, not in the future."""
    checked = (checked or "").strip()
    if not checked:
        raise RegistryAdminError("registry_checked_missing")
    try:
        day = date.fromisoformat(checked) if _DAY.match(checked) else None
    except ValueError:
        day = None
    if day is None:
        raise RegistryAdminError("registry_checked_format", checked=checked[:20])
    if day > (today or clock.now().date()):
        raise RegistryAdminError("registry_checked_future", checked=checked)
    return checked


def normalise(kind: str, value: str) -> str:
    """A contact value in the registry's form (E.164 numbers, lower-case domains), or a clear refusal."""
    value = (value or "").strip()
    if kind not in KINDS:
        raise RegistryAdminError("registry_contact_kind", kind=kind[:30], kinds=", ".join(KINDS))
    if not value or len(value) > 200:
        raise RegistryAdminError("registry_value")
    if kind in ("domain", "email_domain"):
        host = re.sub(r"^https?://", "", value.lower()).split("/")[0].removeprefix("www.")
        if not _DOMAIN.match(host):
            raise RegistryAdminError("registry_not_domain", value=value[:80])
        return host
    if kind == "email":
        local, _, domain = value.lower().partition("@")
        if not local or not _DOMAIN.match(domain):
            raise RegistryAdminError("registry_not_email", value=value[:80])
        return f"{local}@{domain}"
    if kind == "short_code":
        digits = re.sub(r"\s", "", value)
        if not re.fullmatch(r"\d{3,6}", digits):
            raise RegistryAdminError("registry_not_short_code", value=value[:80])
        return digits
    if kind == "phone":
        number = normalise_phone(value)
        if not number.startswith("+") or not phonenumbers.is_valid_number(phonenumbers.parse(number, None)):
            raise RegistryAdminError("registry_not_phone", value=value[:80])
        return number
    return value
