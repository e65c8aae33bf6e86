"""`Analyser.analyse`: one message in, `Findings` out. Pure: no I/O, no network."""
from __future__ import annotations

import dataclasses
import re
from typing import Iterable

from nlp import extract, judge
from nlp.cues import CueFinder
from nlp.domains import has_public_suffix
from nlp.institutions import recognise
from nlp.lang import detect, is_other_language
from nlp.refang import refang
from nlp.registry_index import RegistryIndex
from nlp.types import Cue, Findings, PhoneFinding, SenderFinding

MAX_CHARS = 20_000  # longer texts are analysed on their first 20,000 characters
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CALL_CONTEXT = ("appel", "compos", "contact", "rappel", "numéro", "numero", "tél", "tel ", "sms",
                 "call", "txt", "text", "send", "reply", "dial", "ring", " to ", " au ", " le ",
                 "no:", "ph:", "n°")


class AnalysisError(ValueError):
    """The message cannot be analysed (empty, not text)."""


class Analyser:
    """Holds the registry index and the spaCy pipelines; `analyse` is thread-safe to call."""

    def __init__(self, index: RegistryIndex, cues: CueFinder | None = None) -> None:
        self.index = index
        self.cues = cues or CueFinder()

    def analyse(self, text: str, *, channel: str = "sms", sender: str | None = None,
                extra_senders: Iterable[str] = (), lang: str | None = None,
                hidden_links: Iterable[str] = ()) -> Findings:
        """Find indicators, the claimed institution and the cues in one message."""
        if not isinstance(text, str):
            raise AnalysisError("the message must be text")
        text = _CONTROL.sub(" ", text)
        hidden = [h for h in hidden_links if h and h not in text][:20]
        if hidden:
            text = f"{text}\n\n[liens cachés / hidden links] " + " ".join(hidden)
        text = refang(text)
        truncated = len(text) > MAX_CHARS
        text = text[:MAX_CHARS]
        if not text.strip():
            raise AnalysisError("the message is empty")
        lang = lang if lang in ("fr", "en") else detect(text)
        cues, advice = self.cues.find(text, lang, is_other_language(text))
        return Findings(
            text=text, lang=lang, channel=channel,
            links=tuple(judge.judge_link(r, self.index) for r in extract.links(text, has_public_suffix)),
            phones=tuple(self._phones(text, lang)),
            emails=tuple(judge.judge_email(a, d, s, self.index) for a, d, s in extract.emails(text)),
            amounts=tuple(extract.amounts(text)), ibans=tuple(extract.ibans(text)),
            cues=tuple(cues) + tuple(Cue("advice", c.pattern_id, c.span, c.text) for c in advice),
            institutions=tuple(recognise(text, self.index)),
            sender=self._sender(sender),
            extra_senders=tuple(s for s in (self._sender(x) for x in extra_senders) if s),
            truncated=truncated,
        )

    def _phones(self, text: str, lang: str) -> list[PhoneFinding]:
        regions = ("FR", "GB", "US")  # French first; then the notations English texts use
        out = []
        for raw in extract.phones(text, regions):
            found = judge.judge_phone(raw, self.index)
            if found.kind in ("short", "unknown") and not _call_context(text, raw.span[0]):
                continue  # a bare run of digits (a year, a reference) is not a phone number
            out.append(found)
        return out

    def _sender(self, sender: str | None) -> SenderFinding | None:
        found = judge.judge_sender(sender or "", self.index)
        if found and found.institution_id is None and found.detail:
            named = recognise(found.detail, self.index)
            if named:
                found = dataclasses.replace(found, institution_id=named[0].id)
        return found


def _call_context(text: str, start: int) -> bool:
    before = " " + text[max(0, start - 25):start].lower()
    return any(word in before for word in _CALL_CONTEXT)
