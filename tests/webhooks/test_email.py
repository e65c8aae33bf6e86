"""POST /webhooks/email(/mime): Mailgun HMAC, stale and replayed tokens, a real SMTP server on loopback."""
from __future__ import annotations

import email
import socket
import time
import uuid
from email import policy

import pytest
from aiosmtpd.controller import Controller

from store import cases, outbox
from tests.webhooks.conftest import BrokenTriage, forwarded_eml, mailgun_form


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 (aiosmtpd)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def smtp_app(settings, triage, smtp_server):
    """The app with its default senders: SMTP_URL points at the loopback server."""
    from dataclasses import replace
    from vigie.app import create_app
    controller, _ = smtp_server
    return create_app(replace(settings, smtp_url=f"smtp://127.0.0.1:{controller.port}"), triage=triage)


def test_forwarded_phishing_is_answered_by_smtp(smtp_app, smtp_server):
    _, inbox = smtp_server
    resp = smtp_app.test_client().post("/webhooks/email/mime", data=mailgun_form(forwarded_eml()))
    assert resp.status_code == 200 and resp.json["status"] == "ok"
    assert len(inbox.messages) == 1
    reply = inbox.messages[0]
    assert reply["To"] == "marie.patient@example.fr"
    assert reply["Subject"].startswith("Vigie")
    assert reply.get_content().startswith(("ARNAQUE", "Message SUSPECT"))


def test_reply_waits_in_the_outbox_when_smtp_fails(make_app, recorder):
    recorder.fail = True
    app = make_app()
    app.test_client().post("/webhooks/email", data=mailgun_form(forwarded_eml()))
    from store.db import connect
    db = connect(app.config["VIGIE_DB"])
    assert db.execute("SELECT channel, status FROM outbox").fetchall() == [("email", "pending")]
    assert outbox.due(db)[0].meta["subject"].startswith("Vigie")


def test_bad_signature_is_rejected_and_nothing_stored(client, db, recorder):
    form = mailgun_form(forwarded_eml(), key="another-key")
    assert client.post("/webhooks/email", data=form).status_code == 403
    assert cases.count(db) == 0 and not recorder.sent


def test_missing_signature_fields_are_rejected(client):
    form = mailgun_form(forwarded_eml())
    del form["signature"]
    assert client.post("/webhooks/email", data=form).status_code == 403


def test_stale_timestamp_is_refused_and_nothing_stored(client, db):
    form = mailgun_form(forwarded_eml(), timestamp=int(time.time()) - 600)
    assert client.post("/webhooks/email", data=form).status_code == 406
    assert cases.count(db) == 0


def test_replayed_token_carrying_another_email_is_refused(client, db):
    # Mailgun signs timestamp + token only: the seen-token table is what stops a swapped body.
    form = mailgun_form(forwarded_eml())
    assert client.post("/webhooks/email", data=form).status_code == 200
    form["body-mime"] = forwarded_eml(message_id="<another@mailer.example>").decode()
    assert client.post("/webhooks/email", data=form).status_code == 406
    assert cases.count(db) == 1


def test_replay_of_the_exact_request_is_refused_with_406(client, db):
    form = mailgun_form(forwarded_eml())
    assert client.post("/webhooks/email", data=form).status_code == 200
    assert client.post("/webhooks/email", data=form).status_code == 406
    assert cases.count(db) == 1


def test_redelivery_with_a_fresh_token_is_deduplicated_by_message_id(client, db, recorder):
    eml = forwarded_eml()
    first = client.post("/webhooks/email/mime", data=mailgun_form(eml))
    again = client.post("/webhooks/email/mime", data=mailgun_form(eml))
    assert again.status_code == 200 and again.json == {"status": "duplicate", "case_id": first.json["case_id"]}
    assert cases.count(db) == 1 and len(recorder.sent) == 1


def test_same_scam_forwarded_by_two_patients_makes_two_cases(client, db):
    client.post("/webhooks/email", data=mailgun_form(forwarded_eml(patient="a@example.fr")))
    client.post("/webhooks/email", data=mailgun_form(forwarded_eml(patient="b@example.fr")))
    assert cases.count(db) == 2


def test_malformed_mime_is_a_400(client, db):
    form = mailgun_form(b"x")
    form["body-mime"] = "   "
    assert client.post("/webhooks/email", data=form).status_code == 400
    assert cases.count(db) == 0


def test_body_over_10_mb_is_refused_with_413(client):
    form = mailgun_form(forwarded_eml())
    form["body-mime"] += "A" * (10 * 1024 * 1024)
    assert client.post("/webhooks/email", data=form).status_code == 413


def test_failed_analysis_is_stored_as_error_and_answered(make_app, triage, recorder):
    app = make_app(triage_override=BrokenTriage(triage))
    assert app.test_client().post("/webhooks/email", data=mailgun_form(forwarded_eml())).status_code == 200
    assert recorder.sent[0][1].startswith(triage.error_reply("fr"))
    from store.db import connect
    assert connect(app.config["VIGIE_DB"]).execute("SELECT status FROM cases").fetchone() == ("error",)


def test_the_email_channel_is_off_without_a_signing_key(make_app):
    assert make_app(mailgun_signing_key="").test_client().post("/webhooks/email", data={}).status_code == 404


@pytest.mark.parametrize("table", ["cases", "inbound", "seen_tokens"])
def test_email_whose_storage_failed_is_accepted_when_mailgun_retries_the_same_token(client, db, recorder, table):
    # A real failure inside the transaction that stores the e-mail and its token (no mock): a trigger.
    db.execute(f"CREATE TRIGGER fail_once BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    form = mailgun_form(forwarded_eml())
    assert client.post("/webhooks/email/mime", data=form).status_code == 500
    assert db.execute("SELECT count(*) FROM seen_tokens").fetchone() == (0,) and cases.count(db) == 0
    db.execute("DROP TRIGGER fail_once")
    retry = client.post("/webhooks/email/mime", data=form)
    assert retry.status_code == 200 and retry.json["status"] == "ok"
    assert cases.count(db) == 1 and len(recorder.sent) == 1
    assert client.post("/webhooks/email/mime", data=form).status_code == 406  # now it is a replay


def test_token_used_by_a_concurrent_twin_is_refused_and_its_email_not_stored(client, db, recorder):
    # The race, made real with a trigger: another request stores the same token while this one
    # stores its e-mail (Mailgun signs the token, not the body: a swapped body must not get in).
    form = mailgun_form(forwarded_eml())
    db.execute("CREATE TRIGGER twin AFTER INSERT ON inbound BEGIN INSERT INTO seen_tokens"
               f" (token, timestamp, seen_at) VALUES ('{form['token']}', 0, 'now'); END")
    resp = client.post("/webhooks/email/mime", data=form)
    assert resp.status_code == 406 and "replay" in resp.json["error"]
    assert cases.count(db) == 0 and not recorder.sent


def test_a_reply_the_provider_asked_to_hold_back_waits_its_retry_after_in_the_outbox(make_app, recorder):
    from datetime import timedelta
    from service.outbound import SendError
    from store import clock
    from store.db import connect

    def too_many(address, body, meta):  # the provider's 429: "retry after 120 s"
        raise SendError("429 Too Many Requests", status=429, retry_after=120)
    recorder.send = too_many
    app = make_app()
    app.test_client().post("/webhooks/email", data=mailgun_form(forwarded_eml()))
    db = connect(app.config["VIGIE_DB"])
    assert db.execute("SELECT channel, status FROM outbox").fetchall() == [("email", "pending")]
    assert outbox.due(db) == []  # the worker does not try again at once
    assert len(outbox.due(db, clock.now() + timedelta(seconds=121))) == 1


def test_the_patients_own_address_is_never_the_sender_of_what_they_pasted(client, db):
    # An SMS copied into a plain e-mail (no forward marker): the e-mail's From is the patient.
    raw = ("From: Claire <claire.patiente@example.fr>\r\nTo: verifier@vigie.example.org\r\nSubject: sms bizarre\r\n"
           "Reply-To: Claire.Patiente@example.fr\r\n"
           f"Message-ID: <{uuid.uuid4().hex}@example.fr>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "Votre colis est en attente, reglez 1,99 EUR sur https://colis-suivi-fr.info avant demain.\r\n").encode()
    assert client.post("/webhooks/email", data=mailgun_form(raw)).status_code == 200
    stored = db.execute("SELECT sender, verdict_json FROM cases").fetchone()
    assert stored[0] in (None, "") and "claire.patiente" not in (stored[1] or "").lower()


def test_an_email_with_a_screenshot_attached_is_accepted_as_mailgun_posts_it(client, db, recorder):
    """With attachments, Mailgun posts multipart/form-data and the raw MIME is one form field of several MB:
    Flask's default 500 KB cap on a form field refused it with 413, and Mailgun dropped it after its retries."""
    import base64
    import os
    picture = base64.encodebytes(os.urandom(1_500_000)).decode()
    eml = forwarded_eml().replace(b"--XX--", ("--XX\r\nContent-Type: image/png\r\nContent-Disposition: attachment; "
                                              "filename=\"capture.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                                              + picture + "\r\n--XX--").encode())
    assert len(eml) > 2_000_000
    answer = client.post("/webhooks/email/mime", data=mailgun_form(eml), content_type="multipart/form-data")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert cases.count(db) == 1 and len(recorder.sent) == 1
    assert client.application.config["MAX_FORM_MEMORY_SIZE"] == 500_000  # raised for this route only
