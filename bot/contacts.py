"""What the contacts of one message say: each link, number, sender and e-mail address judged against the
registry (nlp/judge.py), as rule evidence (bot/evidence.py gathers it with the cues)."""
from __future__ import annotations

import re
from typing import Any

from bot.evidence_types import LEGIT_FACTORS, Evidence
from nlp import domains
from nlp.types import Findings, Institution, LinkFinding


def link_evidence(f: Findings, inst: Institution | None) -> list[Evidence]:
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


def phone_evidence(f: Findings, inst: Institution | None) -> list[Evidence]:
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


def sender_evidence(f: Findings, inst: Institution | None, authenticated: bool = False) -> list[Evidence]:
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
    elif s.status == "disguised_name":  # a fact anyone can check by copying the name: at least suspicious
        out.append(Evidence("sender_disguised", 0.60, None, {**p, "name": s.detail}, strong=True))
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


def email_evidence(f: Findings) -> list[Evidence]:
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


def _is_app_package(url: str) -> bool:
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    return path.endswith((".apk", ".xapk", ".ipa", ".exe", ".scr", ".msi"))
