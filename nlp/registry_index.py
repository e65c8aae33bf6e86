"""An in-memory index of the official registry, built once and shared by every analysis."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

import ahocorasick
import phonenumbers

from nlp.directory import Directory
from nlp.domains import split_host
from nlp.text import fold_compact
from nlp.types import Indicator, Institution

# Words too generic to name one institution on their own.
_GENERIC = frozenset({
    "hopital", "clinique", "centre hospitalier", "pharmacie", "laboratoire", "cabinet",
    "centre de sante", "maison de sante", "ch", "chu", "chr", "ehpad", "sante", "mutuelle",
    "assurance", "centre", "medical", "centre medical",
})


def normalise_phone(value: str, region: str = "FR") -> str:
    """E.164 for a full number, digits for a short number, or '' when it is not a number."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if value.strip().startswith("+"):
        digits = "+" + digits
    if not digits.startswith("+") and len(digits) <= 6:
        return digits
    try:
        num = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


@dataclass
class RegistryIndex:
    """Lookups from domains, e-mails, phones, sender IDs and names to institutions."""

    institutions: dict[str, Institution] = field(default_factory=dict)
    domains: dict[str, set[str]] = field(default_factory=dict)  # registrable or host -> ids
    email_domains: dict[str, set[str]] = field(default_factory=dict)
    emails: dict[str, set[str]] = field(default_factory=dict)
    phones: dict[str, set[str]] = field(default_factory=dict)
    senders: dict[str, set[str]] = field(default_factory=dict)  # folded sender id -> ids
    brands: dict[str, set[str]] = field(default_factory=dict)  # folded brand word -> ids
    blocked: dict[tuple[str, str], Indicator] = field(default_factory=dict)
    allowed: dict[tuple[str, str], Indicator] = field(default_factory=dict)
    names: ahocorasick.Automaton | None = None
    directory: Directory | None = None  # FINESS / Annuaire establishments, asked on demand

    @classmethod
    def build(cls, institutions: Iterable[Institution], indicators: Iterable[Indicator] = (),
              directory: Directory | None = None) -> "RegistryIndex":
        """Index every institution's official contacts, names and aliases."""
        index = cls(directory=directory)
        automaton = ahocorasick.Automaton()
        for inst in institutions:
            index.institutions[inst.id] = inst
            index._add_contacts(inst)
            for key in {fold_compact(n) for n in (inst.name, *inst.aliases)}:
                if len(key) < 3 or key in _GENERIC:
                    continue
                found = automaton.get(key, (key, set()))
                found[1].add(inst.id)
                automaton.add_word(key, found)
        if len(automaton):
            automaton.make_automaton()
            index.names = automaton
        index.set_indicators(indicators)
        return index

    def set_indicators(self, indicators: Iterable[Indicator]) -> None:
        """Replace the staff-confirmed block- and allowlists."""
        self.blocked, self.allowed = {}, {}
        for ind in indicators:
            target = self.blocked if ind.verdict == "scam" else self.allowed
            target[(ind.kind, ind.value.lower())] = ind

    def _add_contacts(self, inst: Institution) -> None:
        for c in inst.contacts:
            value = c.value.strip()
            if c.kind == "domain":
                parts = split_host(value)
                self.domains.setdefault(value.lower(), set()).add(inst.id)
                if parts:
                    self._add_brand(parts.label, inst.id)
            elif c.kind == "email_domain":
                self.email_domains.setdefault(value.lower(), set()).add(inst.id)
            elif c.kind == "email":
                self.emails.setdefault(value.lower(), set()).add(inst.id)
                self.email_domains.setdefault(value.lower().rsplit("@", 1)[-1], set()).add(inst.id)
            elif c.kind in ("phone", "short_code"):
                number = normalise_phone(value)
                if number:
                    self.phones.setdefault(number, set()).add(inst.id)
            elif c.kind == "sms_sender":
                self.senders.setdefault(fold_compact(value).replace(" ", ""), set()).add(inst.id)
                self._add_brand(fold_compact(value).replace(" ", ""), inst.id)
        if inst.kind in ("national", "lab", "other_public", "foreign"):
            for alias in (inst.name, *inst.aliases):
                word = fold_compact(alias)
                if " " not in word and word not in _GENERIC:
                    self._add_brand(word, inst.id)

    def _add_brand(self, word: str, inst_id: str) -> None:
        word = word.replace("-", "")
        if len(word) >= 3 and word not in _GENERIC:
            self.brands.setdefault(word, set()).add(inst_id)

    def get(self, inst_id: str) -> Institution | None:
        """An institution by id: the national registry first, then the directory."""
        found = self.institutions.get(inst_id)
        if found is None and self.directory is not None:
            found = self.directory.get(inst_id)
        return found

    def phone_owners(self, number: str) -> set[str]:
        """Institutions whose official number this is."""
        owners = self.phones.get(number)
        if owners:
            return owners
        if self.directory is not None and len(number) > 6:
            return set(self.directory.by_phone(number))
        return set()

    def domain_owners(self, host: str) -> set[str]:
        """Institutions for which `host` (or a parent domain of it) is official."""
        host = host.lower()
        labels = host.split(".")
        owners: set[str] = set()
        for i in range(len(labels) - 1):
            owners |= self.domains.get(".".join(labels[i:]), set())
        return owners

    def email_owners(self, address: str) -> set[str]:
        """Institutions that send from this address or its domain."""
        address = address.lower()
        domain = address.rsplit("@", 1)[-1]
        return self.emails.get(address, set()) | self.email_domains.get(domain, set())

    def is_blocked(self, kind: str, value: str) -> Indicator | None:
        """The staff decision that blocks this indicator, if any.

        Never one the registry now holds official: staff cannot block an official contact, but one can become
        official after it was confirmed (an admin accepts a sourced contact), and nothing official is a
        blocklisted indicator (the exports drop it too, store.exports)."""
        found = self.blocked.get((kind, value.lower()))
        return None if found is None or self._official(kind, value) else found

    def _official(self, kind: str, value: str) -> bool:
        if kind == "domain":
            return bool(self.domain_owners(value))
        if kind == "phone" or (kind == "sender" and re.fullmatch(r"\+?[\d .()-]{3,20}", value)):
            return bool(self.phone_owners(normalise_phone(value) or value))
        if kind == "sender" and "@" in value:
            return bool(self.email_owners(value))
        return kind == "sender" and fold_compact(value).replace(" ", "") in self.senders
