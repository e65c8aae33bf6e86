"""POST /webhooks/email (and /webhooks/email/mime): Mailgun inbound routes with the raw MIME."""
from __future__ import annotations

import hashlib
import hmac
import time
import logging
from dataclasses import replace
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import parseaddr

from flask import Blueprint, current_app, jsonify, request
from sqlite_utils import Database

from bot import replies
from bot.report import Report
from service import clean
from service.intake import Also, Answer, Inbound, Intake
from store import replay
from web.errors import Forged, Malformed, NotAcceptable
from web.http import EMAIL_BODY, limit_body
from web.resources import get_db, get_intake
from webhooks.channel import Channel
from webhooks.mail_rules import never_answer
from webhooks.mime import MAX_HEAD_BYTES, PARSE_ERRORS, EmailParseError, parse_eml

bp = Blueprint("email", __name__)
log = logging.getLogger("vigie.email")
MAX_AGE_SECONDS = 300


@bp.post("/webhooks/email")
@bp.post("/webhooks/email/mime")
def inbound():
    """Verify Mailgun's signature, refuse stale or replayed tokens, then handle the e-mail."""
    limit_body(EMAIL_BODY)
    # With attachments, Mailgun posts multipart/form-data, the raw MIME in one form field: Flask's default cap on a
    # field (500 KB, kept for every other form) would refuse every e-mail carrying a screenshot.
    request.max_form_memory_size = EMAIL_BODY
    intake, form = get_intake(), request.form
    timestamp = verify(intake.settings.mailgun_signing_key, form.get("timestamp", ""),
                       form.get("token", ""), form.get("signature", ""))
    raw, db, token = _raw_mime(), get_db(), form["token"]
    if replay.seen(db, token):
        raise NotAcceptable("this Mailgun token was already used (a replay)")
    # The token is remembered in the transaction that stores the e-mail: a crash before it commits
    # leaves neither, and Mailgun's retry with the same token is accepted.
    try:
        answer = receive_email(intake, db, raw, also=lambda d: replay.insert(d, token, timestamp))
    except replay.Replayed:  # a twin with this token committed in the meantime: nothing was stored
        raise NotAcceptable("this Mailgun token was already used (a replay)") from None
    if answer is None:
        if not replay.remember(db, token, timestamp):
            raise NotAcceptable("this Mailgun token was already used (a replay)")
        return jsonify({"status": "ignored", "case_id": None})
    return jsonify({"status": "duplicate" if answer.duplicate else "ok", "case_id": answer.case_id})


def verify(key: str, timestamp: str, token: str, signature: str, now: float | None = None) -> int:
    """Check HMAC-SHA256(key, timestamp + token) and the age of the timestamp; return it."""
    if not (timestamp and token and signature):
        raise Forged("timestamp, token and signature are required")
    expected = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature.strip().lower()):
        current_app.logger.warning("mailgun: bad signature from %s", request.remote_addr)
        raise Forged("the Mailgun signature does not match")
    try:
        stamp = int(timestamp)
    except ValueError:
        raise Forged("the timestamp is not a number") from None
    if abs((now or time.time()) - stamp) > MAX_AGE_SECONDS:
        raise NotAcceptable("the signed timestamp is more than 5 minutes old")
    return stamp


def _raw_mime() -> bytes:
    mime = request.form.get("body-mime")
    if mime:
        return mime.encode("utf-8", errors="surrogateescape")
    upload = request.files.get("body-mime")
    if upload is not None:
        return upload.read(EMAIL_BODY + 1)
    if request.form.get("body-plain") or request.form.get("stripped-text"):
        return _from_parsed_fields(request.form)
    raise Malformed("body-mime is missing (point the Mailgun route at /webhooks/email/mime)")


def _from_parsed_fields(form) -> bytes:
    """A MIME message rebuilt from Mailgun's parsed fields (a route without the raw MIME)."""
    msg = EmailMessage()
    for field, header in (("from", "From"), ("subject", "Subject"), ("Message-Id", "Message-ID")):
        value = clean.one_line(form.get(field) or "")  # no CR/LF: a field cannot add a header
        if value:
            try:
                msg[header] = value
            except PARSE_ERRORS:
                raise Malformed(f"the '{field}' field is not a valid {header} header") from None
    msg.set_content(clean.text(form.get("body-plain") or form.get("stripped-text") or ""))
    try:
        return msg.as_bytes()
    except PARSE_ERRORS:
        raise Malformed("the parsed fields do not make an e-mail") from None


def receive_email(intake: Intake, db: Database, raw: bytes, also: Also | None = None) -> Answer | None:
    """Parse, dedupe (forwarded Message-ID per forwarder), answer by SMTP or the outbox.

    None when the e-mail must get no answer at all (RFC 3834: bounces, auto-replies, list mail)."""
    try:
        parsed = parse_eml(raw)
    except EmailParseError as exc:
        raise Malformed(str(exc)) from exc
    address = clean.one_line(parseaddr(parsed.outer_from)[1]).lower()
    if "@" not in address or " " in address:
        raise Malformed("the e-mail has no From address to answer")
    headers = BytesHeaderParser().parsebytes(raw[:MAX_HEAD_BYTES])  # compat32: no structured parsing
    own = parseaddr(intake.settings.smtp_from)[1].lower()
    why = never_answer(headers, address, own, parsed.forwarded)
    if why:  # neither the address nor the text is logged
        log.info("email: not answered and not stored: %s", why)
        return None
    message_id = parsed.message_id or hashlib.sha256(raw).hexdigest()
    provider_id = f"{message_id}|{intake.keys.pseudonym('email', address)[:16]}"
    loads = tuple((lambda data=data: data) for data in parsed.pictures)
    inbound = Inbound("email", provider_id, address, _not_the_patient(parsed.report, address), picture=loads or None)
    answer = intake.receive(db, inbound, also=also)
    if not answer.duplicate and answer.reporter:
        meta = {"kind": "reply", "subject": replies.t(answer.lang, "conversation", "email_subject"),
                "in_reply_to": clean.message_id(str(headers.get("Message-ID", "") or ""))}
        intake.deliver(db, "email", address, answer.text, reporter=answer.reporter, meta=meta,
                       case_id=answer.case_id)
    return answer


def _not_the_patient(report: Report, address: str) -> Report:
    """The report without the patient's own address as its sender (an SMS pasted into a plain e-mail has the
    patient as its From): their address is not who sent the message, and must never be stored in clear with
    the case, shown to staff as an indicator, nor offered for the blocklist."""
    def theirs(value: str | None) -> bool:
        return bool(value) and parseaddr(value)[1].strip().lower() == address

    if not theirs(report.sender) and not any(theirs(x) for x in report.extra_senders):
        return report
    return replace(report, sender=None if theirs(report.sender) else report.sender,
                   extra_senders=tuple(x for x in report.extra_senders if not theirs(x)))


CHANNEL = Channel("email", ("email",), bp, "MAILGUN_SIGNING_KEY", lambda s: s.mailgun_signing_key)
