"""`Analyser.analyse`: one message in, `Findings` out. Pure: no I/O, no network.

The work per message is bounded: the text is normalised (runs collapsed, long tokens cut, see
`nlp.normalise`), analysed on its first `MAX_CHARS` characters, and each analysis has a time
budget checked between stages (`AnalysisTimeout`: the report goes to staff as an error case).
"""
from __future__ import annotations

import dataclasses
import re
import time
from typing import Iterable

from nlp import domains, extract, judge
from nlp.cues import CueFinder
from nlp.domains import has_public_suffix
from nlp.institutions import recognise
from nlp.lang import detect, is_foreign, is_other_language
from nlp.disguise import disguised_words
from nlp.normalise import normalise_mapped, warm_up
from nlp.refang import refang_mapped
from nlp.registry_index import RegistryIndex
from nlp.types import DISGUISED, Cue, Findings, LinkFinding, PhoneFinding, SenderFinding

# Longer texts are analysed on their first 6,000 characters (Findings.truncated, said in the reply):
# cue matching and number parsing cost grows with the text; see bench/hostile.py for the figures.
MAX_CHARS = 6_000
MAX_INPUT = 4 * MAX_CHARS  # what is normalised at most: runs collapse, so keep some margin
MAX_HIDDEN_LINK = 500
MAX_INDICATORS = 30  # links, e-mail addresses, phone-like numbers judged per message (the first ones)
BUDGET_S = 1.0  # wall-clock seconds one analysis may take; a normal message takes a few ms
# Where an English message's numbers are at home: a UK, US or other English-speaking country's
# number in an English text is not "foreign" (in a French text, it is).
ENGLISH_HOMES = ("GB", "US", "CA", "AU", "IE", "NZ")
_PHONE_LIKE = re.compile(r"\+?\d(?:[ .\-]?\d){3,}")  # linear: a separator is never a digit
_CALL_CONTEXT = ("appel", "compos", "contact", "rappel", "numéro", "numero", "tél", "tel ", "sms",
                 "call", "txt", "text", "send", "reply", "dial", "ring", " to ", " au ", " le ",
                 "no:", "ph:", "n°")


def analysed_text(text: str) -> str:
    """The text `Analyser.analyse` reads for `text` (without hidden links): for rebuilding spans."""
    return refang_mapped(normalise_mapped(text[:MAX_INPUT])).cut(MAX_CHARS).text


class AnalysisError(ValueError):
    """The message cannot be analysed (empty, not text)."""


class AnalysisTimeout(AnalysisError):
    """The analysis went over its time budget: a hostile message, kept for staff as an error case."""


class _Budget:
    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds

    def check(self, stage: str) -> None:
        if time.monotonic() > self.deadline:
            raise AnalysisTimeout(f"analysis over its {self.seconds:g} s budget after {stage}")


class Analyser:
    """Holds the registry index and the spaCy pipelines; `analyse` is thread-safe to call."""

    def __init__(self, index: RegistryIndex, cues: CueFinder | None = None, *,
                 budget_s: float = BUDGET_S) -> None:
        self.index = index
        self.cues = cues or CueFinder()
        self.budget_s = budget_s
        warm_up()  # the look-alike table loads now, not on the first message that needs it
        domains.warm_up()  # and the suffix lists (180 ms for the private section), likewise

    def analyse(self, text: str, *, channel: str = "sms", sender: str | None = None,
                extra_senders: Iterable[str] = (), lang: str | None = None,
                hidden_links: Iterable[str] = ()) -> Findings:
        """Find indicators, the claimed institution and the cues in one message."""
        if not isinstance(text, str):
            raise AnalysisError("the message must be text")
        budget = _Budget(self.budget_s)
        original = text
        mapped = refang_mapped(normalise_mapped(text[:MAX_INPUT]))
        hidden = [h for h in (normalise_mapped(x[:MAX_HIDDEN_LINK]).text for x in hidden_links if x) if h
                  and h not in mapped.text][:5]
        tail = "\n\n[liens cachés / hidden links] " + " ".join(hidden) if hidden else ""
        truncated = len(original) > MAX_INPUT or len(mapped.text) + len(tail) > MAX_CHARS
        mapped = mapped.cut(MAX_CHARS - len(tail))  # hidden links are kept even when the body is cut
        if tail:
            mapped = refang_mapped(mapped.append(tail))
        text = mapped.text
        if not text.strip():
            raise AnalysisError("the message is empty")
        budget.check("normalising")
        lang = lang if lang in ("fr", "en") else detect(text)
        cues, advice = self.cues.find(text, lang, is_other_language(text))
        disguised = [Cue(DISGUISED, "normalise:disguise", span, text[span[0]:span[1]])
                     for span in disguised_words(text, mapped.bounds, original)]
        budget.check("cues")
        links = tuple(self._links(text, len(text) - len(tail) if tail else len(text)))
        phones = tuple(self._phones(text, lang))
        emails = tuple(judge.judge_email(a, d, s, self.index)
                       for a, d, s in extract.emails(text)[:MAX_INDICATORS])
        budget.check("indicators")
        amounts, ibans = tuple(extract.amounts(text)), tuple(extract.ibans(text))
        institutions = tuple(recognise(text, self.index, self.cues.is_word))
        budget.check("institutions")
        return Findings(
            text=text, lang=lang, channel=channel, links=links, phones=phones, emails=emails,
            amounts=amounts, ibans=ibans,
            cues=tuple(cues) + tuple(disguised) + tuple(Cue("advice", c.pattern_id, c.span, c.text) for c in advice),
            institutions=institutions,
            sender=self._sender(sender),
            extra_senders=tuple(s for s in (self._sender(x) for x in extra_senders) if s),
            truncated=truncated, foreign=is_foreign(text), original=original, offsets=tuple(mapped.bounds),
        )

    def _links(self, text: str, tail_start: int) -> list[LinkFinding]:
        """Each distinct link judged once, the first `MAX_INDICATORS` of them and every hidden one."""
        judged: dict[str, LinkFinding] = {}
        out = []
        for raw in extract.links(text, has_public_suffix):
            found = judged.get(raw.url)
            if found is None:
                if len(judged) >= MAX_INDICATORS and raw.span[0] < tail_start:
                    continue
                found = judged[raw.url] = judge.judge_link(raw, self.index)
            out.append(found if found.span == raw.span else dataclasses.replace(found, span=raw.span))
        return out

    def _phones(self, text: str, lang: str) -> list[PhoneFinding]:
        regions = ("FR", "GB", "US")  # French first; then the notations English texts use
        out = []
        # Number parsing costs about a millisecond a candidate: only the first ones are judged.
        many = [m.end() for _, m in zip(range(MAX_INDICATORS + 1), _PHONE_LIKE.finditer(text))]
        scope = text[:many[-1]] if len(many) > MAX_INDICATORS else text
        homes = ENGLISH_HOMES if lang == "en" else ("FR",)
        for raw in extract.phones(scope, regions):
            found = judge.judge_phone(raw, self.index, homes)
            if found.kind in ("short", "unknown") and not _call_context(text, raw.span[0]):
                continue  # a bare run of digits (a year, a reference) is not a phone number
            out.append(found)
        return out

    def _sender(self, sender: str | None) -> SenderFinding | None:
        found = judge.judge_sender(sender or "", self.index)
        if found and found.institution_id is None and found.detail:
            named = recognise(found.detail, self.index, self.cues.is_word)
            if named:
                found = dataclasses.replace(found, institution_id=named[0].id)
        return found


def _call_context(text: str, start: int) -> bool:
    before = " " + text[max(0, start - 25):start].lower()
    return any(word in before for word in _CALL_CONTEXT)
