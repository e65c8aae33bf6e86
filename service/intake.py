"""The core every channel hands its parsed message to: dedupe, reporter, conversation, case, reply."""
from __future__ import annotations

import hmac
import json
import logging
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Callable, Mapping

from sqlite_utils import Database

from bot import replies
from bot.conversation import Checks, Context, Outcome, forget_code, has_visible, picture_unread, respond
from bot.report import Report
from config.channels import traits
from config.settings import Settings
from service import clean, picture, retention
from service.outbound import SendError, Sender
from service.picture import Loader
from store import answers, audit, cases, clock, conversation, outbox, reporters
from store.crypto import DataKeys
from store.db import immediate

log = logging.getLogger("vigie.intake")
MAX_SALVAGED = 10_000  # characters of a message kept after a failure (the channels' own cap)
AWAITING_SENDER = "awaiting_sender"
AWAITING_FORGET = "awaiting_forget"  # an OUBLI waiting for the code sent back (channels whose sender is not proven)
MAX_FORGET_TRIES = 5  # wrong codes before the code dies
MAX_FORGET_CODES = 3  # new codes made for one reporter per FORGET_CODE_WINDOW
FORGET_CODE_WINDOW = timedelta(hours=24)
FORGET_CODE_SENT = "forget_code_sent"  # the audit action that counts them
Also = Callable[[Database], None]  # more work for the transaction that stores the answer


@dataclass(frozen=True)
class Inbound:
    """One verified message from a channel, channel-neutral."""

    channel: str
    provider_id: str
    address: str | None  # the patient's address on that channel (phone, chat id, e-mail)
    report: Report
    lang_hint: str | None = None  # e.g. Telegram's language_code
    media: bool = False  # a file that is not a picture came with it (video, voice, document)
    picture: Loader | tuple[Loader, ...] | None = None  # the forwarded pictures' bytes, loaded once the message is new


@dataclass(frozen=True)
class Answer:
    """What to send back, and what was stored."""

    text: str
    messages: tuple[str, ...]
    lang: str
    case_id: int | None
    duplicate: bool = False
    verdict: str | None = None
    reporter: str | None = None


class Intake:
    """Dedupe, conversation, storage: the same for every channel."""

    def __init__(self, settings: Settings, triage: Checks, keys: DataKeys,
                 senders: Mapping[str, Sender]) -> None:
        self.settings, self.triage, self.keys, self.senders = settings, triage, keys, dict(senders)

    def salvage(self, db: Database, channel: str, provider_id: str, address: str | None, text: str,
                lang_hint: str | None, note: str) -> str:
        """After an unplanned failure outside the analysis: keep what the patient sent as an error case for staff
        (as far as the database allows) and return the answer telling them a person will look at it."""
        reply = self.triage.error_reply(_lang(lang_hint) or "fr")
        try:
            if db.conn.in_transaction:
                db.conn.rollback()
            provider_id, address = clean.one_line(provider_id, 2000), clean.one_line(address, 2000) if address else None
            reporter = self.keys.pseudonym(channel, address) if address else None
            delivery = cases.record(db, channel, provider_id, reply, cases.NewCase(
                text=clean.text(text[:MAX_SALVAGED]), status="error", reporter=reporter, subject=note[:200], reply=reply))
            if delivery.duplicate:  # it had been answered before the failure: that answer stands
                return delivery.reply
        except Exception as exc:  # noqa: BLE001 - the patient is answered even when nothing could be kept
            log.error("%s message %s could not be kept after a failure (%s)", channel, provider_id[:40],
                      type(exc).__name__)
        return reply

    def receive(self, db: Database, msg: Inbound, also: Also | None = None) -> Answer:
        """Answer one inbound message (a redelivery gets the stored answer, nothing new is stored).

        `also` runs in the transaction that stores the answer (or alone, for a redelivery)."""
        msg = _sanitised(msg)
        seen = cases.prior(db, msg.channel, msg.provider_id)
        if seen is not None:
            log.info("redelivery %s/%s -> case %s", msg.channel, msg.provider_id[:40], seen.case_id)
            if also is not None:
                with db.atomic():
                    also(db)
            return self._replayed(db, msg, seen)
        who = reporters.touch(db, self.keys, msg.channel, msg.address) if msg.address else None
        pseudonym = who.pseudonym if who else None
        waiting = self._awaiting(db, pseudonym)
        ctx = Context(lang=(who.lang if who else None) or _lang(msg.lang_hint),
                      first_contact=bool(who and who.first_contact), awaiting_sender=waiting.text if waiting else None,
                      retention_days=self.settings.retention_days)
        outcome, kept = self._respond(msg, ctx)
        store = _storing(msg, outcome.messages, picture.keeping(msg.channel, msg.provider_id, kept, self.keys, also))
        if outcome.kind == "command" and pseudonym:
            return self._command(db, msg, outcome, pseudonym, store)
        if outcome.refines:
            return self._refined(db, msg, outcome, pseudonym, waiting, store)
        new_case = self._new_case(outcome, pseudonym) if outcome.kind in ("report", "error") else None
        delivery = cases.record(db, msg.channel, msg.provider_id, outcome.text, new_case, also=store)
        if pseudonym:
            if outcome.ask_sender and delivery.case_id and not delivery.duplicate:
                conversation.save(db, pseudonym, conversation.Pending(AWAITING_SENDER, {"case_id": delivery.case_id}))
            elif waiting:
                conversation.clear(db, pseudonym)
        log.info("case %s channel %s reporter %s kind %s status %s", delivery.case_id, msg.channel,
                 (pseudonym or "-")[:12], outcome.kind, outcome.status)
        return self._answer(db, msg, outcome, delivery, pseudonym)

    def _respond(self, msg: Inbound, ctx: Context) -> tuple[Outcome, tuple[picture.Kept, ...]]:
        """The conversation's answer and the pictures to keep with the case; a picture is read first and its
        text checked like any text."""
        if msg.picture is None:
            return respond(msg.report, ctx, self.triage, media=msg.media), ()
        read = picture.read(msg.report, msg.picture)
        report = clean.report(read.report)  # OCR text is stored and shown like a patient's text
        ctx = replace(ctx, awaiting_sender=None)  # a screenshot is a new message, never the sender's name
        if read.error and has_visible(msg.report.text):  # the caption is checked, the patient told why not the picture
            outcome = respond(msg.report, ctx, self.triage)
            told = (replies.t(outcome.lang, "conversation", read.error),) + outcome.messages
            # Staff see the note with the reason the picture was not read (appended: spans stay valid).
            return replace(outcome, messages=told, report=report if outcome.report is not None else None), read.kept
        if read.error:
            return picture_unread(report, read.error, ctx), read.kept
        return respond(report, ctx, self.triage), read.kept

    def _awaiting(self, db: Database, pseudonym: str | None) -> cases.Case | None:
        if not pseudonym:
            return None
        pending = conversation.load(db, pseudonym)
        if pending is None or pending.state != AWAITING_SENDER:
            return None
        return cases.get(db, int(pending.data.get("case_id", 0)))

    def _command(self, db: Database, msg: Inbound, outcome: Outcome, pseudonym: str, store: Also) -> Answer:
        if outcome.command == "forget" and not traits(msg.channel).sender_proven:
            outcome = self._confirm_forget(db, msg, outcome, pseudonym)
        if outcome.command == "forget":
            retention.forget(db, pseudonym)
        elif outcome.command == "stop":
            reporters.set_stopped(db, pseudonym, True)
            audit.record(db, f"reporter:{pseudonym[:12]}", "stop")
        elif outcome.command == "start":
            reporters.set_stopped(db, pseudonym, False)
        if outcome.command != "forget" and outcome.lang:
            reporters.set_lang(db, pseudonym, outcome.lang)
        delivery = cases.record(db, msg.channel, msg.provider_id, outcome.text, also=store)
        log.info("command %s channel %s reporter %s", outcome.command, msg.channel, pseudonym[:12])
        return self._answer(db, msg, outcome, delivery, pseudonym)

    def _confirm_forget(self, db: Database, msg: Inbound, outcome: Outcome, pseudonym: str) -> Outcome:
        """OUBLI from a number or an address anyone can forge erases nothing until confirmed: Vigie sends a code
        back to that number or address, and erases when 'OUBLI <code>' comes back from it. A forged OUBLI
        would otherwise erase a patient's reports — and the blocklist entries only their reports carried.

        A code dies after MAX_FORGET_TRIES wrong guesses, and at most MAX_FORGET_CODES new codes are made for one
        reporter a day (a repeated OUBLI gets the pending code again): a forger cannot cycle through codes until
        one is guessed. One write transaction, so that guesses arriving at once on two workers are all counted."""
        with immediate(db):
            return self._forget_step(db, msg, outcome, pseudonym)

    def _forget_step(self, db: Database, msg: Inbound, outcome: Outcome, pseudonym: str) -> Outcome:
        pending = conversation.load(db, pseudonym)
        asked = pending.data if pending is not None and pending.state == AWAITING_FORGET else None
        code = forget_code(msg.report.text)
        if asked and code and hmac.compare_digest(code, str(asked.get("code", ""))):
            return outcome  # confirmed: erased by the caller
        if asked and code:  # a wrong code
            tries = int(asked.get("tries", 0)) + 1
            if tries < MAX_FORGET_TRIES:  # the one sent stands
                conversation.save(db, pseudonym, conversation.Pending(AWAITING_FORGET, {**asked, "tries": tries}))
                text = replies.t(outcome.lang, "conversation", "forget_wrong_code")
            else:
                conversation.clear(db, pseudonym)
                text = replies.t(outcome.lang, "conversation", "forget_code_void")
            return replace(outcome, messages=(text,), command="forget_asked")
        if asked and asked.get("code"):  # asked again: the same code, the same tries
            sent = str(asked["code"])
        else:
            actor = f"reporter:{pseudonym[:12]}"
            made = audit.count(db, actor, FORGET_CODE_SENT, since=clock.now() - FORGET_CODE_WINDOW)
            if made >= MAX_FORGET_CODES:
                log.info("forget code refused (daily limit) reporter %s", pseudonym[:12])
                text = replies.t(outcome.lang, "conversation", "forget_too_many", days=self.settings.retention_days)
                return replace(outcome, messages=(text,), command="forget_asked")
            sent = f"{secrets.randbelow(10**6):06d}"
            conversation.save(db, pseudonym, conversation.Pending(AWAITING_FORGET, {"code": sent}))
            audit.record(db, actor, FORGET_CODE_SENT)
        text = replies.t(outcome.lang, "conversation", "forget_confirm", code=sent)
        return replace(outcome, messages=(text,), command="forget_asked")

    def _refined(self, db: Database, msg: Inbound, outcome: Outcome, pseudonym: str | None,
                 waiting: cases.Case | None, store: Also) -> Answer:
        if waiting and outcome.verdict is not None and outcome.report is not None:
            cases.refine(db, waiting.id, sender=outcome.report.sender or "", verdict=outcome.verdict.verdict,
                         score=outcome.verdict.score, verdict_json=_json(outcome.verdict.stored()),
                         reply=outcome.text, status=outcome.status or "answered")
        if pseudonym:
            conversation.clear(db, pseudonym)
        delivery = cases.record(db, msg.channel, msg.provider_id, outcome.text, also=store,
                                of_case=waiting.id if waiting else None)
        log.info("case %s refined with the sender, reporter %s", waiting.id if waiting else None,
                 (pseudonym or "-")[:12])
        return self._answer(db, msg, outcome, cases.Delivery(delivery.reply, waiting.id if waiting else None,
                                                            delivery.duplicate), pseudonym)

    def _new_case(self, outcome: Outcome, pseudonym: str | None) -> cases.NewCase:
        report, verdict = outcome.report or Report(""), outcome.verdict
        return cases.NewCase(
            text=report.text, status=outcome.status or "error", reporter=pseudonym, subject=report.subject,
            sender=report.sender, verdict=verdict.verdict if verdict else None,
            score=verdict.score if verdict else None,
            verdict_json=_json(verdict.stored()) if verdict else None, reply=outcome.text, lang=outcome.lang)

    def _answer(self, db: Database, msg: Inbound, outcome: Outcome, delivery: cases.Delivery,
                pseudonym: str | None) -> Answer:
        if delivery.duplicate:  # a concurrent twin stored its answer first: give that one
            return self._replayed(db, msg, delivery)
        verdict = outcome.verdict.verdict if outcome.verdict else None
        return Answer(delivery.reply, outcome.messages, outcome.lang, delivery.case_id, False, verdict, pseudonym)

    def _replayed(self, db: Database, msg: Inbound, seen: cases.Delivery) -> Answer:
        """The stored answer, message by message as it was sent."""
        messages = answers.sent(db, msg.channel, msg.provider_id) or (seen.reply,)
        return Answer(seen.reply, messages, "fr", seen.case_id, duplicate=True)

    def deliver(self, db: Database, channel: str, address: str, body: str, *, reporter: str,
                meta: Mapping[str, Any] | None = None, case_id: int | None = None) -> bool:
        """Send now when a sender works; otherwise queue in the outbox. True when sent now."""
        sender = self.senders.get(channel)
        not_before = None
        if sender is not None:
            try:
                sender.send(address, body, meta or {})
                return True
            except SendError as exc:
                log.warning("send on %s failed (%s); queued in the outbox", channel, exc)
                if exc.retry_after:  # the provider asked us to wait (a 429): the worker does not try sooner
                    not_before = clock.now() + timedelta(seconds=exc.retry_after)
        outbox.enqueue(db, channel, reporter, body, meta=dict(meta or {}), case_id=case_id, not_before=not_before)
        return False

    def feedback(self, db: Database, channel: str, provider_id: str, address: str, case_id: int,
                 value: str, lang_hint: str | None) -> str:
        """Store a patient's useful / wrong feedback on their own case; the thank-you text."""
        seen = cases.prior(db, channel, provider_id)
        if seen is not None:
            return seen.reply
        pseudonym = self.keys.pseudonym(channel, address)
        who = reporters.get(db, pseudonym)
        lang = (who.lang if who else None) or _lang(lang_hint) or "fr"
        stored = cases.set_feedback(db, case_id, pseudonym, value)
        log.info("feedback %s on case %s (stored: %s) reporter %s", value, case_id, stored, pseudonym[:12])
        return cases.record(db, channel, provider_id, replies.t(lang, "conversation", f"thanks_{value}")).reply


def _sanitised(msg: Inbound) -> Inbound:
    """The message storable as it is: no lone surrogate, no control character, ids on one line."""
    return replace(msg, provider_id=clean.one_line(msg.provider_id, 2000), report=clean.report(msg.report),
                   address=clean.one_line(msg.address, 2000) if msg.address else msg.address)


def _storing(msg: Inbound, messages: tuple[str, ...], also: Also | None) -> Also:
    """Work for the answer's transaction: the messages as sent, then the caller's `also`."""
    def run(db: Database) -> None:
        answers.save(db, msg.channel, msg.provider_id, messages)
        if also is not None:
            also(db)
    return run


def _lang(hint: str | None) -> str | None:
    code = (hint or "").split("-")[0].lower()
    return code if code in ("fr", "en") else None


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)

