"""Triage: a Report in, an explained Verdict out (analysis, decision, reply)."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Protocol

from bot import campaigns, replies
from bot.campaigns import Fingerprint
from bot.decide import Decision, decide
from bot.evidence import Evidence
from bot.report import Report
from bot.scorer import Scorer
from bot.verdict import Reason, Verdict
from bot.wording import WordingModel
from config.channels import traits
from nlp.types import Findings, Institution, Leak


class Analyses(Protocol):
    """What triage needs from nlp: an analyser with its registry index."""

    index: Any

    def analyse(self, text: str, **kwargs: Any) -> Findings: ...


# A staff decision on the campaign a message belongs to: (verdict, decided_at, the non-official indicators
# of a campaign decided legitimate), or None.
CampaignLookup = Callable[[Fingerprint], "tuple[str, str, frozenset[tuple[str, str]]] | None"]


class Triage:
    """Turns reports into verdicts with the reply a patient receives."""

    def __init__(self, analyser: Analyses, leaks: Iterable[Leak] = (), reporting: Iterable[Any] = (),
                 *, refresh: Callable[[], None] | None = None,
                 campaigns: CampaignLookup | None = None, wording: WordingModel | None = None,
                 scorer: Scorer | None = None) -> None:
        self.analyser = analyser
        self.leaks = {leak.id: leak for leak in leaks}
        self.reporting = tuple(reporting)
        self.refresh = refresh  # brings staff-confirmed indicators in before each check
        self.campaigns = campaigns
        self.wording = wording  # the text model, and the learned combination (None: hand-set rules)
        self.scorer = scorer

    def check(self, report: Report) -> Verdict:
        """Analyse one report and explain the verdict."""
        if self.refresh is not None:
            self.refresh()
        findings = self.analyser.analyse(
            report.full_text(), channel=report.channel, sender=report.sender,
            extra_senders=report.extra_senders, hidden_links=report.hidden_links)
        # A failed SPF/DKIM/DMARC check is strong: it is what a spoofed official sender looks like.
        envelope = (Evidence("auth_failed", 0.5, strong=True),) if report.auth_failed else ()
        if report.risky_attachments:  # a program or a device profile sent to a patient: never opened on trust
            envelope += (Evidence("attachment_risky", 0.6, None, {"types": ", ".join(report.risky_attachments)},
                                  strong=True),)
        wording = self.wording.score(findings) if self.wording is not None else None
        decision = decide(findings, self.analyser.index, envelope, wording=wording, scorer=self.scorer,
                          authenticated=report.auth_passed and not report.auth_failed)
        fingerprint = campaigns.from_findings(findings)  # once: the lookup and the stored case share it
        confirmed = self.campaigns(fingerprint) if self.campaigns is not None else None
        if confirmed is not None:
            decision = _with_confirmation(decision, fingerprint, *confirmed)
        lang = report.lang if report.lang in replies.LANGS else findings.lang
        reasons = tuple(self._reason(e, lang, findings.text) for e in decision.evidence)
        return Verdict(
            verdict=decision.verdict, score=decision.score, lang=lang, reasons=reasons,
            reply=self.reply(decision, reasons, report.channel, lang, _namesakes(findings),
                             truncated=findings.truncated),
            institution=_institution_json(decision.institution),
            links=tuple({"url": x.url, "domain": x.domain, "status": x.status, "span": list(x.span)}
                        for x in findings.links),
            phones=tuple({"number": x.number, "status": x.status, "span": list(x.span)}
                         for x in findings.phones),
            sender={"value": findings.sender.value, "status": findings.sender.status}
            if findings.sender else None,
            text=findings.text,
            fingerprint=fingerprint,
        )

    def error_reply(self, lang: str) -> str:
        """The short answer when analysis failed: a person will look."""
        return replies.t(lang, "advice", "error")

    def _reason(self, e: Evidence, lang: str, text: str) -> Reason:
        params = dict(e.params)
        spans = tuple(tuple(s) for s in params.pop("spans", ()))
        if spans:  # the words that weighed most, quoted, and the family they resemble
            params["words"] = ", ".join(f"« {text[a:b]} »" for a, b in spans)
            params["family"] = replies.family(lang, params.get("family", ""))
        message = replies.t(lang, "reasons", e.code, **params)
        return Reason(e.code, message, e.span, e.rule, e.weight, spans)

    def reply(self, decision: Decision, reasons: tuple[Reason, ...], channel: str, lang: str,
              namesake: str = "", *, truncated: bool = False) -> str:
        """The text the patient receives, most important lines first."""
        t = replies.t
        verdict = decision.verdict
        genuine = verdict == "legitimate"  # explain a genuine message by its signs of legitimacy only
        shown = [r.message for r in reasons if (r.code in _LEGIT_CODES) == genuine]
        shown = shown[:2] if traits(channel).reply == "sms" else shown[:3]  # a short SMS reply: room for two
        why = t(lang, "misc", "evidence", reasons=" ; ".join(shown) + ".") if shown else ""
        lines: list[tuple[int, str]] = [
            (0, t(lang, "verdict", verdict) + (" " + why if why else "")),
            (1, self._official_line(decision.institution, lang, verdict == "legitimate")
             or (replies.t(lang, "official", "ambiguous", name=namesake) if namesake else "")),
            (2, t(lang, "advice", _advice_key(verdict, channel))),
            (1, t(lang, "misc", "truncated") if truncated else ""),  # only the start was analysed
        ]
        if verdict in ("scam", "suspicious"):
            lines += [(3 + i, line) for i, line in enumerate(self._report_lines(channel, lang, decision))]
        lines.append((4, self._leak_line(decision.institution, lang)))
        return replies.fit(lines, channel)

    def _official_line(self, inst: Institution | None, lang: str, genuine: bool) -> str:
        if inst is None:
            return ""
        phones = inst.values("phone", "short_code")
        if phones:
            key = "phone_plain" if genuine else "phone"
            return replies.t(lang, "official", key, name=inst.name, phone=replies.display_phone(phones[0]))
        domains = inst.values("domain")
        if domains:
            return replies.t(lang, "official", "site", name=inst.name, domain=domains[0])
        return replies.t(lang, "official", "none", name=inst.name)

    def _report_lines(self, channel: str, lang: str, decision: Decision) -> list[str]:
        country = "GB" if lang == "en" and decision.institution and decision.institution.country == "GB" else "FR"
        kind = traits(channel).report_as
        out = [replies.t(lang, "report", "chat")] if kind == "chat" else []  # in the app: no public service
        for want in dict.fromkeys((kind, "all")):
            match = next((rc for rc in self.reporting if rc.country == country and want in rc.channels), None)
            if match:
                out.append(replies.t(lang, "report", want, value=replies.display_phone(match.value)))
        return out

    def _leak_line(self, inst: Institution | None, lang: str) -> str:
        if inst is None:
            return ""
        for leak_id in inst.leak_ids:
            leak = self.leaks.get(leak_id)
            if leak:
                return replies.t(lang, "leak", "note", establishment=leak.establishment, date=leak.date)
        return ""


def _advice_key(verdict: str, channel: str) -> str:
    """What to do now. "A person will check and tell you" only where the patient can be told: on a
    channel with no follow-up (the try-it page, the API) nothing is stored for a person to answer."""
    if verdict == "unknown" and traits(channel).follow_up is None:
        return "unknown_unreachable"
    return verdict


CLONE_SCORE = 0.5  # the least score of a clone of a message staff found genuine (bot.scorer's default "suspicious")
_LEGIT_CODES = {"sender_official", "link_official", "link_government", "phone_official", "advice",
                "wording_genuine"}


def _with_confirmation(decision: Decision, fingerprint: Fingerprint, verdict: str, decided_at: str,
                       known: frozenset[tuple[str, str]] = frozenset()) -> Decision:
    """A person settled this campaign: their verdict stands, and the reply says when.

    A "genuine" decision vouches only for what the person saw: the same wording with a link, a number or a
    sender the campaign never held, or with what the engine itself finds a scam (a blocklisted or
    lookalike contact, a broken "never asks" policy), is the clone of a genuine message — it is answered
    at least "suspicious", and says why."""
    if verdict == "legitimate" and not _vouched(decision, fingerprint, known):
        ev = (Evidence("genuine_wording_new_contact", 0.0, params={"date": decided_at[:10]}),) + decision.evidence
        settled = "scam" if decision.verdict == "scam" else "suspicious"
        return Decision(settled, max(decision.score, CLONE_SCORE), ev, decision.institution)
    score = {"scam": max(decision.score, 0.99), "legitimate": min(decision.score, 0.05)}.get(verdict, decision.score)
    ev = (Evidence("confirmed_campaign", 0.99 if verdict == "scam" else 0.0,
                   params={"date": decided_at[:10]}),) + decision.evidence
    return Decision(verdict, score, ev, decision.institution)


def _vouched(decision: Decision, fingerprint: Fingerprint, known: frozenset[tuple[str, str]]) -> bool:
    return (decision.verdict != "scam" and not any(e.strong and not e.legit for e in decision.evidence)
            and campaigns.vouches(known, fingerprint.indicators))


def _namesakes(findings: Findings) -> str:
    """The name several establishments share, when the message names one of them ambiguously."""
    first = findings.institutions[0] if findings.institutions else None
    return findings.text[first.span[0]:first.span[1]] if first and first.ambiguous else ""


def _institution_json(inst: Institution | None) -> dict[str, Any] | None:
    if inst is None:
        return None
    official: dict[str, Any] = {}
    for kind, key in (("phone", "phones"), ("short_code", "phones"), ("domain", "domains"),
                      ("email", "emails"), ("sms_sender", "sms_senders")):
        for c in inst.contacts:
            if c.kind == kind:
                official.setdefault(key, []).append({"value": c.value, "source": c.source, "checked": c.checked})
    return {"name": inst.name, "id": inst.id, "official": official}
