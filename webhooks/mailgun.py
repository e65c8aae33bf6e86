"""POST /webhooks/email (and /webhooks/email/mime): Mailgun inbound routes with the raw MIME."""
from __future__ import annotations

import hashlib
import hmac
import time
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import parseaddr

from flask import Blueprint, current_app, jsonify, request
from sqlite_utils import Database

from bot import replies
from store import replay
from webhooks.channel import Channel
from webhooks.errors import Forged, Malformed, NotAcceptable
from webhooks.http import EMAIL_BODY, limit_body
from webhooks.intake import Answer, Inbound, Intake
from webhooks.mime import EmailParseError, parse_eml
from webhooks.resources import get_db, get_intake

bp = Blueprint("email", __name__)
MAX_AGE_SECONDS = 300


@bp.post("/webhooks/email")
@bp.post("/webhooks/email/mime")
def inbound():
    """Verify Mailgun's signature, refuse stale or replayed tokens, then handle the e-mail."""
    limit_body(EMAIL_BODY)
    intake, form = get_intake(), request.form
    timestamp = verify(intake.settings.mailgun_signing_key, form.get("timestamp", ""),
                       form.get("token", ""), form.get("signature", ""))
    raw = _raw_mime()
    db = get_db()
    if not replay.remember(db, form["token"], timestamp):
        raise NotAcceptable("this Mailgun token was already used (a replay)")
    answer = receive_email(intake, db, raw)
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
        if form.get(field):
            msg[header] = form[field]
    msg.set_content(form.get("body-plain") or form.get("stripped-text") or "")
    return msg.as_bytes()


def receive_email(intake: Intake, db: Database, raw: bytes) -> Answer:
    """Parse, dedupe (forwarded Message-ID per forwarder), answer by SMTP or the outbox."""
    try:
        parsed = parse_eml(raw)
    except EmailParseError as exc:
        raise Malformed(str(exc)) from exc
    address = parseaddr(parsed.outer_from)[1].strip().lower()
    if "@" not in address:
        raise Malformed("the e-mail has no From address to answer")
    message_id = parsed.message_id or hashlib.sha256(raw).hexdigest()
    provider_id = f"{message_id}|{intake.keys.pseudonym('email', address)[:16]}"
    answer = intake.receive(db, Inbound("email", provider_id, address, parsed.report))
    headers = BytesHeaderParser().parsebytes(raw)
    automatic = str(headers.get("Auto-Submitted", "no")).lower() != "no"
    ours = address == parseaddr(intake.settings.smtp_from)[1].lower()
    if not answer.duplicate and answer.reporter and not automatic and not ours:
        meta = {"kind": "reply", "subject": replies.t(answer.lang, "conversation", "email_subject"),
                "in_reply_to": str(headers.get("Message-ID", "") or "")}
        intake.deliver(db, "email", address, answer.text, reporter=answer.reporter, meta=meta,
                       case_id=answer.case_id)
    return answer


CHANNEL = Channel("email", ("email",), bp, "MAILGUN_SIGNING_KEY", lambda s: s.mailgun_signing_key)
