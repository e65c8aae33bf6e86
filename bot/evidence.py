"""Rule evidence: what the registry, the contacts (bot/contacts.py) and the cues say about one message.

Each piece of evidence has a code (its reason text lives in bot/texts or with its family in
nlp/families), a hand-set weight (the chance, on its own, that the message is a scam), a span,
and flags: "strong" evidence (a lookalike domain, a broken "never asks" policy, a staff-confirmed
indicator) is a registry fact that stays decisive; "legit" evidence is a sign of legitimacy.
"""
from __future__ import annotations

from bot import contacts
from bot.evidence_types import LEGIT_FACTORS, Evidence
from bot.scorer import WORDING
from config.channels import traits
from nlp import families
from nlp.registry_index import RegistryIndex
from nlp.types import DISGUISED, Findings, Institution

# Each cue label's weight, whether it is a pretext (lure), and the "never asks" policy it breaks
# live with its family in nlp/families/<family>.toml.
CUE_WEIGHTS: dict[str, float] = families.cue_weights()
LURES = families.lures()
POLICY_OF_CUE = families.policies()
# Evidence that the message points to a contact that is not the institution's.
UNOFFICIAL_CONTACT = frozenset({
    "blocklisted", "link_lookalike", "link_ip", "link_app_package", "link_shortener", "link_unofficial",
    "link_unknown", "link_not_brand", "link_free_host", "link_suspicious_name", "link_abused_tld",
    "email_lookalike", "phone_premium", "phone_mobile_institution", "phone_foreign", "phone_not_official"})
RISKY_REQUESTS = {"bank_request", "credential_request", "nir_request", "personal_data_request",
                   "payment_request", "otp_request"}
ACTIONS = RISKY_REQUESTS | {"call_to_action", "link_cta", "app_switch"}


def gather(f: Findings, index: RegistryIndex, extra: tuple[Evidence, ...] = (), *,
           authenticated: bool = False) -> tuple[Institution | None, list[Evidence]]:
    """The claimed institution and every piece of rule evidence in one message."""
    inst = claimed_institution(f, index)
    ev: list[Evidence] = list(extra)
    ev += contacts.link_evidence(f, inst)
    ev += contacts.phone_evidence(f, inst)
    ev += contacts.sender_evidence(f, inst, authenticated)
    ev += contacts.email_evidence(f)
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


def _span_of(f: Findings, *codes: str) -> tuple[int, int] | None:
    for code in codes:
        for cue in f.cues:
            if cue.code == code:
                return cue.span
    return None
