"""The conversation with a patient: commands, the verdict, "who sent it?", the privacy notice."""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Protocol

from bot import replies
from bot.report import Report
from bot.verdict import Verdict
from config.channels import traits
from config.logsafe import failure

# Keyword -> (command, language it reveals; None when both languages use it).
COMMANDS: dict[str, tuple[str, str | None]] = {
    "START": ("start", None), "DEMARRER": ("start", "fr"), "BONJOUR": ("start", "fr"),
    "AIDE": ("help", "fr"), "HELP": ("help", "en"), "INFO": ("help", None),
    "CONFIDENTIALITE": ("privacy", "fr"), "PRIVACY": ("privacy", "en"),
    "STOP": ("stop", None), "ARRET": ("stop", "fr"), "ARRETER": ("stop", "fr"),
    "STOPALL": ("stop", "en"), "UNSUBSCRIBE": ("stop", "en"), "DESABONNER": ("stop", "fr"),
    "OUBLI": ("forget", "fr"), "OUBLIER": ("forget", "fr"), "OUBLIEZMOI": ("forget", "fr"),
    "FORGET": ("forget", "en"), "FORGETME": ("forget", "en"),
}
_TEXT_OF = {"stop": "stopped", "forget": "forgotten"}  # commands answered by what was done
ASK_SENDER_VERDICTS = ("unknown", "suspicious")
log = logging.getLogger("vigie.conversation")
# A link, or a site name outside an e-mail address ("payez sur antai-paiement.com"): a message, not a sender.
_URLISH = re.compile(r"https?://|www\.|\.[a-z]{2,4}/"
                     r"|(?<![@\w.-])[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,4}\.[a-z]{2,24}\b(?![\w.-]{0,64}@)", re.I)
# A number, an address or a site name alone ("06 12 34 56 78", "x@ameli.fr", "ameli.fr"): the sender, judged as such.
_BARE_SENDER = re.compile(r"\+?[\d ().-]{3,24}|[^\s@]{1,64}@[^\s@]{1,255}|[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,5}",
                          re.I)
# A cue the rules found in the words (its pattern id): what makes a short text a message rather than a name.
_CUE_RULE = re.compile(r"(?:fr|en|xx)-")
_WITH_CODE = re.compile(r"\s*(\S{1,30}?)[\s:]+(\d{6})\s*[.!]?\s*")  # "OUBLI 123456"


class Checks(Protocol):
    """What the conversation needs from triage."""

    def check(self, report: Report) -> Verdict: ...

    def error_reply(self, lang: str) -> str: ...


@dataclass(frozen=True)
class Context:
    """What is known about the patient when a message arrives."""

    lang: str | None = None
    first_contact: bool = False
    awaiting_sender: str | None = None  # text of the report waiting for "who sent it?"
    retention_days: int = 90


@dataclass(frozen=True)
class Outcome:
    """What to answer and what to remember."""

    kind: str  # report | refined | command | empty | error
    messages: tuple[str, ...]
    lang: str
    command: str | None = None
    report: Report | None = None
    verdict: Verdict | None = None
    status: str | None = None  # the case status: answered | needs_review | error
    ask_sender: bool = False
    refines: bool = False  # the answer to "who sent it?": the waiting case is updated

    @property
    def text(self) -> str:
        """All messages as one text (channels that send a single message)."""
        return "\n\n".join(self.messages)


def command_of(text: str) -> tuple[str, str | None] | None:
    """The command in a short message ('/aide', 'STOP', 'Oubliez-moi', 'OUBLI 123456'), with its language."""
    if _WITH_CODE.fullmatch(text):
        return _forget_with_code(text)
    word = text.strip().split("@", 1)[0] if text.strip().startswith("/") else text.strip()
    if not word or len(word) > 30 or " " in word.strip(" !.").replace("- ", "-"):
        return None
    folded = unicodedata.normalize("NFKD", word.lstrip("/")).encode("ascii", "ignore").decode()
    key = re.sub(r"[^A-Za-z]", "", folded).upper()
    return COMMANDS.get(key)


def forget_code(text: str) -> str | None:
    """The confirmation code of an 'OUBLI 123456' (the code Vigie sent back to confirm an erasure)."""
    m = _WITH_CODE.fullmatch(text)
    return m.group(2) if m and _forget_with_code(text) else None


def _forget_with_code(text: str) -> tuple[str, str | None] | None:
    m = _WITH_CODE.fullmatch(text)
    found = command_of(m.group(1)) if m else None
    return found if found and found[0] == "forget" else None


def looks_like_sender(text: str) -> bool:
    """True for a short answer naming a sender ('AMELI', '06 12 34 56 78'), not a new message."""
    line = text.strip()
    return 0 < len(line) <= 60 and "\n" not in line and len(line.split()) <= 6 and not _URLISH.search(line)


def has_visible(text: str) -> bool:
    """True when `text` shows something: a character that is not a space, control or format mark."""
    return any(unicodedata.category(ch)[0] not in "CZ" for ch in text)


def respond(report: Report, ctx: Context, triage: Checks, *, media: bool = False) -> Outcome:
    """The answer to one incoming message (`media`: a picture or file came with it)."""
    found = command_of(report.text)
    if found:
        name, said_in = found
        lang = said_in or _lang(ctx.lang)
        text = _t(lang, _TEXT_OF.get(name, name), days=ctx.retention_days)
        # A patient who starts with /start (Telegram's first button) is told once what is kept.
        notice = _notice(ctx, lang) if name == "start" else ()
        return Outcome("command", (text,) + notice, lang, command=name)
    if ctx.awaiting_sender and _BARE_SENDER.fullmatch(report.text.strip()):
        return _refine(report, ctx, triage)
    if ctx.awaiting_sender and looks_like_sender(report.text):
        # A short text may be a new message as well as the sender's name ("Amende impayée, rappelez vite le 09 …"):
        # one whose own words read as a scam (a cue, not a brand name alone: "PayPal" is a fine answer) is answered
        # as the new report it is, never swallowed as a name. It does not ask "who sent it?" again.
        alone = _check(replace(report, lang=report.lang or ctx.lang), ctx, triage)
        if alone.verdict is not None and alone.verdict.verdict in ("scam", "suspicious") \
                and any(_CUE_RULE.match(r.rule or "") for r in alone.verdict.reasons):
            return replace(alone, ask_sender=False, messages=tuple(
                m for m in alone.messages if m != _t(alone.lang, "ask_sender")))
        return _refine(report, ctx, triage)
    if not has_visible(report.text) and not report.hidden_links:
        lang = _lang(ctx.lang)
        return Outcome("empty", (_t(lang, "media" if media else "empty"),) + _notice(ctx, lang), lang)
    return _check(replace(report, lang=report.lang or ctx.lang), ctx, triage)


def picture_unread(report: Report, code: str, ctx: Context) -> Outcome:
    """The answer to a picture that could not be read (`code`: a picture error code or picture_no_text).

    The report is kept as an error case, so staff see that a patient sent something."""
    lang = _lang(ctx.lang)
    return Outcome("error", (_t(lang, code),) + _notice(ctx, lang), lang, report=report, status="error")


def _check(report: Report, ctx: Context, triage: Checks) -> Outcome:
    try:
        verdict = triage.check(report)
    except Exception as exc:  # noqa: BLE001 - a failed analysis must never lose the report
        _log_failure("analysis", exc)
        lang = _lang(report.lang)
        return Outcome("error", (triage.error_reply(lang),) + _notice(ctx, lang), lang,
                       report=report, status="error")
    lang = verdict.lang
    ask = (traits(report.channel).sms_like and not report.sender
           and verdict.verdict in ASK_SENDER_VERDICTS)
    messages = (verdict.reply,) + ((_t(lang, "ask_sender"),) if ask else ()) + _notice(ctx, lang)
    return Outcome("report", messages, lang, report=report, verdict=verdict,
                   status=status_of(verdict), ask_sender=ask)


def _refine(report: Report, ctx: Context, triage: Checks) -> Outcome:
    sender = report.text.strip()
    original = Report(text=ctx.awaiting_sender or "", channel=report.channel, sender=sender, lang=ctx.lang)
    try:
        verdict = triage.check(original)
    except Exception as exc:  # noqa: BLE001 - keep the first answer; staff see the case
        _log_failure("re-check with the sender", exc)
        lang = _lang(ctx.lang)
        return Outcome("error", (triage.error_reply(lang),), lang, report=original, status="error",
                       refines=True)
    text = _t(verdict.lang, "refined", sender=sender) + "\n" + verdict.reply
    return Outcome("refined", (text,), verdict.lang, report=original, verdict=verdict,
                   status=status_of(verdict), refines=True)


def _log_failure(what: str, exc: BaseException) -> None:
    """The failure with its traceback (where it broke), never its message: that may quote the patient's text."""
    log.error("%s failed; the report is kept as an error case: %s", what, failure(exc))


def status_of(verdict: Verdict) -> str:
    """The case status for a verdict: a person checks what the machine could not settle."""
    return "needs_review" if verdict.verdict == "unknown" else "answered"


def _notice(ctx: Context, lang: str) -> tuple[str, ...]:
    return (_t(lang, "privacy_notice", days=ctx.retention_days),) if ctx.first_contact else ()


def _lang(lang: str | None) -> str:
    return lang if lang in replies.LANGS else "fr"


def _t(lang: str, key: str, **params: object) -> str:
    return replies.t(lang, "conversation", key, **params)
