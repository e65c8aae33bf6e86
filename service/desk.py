"""The desk's core, callable from a Python shell: place cases in campaigns, decide a campaign, propose a contact."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any, Iterable
from urllib.parse import urlsplit

from sqlite_utils import Database

from bot import campaigns as fingerprints
from bot import replies
from store import audit, case_pictures, indicators, official, outbox, reporters
from store import campaigns as store
from store.crypto import DataKeys
from store.db import immediate
from store.refusal import Refusal

# Suspicious cases scored below this go to a person (above it the automatic answer stands).
REVIEW_BELOW_SCORE = 0.6
# How long a case may wait for a person before the queue shows it late (hours).
TARGET_HOURS = 4.0
DECISIONS = ("scam", "suspicious", "legitimate")
CONTACT_KINDS = ("phone", "domain", "email", "sms_sender", "short_code")
MAX_NOTE = 500
# A shortened link, a phone number or an e-mail address is offered for the blocklist once this many different
# people forwarded it (see _one_reporter_only).
MIN_REPORTERS_FOR_LINK = 2


class DeskError(Refusal):
    """A desk action cannot be done as asked (the message says why)."""


class NotFound(DeskError):
    """The case or campaign does not exist."""


@dataclass(frozen=True)
class DeskConfig:
    """The desk's settings (see README: VIGIE_REVIEW_BELOW_SCORE, VIGIE_REVIEW_TARGET_HOURS)."""

    review_below: float = REVIEW_BELOW_SCORE
    target_hours: float = TARGET_HOURS


@dataclass(frozen=True)
class Settled:
    """What one decision did."""

    decision_id: int
    campaign_id: int
    verdict: str
    decided_at: str
    notified: int
    indicators: int


def verdict_data(raw: str | None) -> dict[str, Any]:
    """A stored verdict JSON as a dict ({} when absent or unreadable)."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def member_of(text: str, subject: str | None, raw_verdict: str | None) -> store.Member:
    """The campaign fingerprint of one stored case, as plain values for the store."""
    data = verdict_data(raw_verdict)
    fp = fingerprints.of_case(text, subject, data)
    inst = data.get("institution") if isinstance(data.get("institution"), dict) else {}
    return store.Member(fp.key, fp.shape, fp.text, fp.indicators, inst.get("id"), inst.get("name"))


def assign_pending(db: Database, limit: int = 500, *, keys: DataKeys | None = None) -> int:
    """Place the cases that have no campaign yet; returns how many were placed.

    With the keys, a reporter's own address (an e-mail not recognised as a forward) never becomes a
    grouping indicator."""
    pending = store.unassigned(db, limit)
    for case in pending:
        member = member_of(case.text, case.subject, case.verdict_json)
        if keys is not None:
            member = replace(member, indicators=tuple(
                (k, v) for k, v in member.indicators if not _personal(db, keys, k, v)))
        with immediate(db):  # placed and, in a decided campaign, its reporter told: together
            found = _campaign_for(db, member, case.verdict)
            if found is None:
                found = _picture_twin(db, case.id, member)
            campaign_id = store.place(db, case, member, found)
            if case.reporter:
                _tell_latecomer(db, campaign_id, case)
    return len(pending)


def _tell_latecomer(db: Database, campaign_id: int, case: store.Pending) -> None:
    """A report joining a decided campaign: its reporter gets the decision unless the answer already said it."""
    campaign = store.get(db, campaign_id)
    if campaign is None or campaign.verdict is None:
        return
    latest = store.latest_decision(db, campaign.id)
    if case.verdict == campaign.verdict:
        store.record_notice(db, campaign.id, case.reporter or "", campaign.verdict, latest, 0)
        return
    notify(db, campaign.id, campaign.verdict, campaign.decided_at or "", latest, only=case.reporter)


def _campaign_for(db: Database, m: store.Member, verdict: str | None = None) -> int | None:
    """The campaign a fingerprint joins: same text, a shared indicator, or close wording.

    Never one a person decided legitimate unless that campaign vouches for the report (every link, number
    and sender in it already seen there, and the engine not calling it a scam): a forged sender ID or
    a genuine text with the scammer's link would otherwise be told "AUTHENTIQUE" and answered so after."""
    fp = fingerprints.Fingerprint(m.shape, m.text, m.indicators)
    exact = store.by_key(db, m.key) if fp.wording_counts else None  # "<lien>" alone says nothing
    if exact is not None:
        return exact if _may_join(db, exact, m, verdict) else None
    sharing = [cid for cid, shape in store.by_indicators(db, m.indicators)
               if fingerprints.may_join(shape, m.shape) and _may_join(db, cid, m, verdict)]
    if sharing:
        keep, decided = sharing[0], store.get(db, sharing[0]).verdict
        others = [c for c in sharing[1:] if store.get(db, c).verdict in (None, decided)]
        if others and decided != "legitimate":  # undecided reports never slip under a "genuine" decision
            store.merge(db, keep, others)
        return keep
    if not fp.wording_counts:
        return None
    low, high = fingerprints.length_window(len(m.text))
    key = fingerprints.best_match(fp, store.texts_near(db, m.shape, low, high))
    found = store.by_key(db, key) if key else None
    return found if found is not None and _may_join(db, found, m, verdict) else None


def _may_join(db: Database, campaign_id: int, m: store.Member, verdict: str | None) -> bool:
    """Any campaign, except one decided legitimate that does not vouch for this report."""
    campaign = store.get(db, campaign_id)
    if campaign is None or campaign.verdict != "legitimate":
        return True
    return verdict != "scam" and fingerprints.vouches(store.indicators_of(db, campaign_id), m.indicators)


def _picture_twin(db: Database, case_id: int, m: store.Member) -> int | None:
    """The campaign of a case whose picture is this case's picture passed on (dhash a few bits apart)."""
    for dhash in case_pictures.dhashes(db, case_id):
        for other, _ in case_pictures.near(db, dhash, fingerprints.PICTURE_DISTANCE, but=case_id):
            row = db.execute("SELECT campaign_id FROM cases WHERE id = ?", [other]).fetchone()
            campaign = store.get(db, row[0]) if row and row[0] is not None else None
            if campaign is not None and fingerprints.may_join(campaign.shape, m.shape):
                return campaign.id
    return None


def blockable(db: Database, campaign_id: int, keys: DataKeys | None) -> list[tuple[str, str]]:
    """The indicators a decision on this campaign may confirm: none official, none a reporter's own address, no
    shortened link, number or address that only one reporter forwarded."""
    return [(kind, value) for kind, value in store.indicators_of(db, campaign_id)
            if not official.is_official(db, kind, value) and not _personal(db, keys, kind, value)
            and not _one_reporter_only(db, kind, value)]


def _one_reporter_only(db: Database, kind: str, value: str) -> bool:
    """A shortened link (kept whole, code and query), a phone number or an e-mail address that one reporter alone
    forwarded. Campaigns send each recipient a link of their own to see who clicks, so it may point at that
    patient; a number or an address may be the patient's own, written in an e-mail's signature or a pasted note,
    which `_personal` cannot recognise when they wrote from another channel. Each becomes blockable once two
    different people have forwarded it, as a campaign's link, number or address soon is. The limit: a relative who
    forwards the patient's own e-mail, signature included, is a second person; staff still untick what is not the
    scammer's (the decide form shows every indicator with its box)."""
    if kind != "url" and kind != "phone" and "@" not in value:
        return False
    seen = db.execute("SELECT count(DISTINCT c.reporter) FROM case_indicators i JOIN cases c ON c.id = i.case_id"
                      " WHERE i.kind = ? AND i.value = ?", [kind, value]).fetchone()[0]
    return seen < MIN_REPORTERS_FOR_LINK


def _personal(db: Database, keys: DataKeys | None, kind: str, value: str) -> bool:
    if kind in ("domain", "url"):
        return False
    if keys is None:  # without the keys nobody can tell a patient's number or address: never risk one
        return kind == "phone" or "@" in value or value.lstrip("+").isdigit()
    return reporters.is_reporter(db, keys, value)


def choice_token(kind: str, value: str) -> str:
    """The decide form's checkbox value for one indicator (opaque: the raw value never goes into an attribute)."""
    return hashlib.sha256(f"{kind}\x00{value}".encode("utf-8")).hexdigest()[:20]


def chosen_indicators(db: Database, campaign_id: int, keys: DataKeys | None,
                      tokens: Iterable[str]) -> list[tuple[str, str]]:
    """The indicators whose boxes were left checked; a token this campaign does not offer is refused."""
    offered = {choice_token(k, v): (k, v) for k, v in blockable(db, campaign_id, keys)}
    wanted = set(tokens)
    if wanted - set(offered):
        raise DeskError("desk_indicator_not_offered", campaign_id=campaign_id)
    return [item for token, item in offered.items() if token in wanted]


def decide(db: Database, campaign_id: int, verdict: str, note: str, actor: str,
           case_id: int | None = None, *, keys: DataKeys | None = None,
           chosen: Iterable[tuple[str, str]] | None = None) -> Settled:
    """A person settles a campaign: record it, confirm the indicators they kept, queue a follow-up for every reporter.

    Only `blockable` indicators are confirmed; `chosen` (the boxes left checked) narrows them, and naming one that
    is not offered for this campaign is refused."""
    note = " ".join((note or "").split())
    if verdict not in DECISIONS:
        raise DeskError("desk_decision", decisions=", ".join(DECISIONS), verdict=str(verdict)[:30])
    if not note or len(note) > MAX_NOTE:
        raise DeskError("desk_note", max_note=MAX_NOTE)
    campaign = store.get(db, campaign_id)
    if campaign is None:
        raise NotFound("desk_campaign_unknown", campaign_id=campaign_id)
    offered = blockable(db, campaign.id, keys)
    kept = offered if chosen is None else [i for i in offered if i in set(chosen)]
    if chosen is not None and set(chosen) - set(offered):
        raise DeskError("desk_indicator_not_offered", campaign_id=campaign.id)
    # One transaction: a decision is never stored without its indicators, follow-ups and notices.
    with immediate(db):
        decision_id, decided_at = store.record_decision(db, campaign.id, verdict, note, actor, case_id)
        written = 0
        if verdict in indicators.VERDICTS:
            written = indicators.confirm(db, kept, verdict, decided_at, campaign.id, note)
        told = notify(db, campaign.id, verdict, decided_at, decision_id)
        store.finish_decision(db, decision_id, told, written)
        audit.record(db, actor, "decide", json.dumps(
            {"campaign": campaign.id, "case": case_id, "verdict": verdict, "previous": campaign.verdict,
             "notified": told, "indicators": written, "left_out": len(offered) - len(kept)}))
    return Settled(decision_id, campaign.id, verdict, decided_at, told, written)


def notify(db: Database, campaign_id: int, verdict: str, decided_at: str, decision_id: int,
           only: str | None = None) -> int:
    """Queue a follow-up in their language for every reporter (not stopped) not yet told this verdict."""
    told = store.notified(db, campaign_id)
    count = 0
    for pseudonym, channel, lang, first_at, case_id in store.reporters_of(db, campaign_id):
        if told.get(pseudonym) == verdict or (only is not None and pseudonym != only):
            continue
        lang = lang if lang in replies.LANGS else "fr"
        meta = {"kind": "followup", "campaign_id": campaign_id, "decision_id": decision_id, "verdict": verdict}
        if channel == "email":
            meta["subject"] = replies.t(lang, "conversation", "email_subject")
        body = fingerprints.followup(lang, verdict, decided_at, first_at)
        outbox_id = outbox.enqueue(db, channel, pseudonym, body, meta=meta, case_id=case_id)
        store.record_notice(db, campaign_id, pseudonym, verdict, decision_id, outbox_id)
        count += 1
    return count


def propose_contact(db: Database, case_id: int, kind: str, value: str, source: str, note: str,
                    actor: str) -> int:
    """After a false alarm: propose an official contact with the page that states it; it waits for an admin."""
    value, source = (value or "").strip(), (source or "").strip()
    if kind not in CONTACT_KINDS:
        raise DeskError("desk_contact_kind", kind=str(kind)[:30], kinds=", ".join(CONTACT_KINDS))
    if not value or len(value) > 200:
        raise DeskError("desk_contact_value")
    parts = urlsplit(source)
    if parts.scheme != "https" or not parts.netloc or len(source) > 500:
        raise DeskError("desk_contact_source")
    row = db.execute("SELECT campaign_id, verdict_json FROM cases WHERE id = ?", [case_id]).fetchone()
    if row is None:
        raise NotFound("desk_case_unknown", case_id=case_id)
    inst = verdict_data(row[1]).get("institution") or {}
    with db.atomic():
        proposal = store.propose_contact(
            db, case_id=case_id, campaign_id=row[0], institution_id=inst.get("id"), institution_name=inst.get("name"),
            kind=kind, value=value, source=source, note=" ".join((note or "").split())[:MAX_NOTE], actor=actor)
        audit.record(db, actor, "propose_contact", json.dumps({"proposal": proposal, "case": case_id, "kind": kind}))
    return proposal
