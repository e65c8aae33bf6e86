"""Fixtures for the intake: real settings on a temp SQLite file, a recording sender, signed payloads."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import pytest
from twilio.request_validator import RequestValidator

from config.settings import Settings
from vigie.app import create_app

PUBLIC_URL = "https://vigie.example.org"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
TELEGRAM_SECRET = "telegram-secret_token-123"
MAILGUN_KEY = "key-mailgun-signing-for-tests"
API_TOKEN = "api-token-partner-1"
SCAM_SMS = ("CPAM : Votre carte vitale arrive à expiration, afin de rester couvert, veuillez remplir "
            "le formulaire de renouvellement : https://assures-amell.fr")
VAGUE_SMS = "Bonjour, c'est moi."  # too few words to judge: unknown whatever the model (bot.decide.MIN_WORDS)


@dataclass
class RecordingSender:
    """The network edge replaced: remembers what would have been sent; can be told to fail."""

    sent: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    fail: bool = False

    def send(self, address: str, body: str, meta: Mapping[str, Any]) -> None:
        from service.outbound import SendError
        if self.fail:
            raise SendError("recording sender told to fail")
        self.sent.append((address, body, dict(meta)))


class BrokenTriage:
    """A triage whose analysis raises (the error path must still store and answer)."""

    def __init__(self, real) -> None:
        self.real = real

    def check(self, report):
        raise RuntimeError("analysis exploded")

    def error_reply(self, lang: str) -> str:
        return self.real.error_reply(lang)


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Production-like settings with every channel on, over a fresh database file."""
    return Settings(db_path=tmp_path / "vigie.sqlite3", secret_key=secrets.token_urlsafe(32),
                    data_key=secrets.token_urlsafe(32),
                    public_url=PUBLIC_URL, twilio_auth_token=TWILIO_TOKEN, telegram_webhook_secret=TELEGRAM_SECRET,
                    mailgun_signing_key=MAILGUN_KEY, api_tokens=(API_TOKEN, "api-token-partner-2"),
                    smtp_from="vigie@vigie.example.org")


@pytest.fixture
def recorder() -> RecordingSender:
    """The recording sender, for every outgoing channel."""
    return RecordingSender()


@pytest.fixture
def make_app(settings, triage, recorder):
    """Factory: the app with overrides (settings fields, another triage)."""
    def make(triage_override=None, **overrides):
        senders = {c: recorder for c in ("sms", "whatsapp", "telegram", "email")}
        return create_app(replace(settings, **overrides), senders=senders, triage=triage_override or triage)
    return make


@pytest.fixture
def app(make_app):
    """The app with the real engine."""
    return make_app()


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def db(app):
    """A connection to the app's database."""
    from store.db import connect
    conn = connect(app.config["VIGIE_DB"])
    yield conn
    conn.conn.close()


# --- payload factories ---------------------------------------------------------------------------

def twilio_form(body: str = SCAM_SMS, sender: str = "+33612345678", sid: str | None = None, **extra: str) -> dict[str, str]:
    """An inbound Twilio messaging webhook form with the fields Twilio sends."""
    form = {"ToCountry": "FR", "SmsMessageSid": sid or "", "NumMedia": "0", "From": sender, "To": "+33757000000",
            "Body": body, "MessageSid": sid or f"SM{uuid.uuid4().hex}", "AccountSid": "AC" + "0" * 32,
            "NumSegments": "1", "ApiVersion": "2010-04-01", "SmsStatus": "received", "FromCountry": "FR"}
    form["SmsMessageSid"] = form["MessageSid"]
    form.update(extra)
    return form


def twilio_post(client, form: Mapping[str, str], token: str = TWILIO_TOKEN, path: str = "/webhooks/twilio"):
    """POST a form signed by Twilio's own RequestValidator."""
    signature = RequestValidator(token).compute_signature(PUBLIC_URL + path, dict(form))
    return client.post(path, data=dict(form), headers={"X-Twilio-Signature": signature})


def telegram_update(text: str = SCAM_SMS, update_id: int | None = None, chat_id: int = 424242,
                    language_code: str = "fr", **message: Any) -> dict[str, Any]:
    """A Telegram Update (Bot API field names) carrying one private message."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Marie", "language_code": language_code}
    msg = {"message_id": 17, "date": int(time.time()), "chat": {"id": chat_id, "type": "private", "first_name": "Marie"},
           "from": user, "text": text}
    msg.update(message)
    return {"update_id": update_id if update_id is not None else int(uuid.uuid4().int % 10**9), "message": msg}


def telegram_post(client, update: Mapping[str, Any], secret: str = TELEGRAM_SECRET):
    """POST an update with the secret header Telegram sends."""
    return client.post("/webhooks/telegram", json=dict(update), headers={"X-Telegram-Bot-Api-Secret-Token": secret})


def mailgun_form(mime: bytes, key: str = MAILGUN_KEY, timestamp: int | None = None, token: str | None = None) -> dict[str, str]:
    """A Mailgun 'forward to URL ending in mime' form, signed HMAC-SHA256(key, timestamp + token)."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    tok = token or uuid.uuid4().hex + uuid.uuid4().hex[:18]
    sig = hmac.new(key.encode(), (ts + tok).encode(), hashlib.sha256).hexdigest()
    return {"timestamp": ts, "token": tok, "signature": sig, "body-mime": mime.decode("utf-8"),
            "recipient": "verifier@vigie.example.org", "sender": "patient@example.fr"}


def forwarded_eml(message_id: str = "<scam-1@mailer.example>", patient: str = "Marie <marie.patient@example.fr>") -> bytes:
    """A patient's e-mail forwarding a phishing e-mail as an attached message/rfc822."""
    return (
        f"From: {patient}\r\nTo: verifier@vigie.example.org\r\nSubject: TR: Remboursement\r\n"
        f"Message-ID: <fwd-{uuid.uuid4().hex}@example.fr>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Est-ce une arnaque ?\r\n--XX\r\nContent-Type: message/rfc822\r\n\r\n"
        "From: Assurance Maladie <remboursement@ameli-sante-info.com>\r\nTo: marie.patient@example.fr\r\n"
        f"Subject: Votre remboursement de 248,50 EUR\r\nMessage-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Vous avez droit a un remboursement de 248,50 EUR. Pour le recevoir, confirmez vos coordonnees "
        "bancaires avant 48h : https://ameli-remboursement-info.com/dossier\r\n--XX--\r\n"
    ).encode()
