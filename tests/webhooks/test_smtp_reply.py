"""E-mail replies as a real SMTP server on loopback receives them: dated, a Message-ID on the sending
domain, marked as automatic (RFC 3834) and sent from the null envelope sender so bounces do not loop."""
from __future__ import annotations

import email
import socket
from datetime import timedelta
from email import policy
from email.utils import parsedate_to_datetime

import pytest
from aiosmtpd.controller import Controller

from store import clock, outbox, reporters
from store.crypto import DataKeys
from store.db import get_db
from vigie.worker import Worker
from webhooks.senders import SmtpSender

KEYS = DataKeys.from_secret("data-key-for-tests")


class Inbox:
    """Keeps each message with its envelope sender; refuses the first `refuse` DATA with a 451."""

    def __init__(self) -> None:
        self.received: list[tuple[str, email.message.EmailMessage]] = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from,
                              email.message_from_bytes(envelope.content, policy=policy.default)))
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield f"smtp://127.0.0.1:{port}", inbox
    controller.stop()


def test_a_reply_is_dated_and_identified_on_the_sending_domain(smtp):
    url, inbox = smtp
    SmtpSender(url, "Vigie <verif@vigie.example.org>").send("marie@example.fr", "ARNAQUE probable.", {})
    ((_, msg),) = inbox.received
    assert abs(parsedate_to_datetime(msg["Date"]) - clock.now()) < timedelta(minutes=1)
    assert msg["Message-ID"].endswith("@vigie.example.org>") and "vigie.local" not in msg["Message-ID"]


def test_a_reply_is_marked_as_an_automatic_reply(smtp):
    url, inbox = smtp
    SmtpSender(url, "verif@vigie.example.org").send(
        "marie@example.fr", "ARNAQUE probable.", {"in_reply_to": "<fwd-1@example.fr>"})
    ((_, msg),) = inbox.received
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["In-Reply-To"] == "<fwd-1@example.fr>"


def test_the_envelope_sender_is_null_so_a_bounce_goes_nowhere(smtp):
    url, inbox = smtp
    SmtpSender(url, "verif@vigie.example.org").send("marie@example.fr", "ARNAQUE probable.", {})
    ((mail_from, msg),) = inbox.received
    assert mail_from == "<>" and msg["From"] == "verif@vigie.example.org"


def test_a_dedicated_bounces_address_becomes_the_envelope_sender(smtp):
    url, inbox = smtp
    SmtpSender(url, "verif@vigie.example.org", envelope_from="bounces@vigie.example.org").send(
        "marie@example.fr", "ARNAQUE probable.", {})
    ((mail_from, _),) = inbox.received
    assert mail_from == "bounces@vigie.example.org"


def test_a_retried_follow_up_keeps_its_message_id(smtp, tmp_path):
    url, inbox = smtp
    inbox.refuse = 1
    db = get_db(tmp_path / "vigie.sqlite3")
    who = reporters.touch(db, KEYS, "email", "marie@example.fr")
    outbox.enqueue(db, "email", who.pseudonym, "Une personne a vérifié : ARNAQUE.")
    worker, start = Worker(KEYS, {"email": SmtpSender(url, "verif@vigie.example.org")}), clock.now()
    assert worker.run_once(db, start)["retry"] == 1
    assert worker.run_once(db, start + timedelta(minutes=1))["sent"] == 1
    first, second = (msg["Message-ID"] for _, msg in inbox.received)
    assert first == second and first.endswith("@vigie.example.org>")
