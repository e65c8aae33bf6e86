"""Judge links, numbers and senders against the registry. Never visits a link."""
from __future__ import annotations

import re
from email.utils import parseaddr

import phonenumbers
from phonenumbers import PhoneNumberType as T

from nlp import domains
from nlp.disguise import disguised_words
from nlp.extract import RawLink, RawPhone
from nlp.normalise import normalise
from nlp.registry_index import RegistryIndex, normalise_phone
from nlp.text import fold_compact
from nlp.types import EmailFinding, LinkFinding, PhoneFinding, SenderFinding

# Words that make a domain look governmental or health-official when they are not.
_PROTECTED_WORDS = ("gouv", "vitale", "securitesociale", "assurancemaladie")
_FR_PREMIUM = re.compile(r"^\+33(8[129]\d{7})$")


def judge_link(raw: RawLink, index: RegistryIndex) -> LinkFinding:
    """official / lookalike / shortener / ip / blocklisted / other."""
    host = raw.host
    if domains.is_ip(host):
        return LinkFinding(raw.url, host, host, "ip", raw.span)
    parts = domains.split_host(host)
    if parts is None:
        # A host that is itself a public suffix ("nhs.uk" is one) can still be an institution's own
        # site: the registry decides, not the suffix list.
        owners = index.domain_owners(host)
        status = "official" if owners else "other"
        return LinkFinding(raw.url, host, host, status, raw.span, min(owners) if owners else None)
    for value in dict.fromkeys((parts.host, domains.site_of(parts.host), parts.registered)):
        blocked = index.is_blocked("domain", value)
        if blocked:
            return LinkFinding(raw.url, parts.host, parts.registered, "blocklisted", raw.span,
                               detail=blocked.decided_at[:10])
    owners = index.domain_owners(parts.host) or index.domain_owners(parts.unicode_host)
    if owners:
        return LinkFinding(raw.url, parts.host, parts.registered, "official", raw.span, min(owners))
    if parts.suffix in domains.RESTRICTED_SUFFIXES:
        return LinkFinding(raw.url, parts.host, parts.registered, "other", raw.span, detail="restricted")
    if parts.registered in domains.shorteners():
        return LinkFinding(raw.url, parts.host, parts.registered, "shortener", raw.span)
    inst, technique = lookalike(parts, index)
    if technique:
        return LinkFinding(raw.url, parts.host, parts.registered, "lookalike", raw.span, inst, technique)
    brand = domains.brand_typo(parts)
    if brand:
        return LinkFinding(raw.url, parts.host, parts.registered, "lookalike", raw.span, None, "brand-typo", brand)
    return LinkFinding(raw.url, parts.host, parts.registered, "other", raw.span)


def lookalike(parts: domains.HostParts, index: RegistryIndex) -> tuple[str | None, str]:
    """(institution id, technique) when the host imitates an official domain, else (None, '')."""
    label = parts.label
    skel = domains.skeleton(domains.unicode_label(label)).replace("-", "")
    if skel != label.replace("-", "") and skel in index.brands:
        return min(index.brands[skel]), "homoglyph"
    if label in index.brands:
        return min(index.brands[label]), "tld-swap"
    for word in domains.tokens(label):
        if word in index.brands and len(word) >= 4 or (word in index.brands and "-" in label):
            return min(index.brands[word]), "brand-plus-words"
        s = domains.skeleton(word)
        if s != word and s in index.brands:
            return min(index.brands[s]), "homoglyph"
        for brand, owners in index.brands.items():
            if domains.near(word, brand):
                return min(owners), "typo"
    for sub in parts.subdomain.split("."):
        for word in domains.tokens(sub):
            if word in index.brands and len(word) >= 4:
                return min(index.brands[word]), "brand-in-subdomain"
    flat = label.replace("-", "")
    for word in _PROTECTED_WORDS:
        if word in flat or word in parts.subdomain.replace("-", "").replace(".", ""):
            return None, "official-word"
    for brand, owners in index.brands.items():
        if len(brand) >= 6 and brand in flat:
            return min(owners), "brand-plus-words"
    return None, ""


def judge_phone(raw: RawPhone, index: RegistryIndex, home: str | tuple[str, ...] = "FR") -> PhoneFinding:
    """official / premium / mobile / foreign / short / blocklisted / other.

    "foreign" is a number of none of the `home` countries: those the message's language is written
    for (a UK freephone number in an English NHS letter is no sign of anything)."""
    homes = (home,) if isinstance(home, str) else home
    if raw.number is None:  # a short number, or digits no numbering plan recognises
        number = raw.short
        kind = "short" if len(number) <= 6 else "unknown"
        if index.is_blocked("phone", number):
            return PhoneFinding(raw.raw, number, "blocklisted", raw.span, kind)
        owners = index.phones.get(number)
        status = "official" if owners else ("short" if kind == "short" else "other")
        return PhoneFinding(raw.raw, number, status, raw.span, kind, min(owners) if owners else None)
    e164 = phonenumbers.format_number(raw.number, phonenumbers.PhoneNumberFormat.E164)
    kind = _kind(raw.number)
    if index.is_blocked("phone", e164):
        return PhoneFinding(raw.raw, e164, "blocklisted", raw.span, kind)
    owners = index.phone_owners(e164)
    if owners:
        return PhoneFinding(raw.raw, e164, "official", raw.span, kind, min(owners))
    if kind == "premium" or _FR_PREMIUM.match(e164):
        return PhoneFinding(raw.raw, e164, "premium", raw.span, "premium")
    if kind == "mobile":
        return PhoneFinding(raw.raw, e164, "mobile", raw.span, kind)
    region = phonenumbers.region_code_for_number(raw.number)
    if region and region not in homes and phonenumbers.is_valid_number(raw.number):
        return PhoneFinding(raw.raw, e164, "foreign", raw.span, kind)
    return PhoneFinding(raw.raw, e164, "other", raw.span, kind)


def _kind(number: phonenumbers.PhoneNumber) -> str:
    t = phonenumbers.number_type(number)
    return {
        T.MOBILE: "mobile", T.FIXED_LINE: "fixed", T.FIXED_LINE_OR_MOBILE: "fixed",
        T.PREMIUM_RATE: "premium", T.SHARED_COST: "shared_cost", T.TOLL_FREE: "toll_free",
        T.VOIP: "voip", T.UAN: "uan", T.PERSONAL_NUMBER: "personal",
    }.get(t, "other")


def judge_email(address: str, domain: str, span: tuple[int, int], index: RegistryIndex) -> EmailFinding:
    """official / freemail / lookalike / blocklisted / other, for an address in the text."""
    status, inst = _email_status(address, index)
    return EmailFinding(address, domain, status, span, inst)


def _email_status(address: str, index: RegistryIndex) -> tuple[str, str | None]:
    domain = address.rsplit("@", 1)[-1].lower()
    parts = domains.split_host(domain)
    registered = parts.registered if parts else domain
    if index.is_blocked("domain", domain) or index.is_blocked("domain", registered) \
            or index.is_blocked("sender", address):
        return "blocklisted", None
    owners = index.email_owners(address) or index.domain_owners(domain)
    if owners:
        return "official", min(owners)
    if parts is None:
        return "other", None
    if parts.registered in domains.freemail():
        return "freemail", None
    if parts.suffix in domains.RESTRICTED_SUFFIXES:
        return "government", None  # only public bodies can register there
    inst, technique = lookalike(parts, index)
    if technique:
        return "lookalike", inst
    return "other", None


def judge_sender(sender: str, index: RegistryIndex, home: str = "FR") -> SenderFinding | None:
    """Judge an SMS sender ID, a phone number, or an e-mail From / Reply-To header value."""
    sender = (sender or "").strip()[:320]
    if not sender:
        return None
    name, address = parseaddr(sender)
    # A display name or sender ID is read as the message is: invisible marks and look-alike letters
    # ("Mi\U000e0139crosoft", Cyrillic "АMELI") must not hide the brand it shows.
    raw_name = name
    name, bounds = normalise(name)
    if "@" in address:
        status, inst = _email_status(address, index)
        if status in ("other", "freemail"):
            # Invisible marks between a name's letters, or letters of another script that pass for Latin, are
            # there to slip past filters: no genuine sender writes its own name that way.
            disguised = raw_name != name and disguised_words(name, bounds, raw_name, limit=1)
            status = ("disguised_name" if disguised else "") or _display_status(name, address) or status
        return SenderFinding(address.lower(), "email", status, inst, detail=name[:120])
    digits = re.sub(r"[\s.()-]", "", sender)
    if re.fullmatch(r"\+?\d{3,15}", digits):
        return _phone_sender(digits, index, home)
    folded = fold_compact(normalise(sender)[0]).replace(" ", "")
    if index.is_blocked("sender", sender):
        return SenderFinding(sender, "alpha", "blocklisted")
    owners = index.senders.get(folded)
    if owners:
        return SenderFinding(sender, "alpha", "official", min(owners))
    for brand, ids in index.brands.items():
        if len(brand) >= 4 and brand in folded:
            # Only a brand whose official sender IDs we know can be imitated knowingly.
            known = sorted(i for i in ids if index.institutions[i].values("sms_sender"))
            if known:
                return SenderFinding(sender, "alpha", "lookalike", known[0],
                                     detail="brand in a sender ID that is not the official one")
            return SenderFinding(sender, "alpha", "unknown", min(ids))
    return SenderFinding(sender, "alpha", "unknown")


def _display_status(name: str, address: str) -> str:
    """'display_mismatch' when the name shows a brand the address does not belong to."""
    domain = address.rsplit("@", 1)[-1].lower()
    folded = " " + fold_compact(name) + " "
    flat_domain = domain.replace("-", "").replace(".", "")
    for brand in domains.impersonated_brands():
        if f" {brand} " in folded and brand.replace(" ", "") not in flat_domain:
            return "display_mismatch"
    parts = domains.split_host(domain)
    if parts and domains.looks_random(parts.label):
        return "random_domain"
    return ""


def _phone_sender(digits: str, index: RegistryIndex, home: str) -> SenderFinding:
    number = normalise_phone(digits, home)
    if index.is_blocked("phone", number or digits):
        return SenderFinding(number or digits, "phone", "blocklisted")
    owners = index.phones.get(number)
    if owners:
        kind = "short_code" if len(number) <= 6 else "phone"
        return SenderFinding(number, kind, "official", min(owners))
    if len(number) <= 6:
        return SenderFinding(number, "short_code", "unknown")
    try:
        parsed = phonenumbers.parse(number, home)
    except phonenumbers.NumberParseException:
        return SenderFinding(digits, "phone", "unknown")
    kind = _kind(parsed)
    status = "mobile" if kind == "mobile" else ("premium" if kind == "premium" else "unknown")
    return SenderFinding(number, "phone", status)
