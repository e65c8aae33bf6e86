"""Plain frozen dataclasses that leave `nlp/`: registry input and analysis output."""
from __future__ import annotations

from dataclasses import dataclass, field

Span = tuple[int, int]

# --- registry input (built by store/, handed to nlp as plain objects) -----------------

CONTACT_KINDS = ("domain", "email", "email_domain", "sms_sender", "phone", "short_code")


@dataclass(frozen=True)
class Contact:
    """One official contact value, with the page that states it."""

    kind: str  # one of CONTACT_KINDS
    value: str  # normalised: lower-case domain, E.164 phone, sender ID as shown
    source: str = ""
    checked: str = ""
    note: str = ""
    primary: bool = False  # the value to quote in replies


@dataclass(frozen=True)
class Institution:
    """A health actor a message may claim to be."""

    id: str
    name: str
    kind: str = "national"  # national | establishment | practice | lab | other_public | foreign
    country: str = "FR"
    aliases: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    never_asks: tuple[str, ...] = ()  # policy codes, see bot/texts reasons "policy_*"
    town: str = ""
    department: str = ""
    finess: str = ""
    leak_ids: tuple[str, ...] = ()

    def values(self, *kinds: str) -> tuple[str, ...]:
        """Contact values of the given kinds, primary ones first."""
        found = [c for c in self.contacts if c.kind in kinds]
        found.sort(key=lambda c: not c.primary)
        return tuple(c.value for c in found)


@dataclass(frozen=True)
class Leak:
    """A known data leak of an establishment."""

    id: str
    establishment: str
    date: str
    data: tuple[str, ...]
    status: str  # claimed | confirmed | denied
    statement: str
    sources: tuple[str, ...]
    institution_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Indicator:
    """A staff-confirmed malicious (or safe) indicator: domain, phone or sender."""

    kind: str  # domain | phone | sender | url
    value: str
    verdict: str = "scam"  # scam | legitimate
    decided_at: str = ""
    campaign_id: str = ""


# --- analysis output ------------------------------------------------------------------


DISGUISED = "disguised_text"  # the cue of a word written with look-alike letters or invisible characters


@dataclass(frozen=True)
class Cue:
    """A rule hit: a cue code, the pattern id that found it and its span."""

    code: str
    pattern_id: str
    span: Span
    text: str = ""


@dataclass(frozen=True)
class LinkFinding:
    url: str
    domain: str  # host
    registered: str  # registrable domain (public-suffix aware)
    status: str  # official | lookalike | shortener | ip | blocklisted | other
    span: Span
    institution_id: str | None = None  # whose official domain it is, or imitates
    detail: str = ""  # technique for a lookalike (typo, homoglyph, brand+words, ...)
    brand: str = ""  # for a "brand-typo" lookalike, the well-known brand the host misspells


@dataclass(frozen=True)
class PhoneFinding:
    raw: str
    number: str  # E.164 or the short number
    status: str  # official | premium | mobile | foreign | short | blocklisted | other
    span: Span
    kind: str = ""  # fixed | mobile | voip | premium | shared_cost | toll_free | short
    institution_id: str | None = None


@dataclass(frozen=True)
class EmailFinding:
    address: str
    domain: str
    status: str
    span: Span
    institution_id: str | None = None


@dataclass(frozen=True)
class Amount:
    value: float
    currency: str
    span: Span


@dataclass(frozen=True)
class InstitutionMatch:
    id: str
    name: str
    span: Span
    score: float  # 100 exact, lower for fuzzy
    ambiguous: tuple[str, ...] = ()  # other ids that fit equally well


@dataclass(frozen=True)
class SenderFinding:
    value: str
    kind: str  # alpha | short_code | phone | email
    status: str  # official | mobile | freemail | lookalike | blocklisted | display_mismatch | disguised_name | …
    institution_id: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class Findings:
    """Everything nlp.analyse found in one message."""

    text: str  # the analysed (normalised, refanged, size-capped) text; spans refer to it
    lang: str
    channel: str
    links: tuple[LinkFinding, ...] = ()
    phones: tuple[PhoneFinding, ...] = ()
    emails: tuple[EmailFinding, ...] = ()
    amounts: tuple[Amount, ...] = ()
    ibans: tuple[Span, ...] = ()
    cues: tuple[Cue, ...] = ()
    institutions: tuple[InstitutionMatch, ...] = ()
    sender: SenderFinding | None = None
    extra_senders: tuple[SenderFinding, ...] = field(default=())  # Reply-To
    truncated: bool = False
    foreign: bool = False  # written in neither French nor English: the text model cannot read it
    original: str = ""  # the text as the patient sent it (before normalisation)
    # offsets[i]: where text[i] starts in `original`; offsets[len(text)]: where the analysed part ends
    offsets: tuple[int, ...] = ()

    def cue_codes(self) -> set[str]:
        """The set of cue codes found."""
        return {c.code for c in self.cues}

    def original_span(self, span: Span) -> Span:
        """The span of `original` that a span of `text` came from (itself without a map)."""
        from nlp.normalise import original_span  # plain dataclasses here; the helper lives with the map

        return original_span(self.offsets, span)

    def original_text(self, span: Span) -> str:
        """What the patient wrote where `span` of the analysed text is."""
        a, b = self.original_span(span)
        return (self.original or self.text)[a:b]
