"""The verdict a patient and a partner receive, and its JSON form."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

VERDICTS = ("scam", "suspicious", "legitimate", "unknown")


@dataclass(frozen=True)
class Reason:
    """One piece of evidence in plain words, traced to the rule that found it."""

    code: str
    message: str
    span: tuple[int, int] | None = None
    rule: str = ""
    weight: float = 0.0
    spans: tuple[tuple[int, int], ...] = ()  # every place it points at (the words that weighed most)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (span only when known)."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.span is not None:
            out["span"] = list(self.span)
        if len(self.spans) > 1:
            out["spans"] = [list(s) for s in self.spans]
        if self.rule:
            out["rule"] = self.rule
        return out


@dataclass(frozen=True)
class Verdict:
    """scam / suspicious / legitimate / unknown, with the evidence and the reply."""

    verdict: str
    score: float
    lang: str
    reasons: tuple[Reason, ...]
    reply: str
    institution: dict[str, Any] | None = None
    links: tuple[dict[str, Any], ...] = ()
    phones: tuple[dict[str, Any], ...] = ()
    sender: dict[str, Any] | None = None
    text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    fingerprint: Any = None  # bot.campaigns.Fingerprint, computed once by the check; stored, never shown

    def to_dict(self) -> dict[str, Any]:
        """The verdict JSON of DESIGN.md, plus the analysed text its spans point into."""
        return {
            "verdict": self.verdict, "score": round(self.score, 3), "lang": self.lang,
            "institution": self.institution,
            "reasons": [r.to_dict() for r in self.reasons],
            "links": list(self.links), "phones": list(self.phones), "sender": self.sender,
            "reply": self.reply, "text": self.text, **self.extra,
        }


    def stored(self) -> dict[str, Any]:
        """The JSON stored with a case: the verdict JSON plus the campaign fingerprint of the check."""
        out = self.to_dict()
        if self.fingerprint is not None:
            out["fingerprint"] = self.fingerprint.to_json()
        return out


def as_dict(obj: Any) -> dict[str, Any]:
    """A dataclass as a plain dict (for findings in JSON)."""
    return asdict(obj)
