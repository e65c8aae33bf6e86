"""Rule evidence: what the registry, the links, numbers, senders and cues say about one message.

Each piece of evidence has a code (its reason text lives in bot/texts or with its family in
nlp/families), a hand-set weight (the chance, on its own, that the message is a scam), a span,
and flags: "strong" evidence (a lookalike domain, a broken "never asks" policy, a staff-confirmed
indicator) is a registry fact that stays decisive; "legit" evidence is a sign of legitimacy.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.scorer import WORDING
from config.channels import traits
from nlp import domains, families
from nlp.registry_index import RegistryIndex
from nlp.types import DISGUISED, Findings, Institution, LinkFinding

# Each cue label's weight, whether it is a pretext (lure), and the "never asks" policy it breaks
# live with its family in nlp/families/<family>.toml.
CUE_WEIGHTS: dict[str, float] = families.cue_weights()
LURES = families.lures()
POLICY_OF_CUE = families.policies()
LEGIT_FACTORS = {"sender_official": 0.75, "link_official": 0.5, "phone_official": 0.4,
                 "advice": 0.4}
# Evidence that the message points to a contact that is not the institution's.
UNOFFICIAL_CONTACT = frozenset({
    "blocklisted", "link_lookalike", "link_ip", "link_app_package", "link_shortener", "link_unofficial",
    "link_unknown", "link_not_brand", "link_free_host", "link_suspicious_name", "link_abused_tld",
    "email_lookalike", "phone_premium", "phone_mobile_institution", "phone_foreign", "phone_not_official"})
RISKY_REQUESTS = {"bank_request", "credential_request", "nir_request", "personal_data_request",
                   "payment_request", "otp_request"}
ACTIONS = RISKY_REQUESTS | {"call_to_action", "link_cta", "app_switch"}



@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: a reason code, its weight and where it is in the text."""

    code: str
    weight: float
    span: tuple[int, int] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    rule: str = ""
    strong: bool = False
    legit: bool = False


def gather(f: Findings, index: RegistryIndex, extra: tuple[Evidence, ...] = (), *,
           authenticated: bool = False) -> tuple[Institution | None, list[Evidence]]:
    """The claimed institution and every piece of rule evidence in one message."""
    inst = claimed_institution(f, index)
    ev: list[Evidence] = list(extra)
    ev += _link_evidence(f, inst)
    ev += _phone_evidence(f, inst)
    ev += _sender_evidence(f, inst, authenticated)
    ev += _email_evidence(f)
    ev += _cue_evidence(f, ev)
    ev += _combination_evidence(f, ev)
    ev += _policy_evidence(f, inst)
    ev += _disguise_evidence(f)
    return inst, ev


OFFICIAL_CONTACT = frozenset({"link_official", "link_government", "phone_official"})


def decoys(ev: list[Evidence]) -> bool:
    """Official contacts stand next to unofficial ones: the official number or site is a decoy
    (scams quote the real one to look genuine) and vouches for nothing."""
    return any(e.code in UNOFFICIAL_CONTACT for e in ev) and any(e.code in OFFICIAL_CONTACT for e in ev)


def feature_codes(ev: list[Evidence], lang: str = "") -> list[str]:
    """The evidence codes the learned combination reads (and the message's language)."""
    skip = OFFICIAL_CONTACT if decoys(ev) else frozenset()
    return sorted({e.code for e in ev if e.code != WORDING and e.code not in skip}
                  | ({f"lang:{lang}"} if lang == "fr" else set()))


def claimed_institution(f: Findings, index: RegistryIndex) -> Institution | None:
    """The institution the message claims to be: named in the text, the sender, or imitated."""
    for candidate in (
        *(m.id for m in f.institutions if not m.ambiguous),  # never guess between namesakes
        f.sender.institution_id if f.sender else None,
        *(link.institution_id for link in f.links if link.status == "lookalike"),
    ):
        found = index.get(candidate) if candidate else None
        if found is not None:
            return found
    return None


def rules_score(ev: list[Evidence]) -> float:
    """The first version's hand-set noisy-OR of the evidence (now one feature of the learned model)."""
    strong, soft, legit = 1.0, 1.0, 1.0
    skip = OFFICIAL_CONTACT if decoys(ev) else frozenset()
    for e in ev:
        if e.code in skip:
            continue
        if e.legit:
            legit *= 1 - e.weight
        elif e.strong:
            strong *= 1 - e.weight
        else:
            soft *= 1 - e.weight
    soft_score = (1 - soft) * legit  # legit == 1 - combined legitimacy
    return 1 - strong * (1 - soft_score)


def _link_evidence(f: Findings, inst: Institution | None) -> list[Evidence]:
    out: list[Evidence] = []
    official_domains = inst.values("domain") if inst else ()
    # A well-known brand the message speaks for, when the registry knows none of its sites: a link
    # whose name is not simply the brand's ("paypalclient.fr", "dhl-express-outre-mer.com") sends
    # the reader elsewhere in its name. Only read when some link could be judged that way.
    brands = domains.named_brands(f.text, [x.span for x in (*f.links, *f.emails)]) \
        if not inst and any(x.status == "other" and x.detail != "restricted" for x in f.links) else []
    for link in f.links:
        p = {"domain": link.domain, "institution": inst.name if inst else "", "technique": link.detail}
        if link.status == "blocklisted":
            out.append(Evidence("blocklisted", 0.99, link.span, {**p, "date": f" ({link.detail})" if link.detail else ""}, strong=True))
        elif link.status == "lookalike":
            if link.brand:  # the brand it misspells, whatever the message claims
                p["institution"] = link.brand.capitalize()
            out.append(Evidence("link_lookalike", 0.90, link.span, p, strong=True))
        elif link.status == "ip":
            out.append(Evidence("link_ip", 0.80 if inst else 0.60, link.span, p, strong=bool(inst)))
        elif link.status == "other" and link.detail == "restricted":  # gouv.fr, nhs.uk…: public bodies only
            out.append(Evidence("link_government", LEGIT_FACTORS["link_official"], link.span, p, legit=True))
        elif _is_app_package(link.url):
            out.append(Evidence("link_app_package", 0.70, link.span, p))
        elif link.status == "shortener":
            out.append(Evidence("link_shortener", 0.60 if inst else 0.35, link.span, p))
        elif link.status == "other" and inst:
            out.append(Evidence("link_unofficial", 0.70, link.span, p, strong=bool(official_domains)))
        elif link.status == "other" and brands and not domains.is_brand_name(link.domain, brands) \
                and not any(e.code == "link_not_brand" for e in out):
            out.append(Evidence("link_not_brand", 0.45, link.span, {**p, "brand": brands[0].title()}))
        elif link.status == "other" and not any(e.code == "link_unknown" for e in out):
            out.append(Evidence("link_unknown", 0.15, link.span, p))
        if link.status == "other" and link.detail != "restricted":
            out.extend(_host_shape(link, p, out))
    if f.links and all(link.status == "official" or link.detail == "restricted" for link in f.links) \
            and any(link.status == "official" for link in f.links):
        first = f.links[0]
        out.append(Evidence("link_official", LEGIT_FACTORS["link_official"], first.span,
                            {"domain": first.domain}, legit=True))
    return out


def _host_shape(link: LinkFinding, p: dict[str, Any], out: list[Evidence]) -> list[Evidence]:
    """What the name of an unknown site says on its own (once per message each): a site on a
    platform where anyone can open one for free, a name dressed as an account or payment page, a
    top-level domain much used for phishing (nlp/data, sourced). Weights are fitted (bot/scorer.py)."""
    found: list[Evidence] = []
    platform = domains.free_host(link.domain)
    if platform and not any(e.code == "link_free_host" for e in out):
        found.append(Evidence("link_free_host", 0.45, link.span, {**p, "platform": platform}))
    parts = domains.split_host(link.domain)
    if parts is None:
        return found
    word, tld = domains.host_keyword(parts), domains.abused_tld(parts)
    if word and not any(e.code == "link_suspicious_name" for e in out):
        found.append(Evidence("link_suspicious_name", 0.30, link.span, {**p, "word": word}))
    if tld and not any(e.code == "link_abused_tld" for e in out):
        found.append(Evidence("link_abused_tld", 0.25, link.span, {**p, "tld": f".{tld}"}))
    return found


def _phone_evidence(f: Findings, inst: Institution | None) -> list[Evidence]:
    out: list[Evidence] = []
    official_phones = inst.values("phone", "short_code") if inst else ()
    calls = "call_to_action" in f.cue_codes()
    for ph in f.phones:
        p = {"number": ph.raw, "institution": inst.name if inst else ""}
        if ph.status == "blocklisted":
            out.append(Evidence("blocklisted", 0.99, ph.span, p, strong=True))
        elif ph.status == "premium":
            out.append(Evidence("phone_premium", 0.75 if calls or inst else 0.60, ph.span, p))
        elif ph.status == "mobile" and inst:
            out.append(Evidence("phone_mobile_institution", 0.60, ph.span, p))
        elif ph.status == "foreign":
            out.append(Evidence("phone_foreign", 0.25, ph.span, p))
        elif ph.status == "official":
            out.append(Evidence("phone_official", LEGIT_FACTORS["phone_official"], ph.span, p, legit=True))
        elif ph.status == "short" and calls:
            out.append(Evidence("phone_short", 0.20, ph.span, p))
        elif ph.status == "other" and inst and official_phones:
            out.append(Evidence("phone_not_official", 0.35, ph.span, p))
    return out


def _sender_evidence(f: Findings, inst: Institution | None, authenticated: bool = False) -> list[Evidence]:
    out: list[Evidence] = []
    s = f.sender
    if s is None:
        return out
    p = {"sender": s.value, "institution": inst.name if inst else ""}
    if s.status == "blocklisted":
        out.append(Evidence("blocklisted", 0.99, None, p, strong=True))
    elif s.status == "official" and authenticated and s.kind == "email":
        out.append(Evidence("sender_official", LEGIT_FACTORS["sender_official"], None, p, legit=True))
    elif s.status == "official":  # a sender ID or a From line anyone can forge: no proof either way
        out.append(Evidence("sender_unverified", 0.0, None, p))
    elif s.status == "lookalike":
        out.append(Evidence("sender_lookalike", 0.85, None, p, strong=True))
    elif s.status in ("mobile", "freemail") and inst:
        out.append(Evidence(f"sender_{s.status}_institution", 0.70, None, p))
    elif s.status == "premium":
        out.append(Evidence("sender_premium", 0.60, None, p))
    elif s.status == "display_mismatch":
        out.append(Evidence("sender_display_mismatch", 0.60, None, {**p, "name": s.detail}))
    elif s.status == "random_domain":
        out.append(Evidence("sender_random_domain", 0.40, None, p))
    elif s.kind == "email" and s.status == "other" and inst and inst.values("email", "email_domain"):
        out.append(Evidence("sender_not_official", 0.55, None, p))
    for extra in f.extra_senders:
        if extra.kind == "email" and s.kind == "email" and extra.status != "official" \
                and _registered(extra.value) != _registered(s.value):
            out.append(Evidence("reply_to_mismatch", 0.40, None, {"sender": extra.value}))
            break
    return out


def _email_evidence(f: Findings) -> list[Evidence]:
    """The e-mail addresses the message gives to write to (once per code): one the team confirmed
    fraudulent, one on a domain imitating an institution's, one at a free webmail (an official body
    does not write from Gmail). Only the domain is named: the address may be the patient's own."""
    out: list[Evidence] = []
    for email in f.emails:
        if _addressed_to(f.text, email.span[0]):
            continue  # the recipient's address ("envoyé à …", "Dear …"): the patient's own, not one to write to
        p = {"domain": email.domain}
        if email.status == "blocklisted" and not any(e.code == "blocklisted" for e in out):
            # The address itself may be the confirmed one (on a webmail whose domain is not): name it.
            out.append(Evidence("blocklisted", 0.99, email.span, {"sender": email.address}, strong=True))
        elif email.status == "lookalike" and not any(e.code == "email_lookalike" for e in out):
            out.append(Evidence("email_lookalike", 0.85, email.span, p, strong=True))
        elif email.status == "freemail" and not any(e.code == "email_freemail" for e in out):
            out.append(Evidence("email_freemail", 0.40, email.span, p))
    return out


# What puts an address right after it as the recipient's: "envoyé à", "sent to", "Destinataire :", or a greeting
# or a "To:" line. Matched on the 40 characters before the address, anchored at their end.
_SENT_TO = re.compile(r"(?:(?:envoy|adress|destin)[ée]e?s?\s+(?:à|a)|(?:sent|delivered|addressed)\s+to"
                      r"|destinataire|recipient)\s*:?\s*$", re.I)
_GREETING_OR_TO = re.compile(r"(?:^|\n)\s*(?:to|à|dear|hi|hello|bonjour|cher|chère)\s*[:,]?\s*$", re.I)


def _addressed_to(text: str, start: int) -> bool:
    """Is the address at `start` the one the message was sent to (so, likely the patient's own)?"""
    before = text[max(0, start - 40):start]
    return bool(_SENT_TO.search(before) or _GREETING_OR_TO.search(before))


def _registered(address: str) -> str:
    """The site of an e-mail address's domain ("help.brand.fr" and "brand.fr" are one sender; two names
    under a platform's suffix are two)."""
    return domains.site_of(address.rsplit("@", 1)[-1].strip(" >"))


def _cue_evidence(f: Findings, found: list[Evidence]) -> list[Evidence]:
    best: dict[str, Evidence] = {}
    # Security advice ("we never ask for…") is a sign of legitimacy only when every contact in
    # the message is official; copied into a message that sends you elsewhere, it is a disguise.
    unofficial = any(e.code in UNOFFICIAL_CONTACT or e.code.startswith("sender_") and not e.legit
                     and e.code != "sender_unverified" for e in found) \
        or any(x.status != "official" for x in f.emails)
    for cue in f.cues:
        if cue.code == "advice":
            code = "advice_unofficial_contact" if unofficial else "advice"
            if code not in best:
                best[code] = Evidence(code, 0.5 if unofficial else LEGIT_FACTORS["advice"], cue.span,
                                      rule=cue.pattern_id, legit=not unofficial)
            continue
        weight = CUE_WEIGHTS.get(cue.code, 0.0)
        if weight and cue.code not in best:
            best[cue.code] = Evidence(cue.code, weight, cue.span, {"text": cue.text}, rule=cue.pattern_id)
    return list(best.values())


def _combination_evidence(f: Findings, ev: list[Evidence]) -> list[Evidence]:
    """Named combinations that mean more together than apart."""
    codes = f.cue_codes()
    out: list[Evidence] = []
    family, new_number, switch = "family_address" in codes, "new_number" in codes, "app_switch" in codes
    money = bool(codes & {"payment_request"}) or bool(f.amounts)
    if (family and (new_number or switch or money)) or (new_number and switch):
        out.append(Evidence("relative_impersonation", 0.85, _span_of(f, "new_number", "app_switch", "family_address")))
    contact = [x.span for x in f.links if x.status in ("other", "shortener", "ip")] + \
        [x.span for x in f.phones if x.status in ("premium", "mobile", "other", "foreign", "short")] + \
        [x.span for x in f.emails if x.status in ("other", "freemail", "lookalike")]
    stories = {c.pattern_id for c in f.cues if c.code == "new_number"}
    if len(stories) >= 2:  # "I broke my phone" + "here is my new number": the whole story
        out.append(Evidence("lost_phone_story", 0.50, _span_of(f, "new_number")))
    if codes & LURES and contact:
        out.append(Evidence("lure_with_contact", 0.35, contact[0]))
    if codes & {"refund_bait", "prize_bait"} and f.amounts:
        out.append(Evidence("money_offer", 0.30, f.amounts[0].span))
    lures = codes & LURES
    asks = (codes & ACTIONS) or any(e.code.startswith(("link_", "phone_")) and not e.legit for e in ev)
    if lures and asks and (codes & {"urgency", "threat"}):
        out.append(Evidence("pressure_to_act", 0.45, _span_of(f, "urgency", "threat")))
    return out


def _policy_evidence(f: Findings, inst: Institution | None) -> list[Evidence]:
    """The claimed institution says it never asks for what this message asks for."""
    if inst is None or not inst.never_asks:
        return []
    out: list[Evidence] = []
    seen: set[str] = set()
    for cue in f.cues:
        policy = POLICY_OF_CUE.get(cue.code)
        if policy and policy in inst.never_asks and policy not in seen:
            seen.add(policy)
            out.append(Evidence(f"policy_{policy}", 0.85, cue.span, {"institution": inst.name},
                                rule=cue.pattern_id, strong=True))
    if "sms_links" in inst.never_asks and traits(f.channel).sms_like and f.links \
            and "sms_links" not in seen:
        out.append(Evidence("policy_sms_links", 0.85, f.links[0].span, {"institution": inst.name}, strong=True))
    if "personal_number" in inst.never_asks and f.sender and f.sender.status == "mobile":
        out.append(Evidence("policy_personal_number", 0.85, None, {"institution": inst.name}, strong=True))
    return out


def _disguise_evidence(f: Findings) -> list[Evidence]:
    """Words written with look-alike letters of another script or invisible characters inside:
    no genuine sender does that; it is how a message slips past filters. Not proof of a scam on
    its own (the message may be a joke), so at least "suspicious", never "scam" by itself."""
    hidden = [c for c in f.cues if c.code == DISGUISED]
    if not hidden:
        return []
    return [Evidence(DISGUISED, 0.75, hidden[0].span, {"text": hidden[0].text}, rule=hidden[0].pattern_id,
                     strong=True)]


def _is_app_package(url: str) -> bool:
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    return path.endswith((".apk", ".xapk", ".ipa", ".exe", ".scr", ".msi"))


def _span_of(f: Findings, *codes: str) -> tuple[int, int] | None:
    for code in codes:
        for cue in f.cues:
            if cue.code == code:
                return cue.span
    return None
