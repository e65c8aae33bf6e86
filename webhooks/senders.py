"""Outgoing messages: Twilio REST (SMS, WhatsApp), the Telegram Bot API and SMTP."""
from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any, Mapping
from urllib.parse import unquote, urlsplit

import httpx

from config import channels
from config.settings import Settings
from service.outbound import SendError, Sender
from store import clock

log = logging.getLogger("vigie.senders")
logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines show the URL, which holds the bot token


class TwilioSender:
    """SMS and WhatsApp through Twilio's REST API (which takes no idempotency key: a worker killed
    between Twilio's answer and the outbox update sends the message once more after the lease)."""

    def __init__(self, account_sid: str, auth_token: str, from_number: str) -> None:
        self.account_sid, self.auth_token, self.from_number = account_sid, auth_token, from_number
        self._client = None

    def send(self, address: str, body: str, meta: Mapping[str, Any]) -> None:
        """Create the message; WhatsApp addresses are sent from the whatsapp: form of TWILIO_FROM."""
        from twilio.base.exceptions import TwilioException  # noqa: PLC0415 - heavy import, only when sending
        from twilio.rest import Client  # noqa: PLC0415

        sender = self.from_number
        if address.startswith("whatsapp:") and not sender.startswith("whatsapp:"):
            sender = "whatsapp:" + sender
        try:
            self._client = self._client or Client(self.account_sid, self.auth_token)
            self._client.messages.create(to=address, from_=sender, body=body)
        except (TwilioException, httpx.HTTPError, OSError) as exc:
            raise SendError(f"twilio: {type(exc).__name__}") from exc


class TelegramSender:
    """The Telegram Bot API at TELEGRAM_API_URL (a local fake server in tests). It takes no
    idempotency key; HTTP statuses are logged, never the text or the chat."""

    def __init__(self, api_url: str, token: str, client: httpx.Client | None = None) -> None:
        self.base = f"{api_url.rstrip('/')}/bot{token}"
        self.client = client or httpx.Client(timeout=httpx.Timeout(10.0, read=40.0))

    def call(self, method: str, payload: Mapping[str, Any], timeout: float | None = None) -> Any:
        """Call one Bot API method; its `result`, or SendError."""
        try:
            resp = self.client.post(f"{self.base}/{method}", json=dict(payload),
                                    **({"timeout": timeout} if timeout else {}))
        except httpx.HTTPError as exc:
            log.warning("telegram %s: %s", method, type(exc).__name__)
            raise SendError(f"telegram {method}: {type(exc).__name__}") from exc
        (log.debug if resp.status_code == 200 else log.warning)("telegram %s: HTTP %s", method, resp.status_code)
        try:
            data = resp.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict) or data.get("ok") is not True:
            data = data if isinstance(data, dict) else {}
            params = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
            retry = params.get("retry_after")
            raise SendError(f"telegram {method}: HTTP {resp.status_code} {str(data.get('description', ''))[:200]}",
                            status=resp.status_code,
                            retry_after=float(retry) if isinstance(retry, (int, float)) and retry > 0 else None)
        return data.get("result")

    def send(self, address: str, body: str, meta: Mapping[str, Any]) -> None:
        """sendMessage to a chat id."""
        self.call("sendMessage", {"chat_id": address, "text": body, **meta.get("telegram", {})})


class SmtpSender:
    """E-mail replies through SMTP_URL (smtp:// with STARTTLS when offered, or smtps://)."""

    def __init__(self, url: str, from_addr: str, timeout: float = 10.0, *, envelope_from: str = "") -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:pass@host:port or smtps://...")
        self.tls = parts.scheme == "smtps"
        self.host, self.port = parts.hostname, parts.port or (465 if self.tls else 25)
        self.user, self.password = unquote(parts.username or ""), unquote(parts.password or "")
        self.from_addr, self.timeout = from_addr or f"vigie@{self.host}", timeout
        # MAIL FROM:<> (RFC 3834 §3.3) unless a bounces address is given: a bounce never gets a reply.
        self.envelope_from = envelope_from
        self.domain = parseaddr(self.from_addr)[1].rpartition("@")[2] or self.host

    def message(self, address: str, body: str, meta: Mapping[str, Any]) -> EmailMessage:
        """The reply as it is sent: dated, a Message-ID on the sending domain (stable across retries
        when the outbox gives an idempotency key), marked as an automatic reply."""
        msg = EmailMessage()
        msg["From"], msg["To"] = self.from_addr, address
        msg["Subject"] = meta.get("subject", "Vigie")
        msg["Date"] = format_datetime(clock.now())
        key = meta.get("idempotency_key")
        msg["Message-ID"] = f"<{key}.vigie@{self.domain}>" if key else make_msgid("vigie", domain=self.domain)
        msg["Auto-Submitted"] = "auto-replied"
        if meta.get("in_reply_to"):
            msg["In-Reply-To"] = msg["References"] = meta["in_reply_to"]
        msg.set_content(body)
        return msg

    def send(self, address: str, body: str, meta: Mapping[str, Any]) -> None:
        """Send one plain-text e-mail."""
        msg = self.message(address, body, meta)
        try:
            if self.tls:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                smtp.ehlo()
                if not self.tls and smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(msg, from_addr=self.envelope_from)
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"smtp: {type(exc).__name__}") from exc


def default_senders(settings: Settings) -> dict[str, Sender]:
    """The senders the settings allow (none makes a network call when built)."""
    out: dict[str, Sender] = {}
    providers: dict[str, Sender] = {}
    if settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from:
        providers["twilio"] = TwilioSender(settings.twilio_account_sid, settings.twilio_auth_token,
                                           settings.twilio_from)
    if settings.telegram_bot_token:
        providers["telegram"] = TelegramSender(settings.telegram_api_url, settings.telegram_bot_token)
    if settings.smtp_url:
        providers["smtp"] = SmtpSender(settings.smtp_url, settings.smtp_from)
    for provider, sender in providers.items():  # the channel table says which channels each one serves
        out.update(dict.fromkeys(channels.served_by(provider), sender))
    return out
