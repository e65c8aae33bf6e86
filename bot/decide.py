"""The decision: the evidence of one message weighed into a score and a verdict.

The learned combination (bot/scorer.py) weighs the rule evidence (bot/evidence.py) and the text
model's view of the wording (bot/wording.py); registry facts stay decisive; the thresholds are
chosen per language on out-of-fold data by `vigie train`. Without a trained model, the first
version's hand-set noisy-OR decides.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from bot.evidence import (LURES, RISKY_REQUESTS, UNOFFICIAL_CONTACT, Evidence, feature_codes, gather,
                          rules_score)
from bot.scorer import LOCAL, WORDING, Scorer, Thresholds
from bot.wording import Wording
from config.channels import traits
from nlp.registry_index import RegistryIndex
from nlp.types import Findings, Institution

SCAM_THRESHOLD = 0.80
SUSPICIOUS_THRESHOLD = 0.45
LEGITIMATE_MAX = 0.25

MIN_WORDS = 4  # fewer words than this is too thin to call a message genuine on its wording alone
GENUINE_WORDING = -0.25  # the wording's pull (log-odds) towards "genuine" that counts as a sign of it
_WORD = re.compile(r"[^\W\d_]{2,}")
# Strong evidence this sure (a lookalike domain, a broken policy, a confirmed indicator) is a scam.
STRONG_SCAM = 0.85


@dataclass(frozen=True)
class Decision:
    """The verdict, its score, the evidence weighed (most telling first) and the claimed institution."""

    verdict: str
    score: float
    evidence: tuple[Evidence, ...]
    institution: Institution | None


def decide(f: Findings, index: RegistryIndex, extra: tuple[Evidence, ...] = (), *,
           wording: Wording | None = None, scorer: Scorer | None = None,
           authenticated: bool = False) -> Decision:
    """Weigh the findings of one message (and `extra` evidence from its envelope) into a verdict.

    `wording` is the text model's view, `scorer` the learned combination (without one, the
    hand-set noisy-OR of the first version is used), `authenticated` says the channel vouched
    for the sender (a passing DKIM/DMARC result): only then is an official sender a sign of
    legitimacy, since SMS sender IDs and e-mail From lines can be forged.
    """
    inst, ev = gather(f, index, extra, authenticated=authenticated)
    if f.foreign:  # the text model cannot read this language: it has no view, not a "genuine" one
        wording = None
    strong = [e for e in ev if e.strong]
    cleared = _cleared(f, ev)
    if scorer is None:
        score = rules_score(ev)
    else:
        logit = wording.logit if wording is not None else None
        local = wording.local if wording is not None else None
        lang_cuts = scorer.cuts(f.lang)
        rules = rules_score(ev)
        score = scorer.probability(feature_codes(ev, f.lang), logit, rules, local)
        if rules >= lang_cuts.rules:  # where the rules alone were shown precise enough
            score = max(score, lang_cuts.suspicious)
        if cleared:
            # Every way out of the message is the institution's own: it cannot lead to a scammer.
            score = min(score, lang_cuts.suspicious - 1e-6)
        if strong:  # registry facts stay decisive: no wording makes a lookalike domain harmless
            floor = 1 - math.prod(1 - e.weight for e in strong)
            score = max(score, lang_cuts.scam if floor >= STRONG_SCAM else lang_cuts.suspicious)
        ev = _with_learned_weights(ev, scorer, wording, score, f)
    score = round(score, 6)
    cuts = scorer.cuts(f.lang) if scorer is not None else Thresholds(SCAM_THRESHOLD, SUSPICIOUS_THRESHOLD,
                                                                       LEGITIMATE_MAX)
    verdict = _verdict(score, cuts, f, ev, learned=scorer is not None, cleared=cleared)
    # Registry facts first (a lookalike domain, a broken policy, a confirmed indicator): the
    # reply names the first reasons, and a fact the patient can check beats a learned weight.
    ev.sort(key=lambda e: (e.legit, not e.strong, -e.weight))
    return Decision(verdict, score, tuple(ev), inst)


def asks_risky(f: Findings, ev: list[Evidence]) -> bool:
    """Does the message ask for money, bank or personal data, or to contact a non-official party?"""
    codes = f.cue_codes()
    if codes & RISKY_REQUESTS or f.ibans:
        return True
    acts = bool(codes & {"call_to_action", "link_cta", "app_switch"})
    unofficial = any(e.code in UNOFFICIAL_CONTACT for e in ev)
    return (unofficial and bool(acts or codes & LURES)) or any(e.code == "advice_unofficial_contact" for e in ev)


def _verdict(score: float, cuts: Thresholds, f: Findings, ev: list[Evidence], *, learned: bool,
             cleared: bool | None = None) -> str:
    """`cleared` is `_cleared(f, ev)` when the caller already knows it (the learned weights added to
    `ev` since change nothing it reads)."""
    if score >= cuts.scam:
        return "scam"
    if score >= cuts.suspicious:
        return "suspicious"
    # "Legitimate" needs something positive to go on: an official contact, or wording that leans
    # genuine (a low score on its own may only mean there was nothing to read).
    # On e-mail, where anything can be forged and long texts read smoothly, the wording alone
    # never vouches: it takes an authenticated sender or an official contact.
    # Nor does it vouch for a link or number that is not the institution's (an unknown site, a
    # shortened link, a foreign number): only an official contact can.
    # A message whose only ways out are the institution's own, asking nothing risky, cannot lead to
    # a scammer: legitimate whatever its wording (the learned score was capped below "suspicious").
    if learned and (_cleared(f, ev) if cleared is None else cleared):
        return "legitimate"
    unvouched = _unvouched(f, ev)
    signs = [e for e in ev if e.legit and not (unvouched and e.code == "wording_genuine")]
    if score <= cuts.legitimate and not asks_risky(f, ev) and not _sender_contradicts(ev) and signs:
        return "legitimate"
    return "unknown"


def _cleared(f: Findings, ev: list[Evidence]) -> bool:
    """No registry fact against it, every link, number and address official, nothing risky asked and
    no sender contradicting the institution."""
    return not any(e.strong for e in ev) and _only_official_contacts(f) and not asks_risky(f, ev) \
        and not _sender_contradicts(ev)


def _unvouched(f: Findings, ev: list[Evidence]) -> bool:
    """The wording cannot vouch for this message: a text the model cannot read, an e-mail (forgeable)
    with something to act on, or a link or number that is not the institution's."""
    return f.foreign or (not traits(f.channel).wording_vouches and _reaches_out(f)) \
        or any(e.code in UNOFFICIAL_CONTACT for e in ev)


# A sender that contradicts the institution the message claims (a free webmail or a mobile number
# for a hospital, a display name that is not its address, a reply-to elsewhere): whatever else the
# message holds, it is never answered "legitimate".
SENDER_RED_FLAGS = frozenset({"sender_mobile_institution", "sender_freemail_institution", "sender_premium",
                              "sender_display_mismatch", "sender_disguised", "sender_random_domain", "sender_not_official",
                              "reply_to_mismatch"})


def _sender_contradicts(ev: list[Evidence]) -> bool:
    return any(e.code in SENDER_RED_FLAGS for e in ev)


def could_be_legitimate(f: Findings, ev: list[Evidence]) -> bool:
    """Whatever its score, could this message be answered "legitimate"? It asks nothing risky and
    something may vouch for it (an official contact or sender, or wording that is allowed to).
    The "legitimate" threshold is chosen on the scams for which this holds (vigie/thresholds.py)."""
    return not asks_risky(f, ev) and not _sender_contradicts(ev) \
        and (any(e.legit for e in ev) or not _unvouched(f, ev))


def _only_official_contacts(f: Findings) -> bool:
    """The message holds links, numbers or addresses, and every one is official (or a public body's site)."""
    return _reaches_out(f) and all(x.status == "official" or x.detail == "restricted" for x in f.links) \
        and all(x.status == "official" for x in f.phones) and all(x.status == "official" for x in f.emails)


def _reaches_out(f: Findings) -> bool:
    """Does the message hold a link, a number or an address to act on?"""
    return bool(f.links or f.phones or f.emails)


def _words(f: Findings) -> int:
    """How many words the message has (up to MIN_WORDS: enough to know it is not thin)."""
    count = 0
    for _ in _WORD.finditer(f.text):
        count += 1
        if count >= MIN_WORDS:
            break
    return count


def _with_learned_weights(ev: list[Evidence], scorer: Scorer, wording: Wording | None,
                          score: float, f: Findings) -> list[Evidence]:
    """Evidence ordered by what it weighed in the learned model, plus the wording as a reason."""
    lang = f.lang
    contrib = scorer.contributions(feature_codes(ev, lang), wording.logit if wording else None,
                                   local=wording.local if wording else None)
    wording_weight = contrib.get(WORDING, 0.0) + contrib.get(WORDING + ":fr", 0.0) + contrib.get(LOCAL, 0.0)
    out = [e if e.strong else replace(e, weight=round(abs(contrib.get(e.code, 0.0)), 4),
                                      legit=e.legit or contrib.get(e.code, 0.0) < -0.05) for e in ev]
    if wording is not None and wording.words and wording_weight > 0.5:
        out.append(Evidence("wording", round(wording_weight, 4), wording.words[0][0],
                            {"family": wording.family, "spans": [list(s) for s, _ in wording.words]},
                            rule=f"model:{scorer.meta.get('version', 'wording')}"))
    elif wording is not None and wording_weight < GENUINE_WORDING and score < scorer.cuts(lang).suspicious \
            and _words(f) >= MIN_WORDS:
        out.append(Evidence("wording_genuine", round(-wording_weight, 4), None, {}, legit=True,
                            rule=f"model:{scorer.meta.get('version', 'wording')}"))
    return out
