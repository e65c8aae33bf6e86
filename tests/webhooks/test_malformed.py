"""Hostile input found by probing (issue 9): each gets a 4xx with a reason, or a stored case and an answer."""
from __future__ import annotations

import io
import json
import time
import uuid

import pytest

from bot.report import Report
from store import cases
from tests.webhooks.conftest import (API_TOKEN, TELEGRAM_SECRET, BrokenTriage, mailgun_form, twilio_form,
                                     twilio_post)
from service.intake import Inbound

PATIENT = "marie.patient@example.fr"
SCAM_BODY = ("Vous avez droit a un remboursement de 248,50 EUR. Confirmez vos coordonnees bancaires "
             "avant 48h : https://ameli-remboursement-info.com/dossier")


def post_mime(client, raw: bytes):
    """POST raw MIME bytes as Mailgun's 'body-mime' upload (bytes that are not UTF-8 stay as they are)."""
    form: dict = {k: v for k, v in mailgun_form(b"x").items() if k != "body-mime"}
    form["body-mime"] = (io.BytesIO(raw), "message.mime")
    return client.post("/webhooks/email/mime", data=form, content_type="multipart/form-data")


def eml(headers: str = "", body: str = SCAM_BODY, sender: str = f"Marie <{PATIENT}>") -> bytes:
    """A patient's e-mail with extra raw header lines; a fresh Message-ID unless one is given."""
    msg_id = "" if "message-id" in headers.lower() else f"Message-ID: <{uuid.uuid4().hex}@example.fr>\r\n"
    return (f"From: {sender}\r\nTo: verifier@vigie.example.org\r\nSubject: TR: remboursement\r\n{msg_id}"
            f"{headers}\r\n{body}\r\n").encode("utf-8", errors="surrogateescape")


def api_post(client, body: str):
    return client.post("/api/v1/check", data=body, content_type="application/json",
                       headers={"Authorization": f"Bearer {API_TOKEN}"})


def one_case(db) -> cases.Case:
    (case_id,) = db.execute("SELECT id FROM cases").fetchone()
    return cases.get(db, case_id)


# --- JSON --------------------------------------------------------------------------------------

def test_api_json_nested_1000_deep_is_a_400_with_a_reason(client):
    for body in ("[" * 1000 + "]" * 1000, '{"text": ' + "[" * 1000 + "]" * 1000 + "}"):
        resp = api_post(client, body)
        assert resp.status_code == 400 and "nested" in resp.json["error"]


def test_api_json_nested_just_past_the_limit_is_refused_before_any_work(client):
    resp = api_post(client, '{"text": "a", "x": ' + "[" * 40 + "]" * 40 + "}")
    assert resp.status_code == 400 and "nested" in resp.json["error"]


def test_telegram_webhook_json_nested_1000_deep_is_a_400(client, db):
    resp = client.post("/webhooks/telegram", data="[" * 1000 + "]" * 1000, content_type="application/json",
                       headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    assert resp.status_code == 400 and "nested" in resp.json["error"]
    assert cases.count(db) == 0


# --- text that cannot be stored or analysed as it is -------------------------------------------

def test_api_control_characters_only_is_a_400_empty_message(client):
    resp = api_post(client, json.dumps({"text": "\x01\x02\x03\x7f"}))
    assert resp.status_code == 400 and "empty message" in resp.json["error"]


def test_api_lone_surrogate_gets_a_verdict_not_a_503(client):
    resp = api_post(client, '{"text": "Votre colis \\ud800 attend : https://colis-relais-info.com"}')
    assert resp.status_code == 200 and resp.json["verdict"]


def test_sms_of_control_characters_only_gets_the_polite_empty_answer(client, db):
    resp = twilio_post(client, twilio_form(body="\x01\x02\x03"))
    assert resp.status_code == 200 and "Envoyez-moi le texte du message" in resp.get_data(as_text=True)
    assert cases.count(db) == 0


def test_lone_surrogate_is_stored_as_an_error_case_with_a_replacement_character(make_app, triage, db):
    app = make_app(triage_override=BrokenTriage(triage))
    intake = app.extensions["vigie.intake"]
    report = Report(text="Votre colis \ud800 attend", sender="COLIS\udcff")
    answer = intake.receive(db, Inbound("telegram", "tg-\udc80-1", "4242", report))
    assert answer.text.startswith(triage.error_reply("fr"))
    case = one_case(db)
    assert case.status == "error" and case.text == "Votre colis \ufffd attend" and case.sender == "COLIS\ufffd"


def test_surrogate_bytes_in_email_headers_and_body_are_stored(client, db, recorder):
    raw = eml("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n",
              body="Remboursement \xed\xa0\x80 en attente https://ameli-info.com",
              sender="Marie \udcff\udcfe <marie.patient@example.fr>")
    assert post_mime(client, raw).status_code == 200
    assert cases.count(db) == 1 and recorder.sent[0][0] == PATIENT


# --- e-mail headers ---------------------------------------------------------------------------

@pytest.mark.parametrize("message_id", ["<<<@@>", "<a b c>", "=?utf-8?q?=E9?=", "\x01"])
def test_broken_message_id_is_answered(client, db, recorder, message_id):
    assert post_mime(client, eml(f"Message-ID: {message_id}\r\n")).status_code == 200
    assert cases.count(db) == 1 and recorder.sent[0][0] == PATIENT


@pytest.mark.parametrize("sender", ['<<@@>>"', '"a\\', "=?utf-8?b?AAAA?= <,,,>", "Marie <\x01>"])
def test_broken_from_header_is_a_400_with_a_reason(client, db, sender):
    resp = post_mime(client, eml(sender=sender))
    assert resp.status_code == 400 and "From" in resp.json["error"]
    assert cases.count(db) == 0


@pytest.mark.parametrize("charset", ["idna", "undefined", "x-unknown-charset", "punycode", "utf-7", "hex"])
def test_odd_charset_is_read_and_answered(client, db, recorder, charset):
    resp = post_mime(client, eml(f"Content-Type: text/plain; charset={charset}\r\n"))
    assert resp.status_code == 200
    assert "ameli-remboursement-info.com" in one_case(db).text and len(recorder.sent) == 1


def test_odd_charset_in_an_encoded_subject_is_read(client, db):
    raw = eml().replace(b"Subject: TR: remboursement", b"Subject: =?idna?q?xn--ls8h?= =?undefined?b?AAAA?=")
    assert post_mime(client, raw).status_code == 200 and cases.count(db) == 1


# --- MIME structure ---------------------------------------------------------------------------

def test_1000_nested_mime_parts_are_answered_in_bounded_time(client, db, recorder):
    nest = "".join(f"Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n" for i in range(1000))
    raw = eml("MIME-Version: 1.0\r\n" + nest, body=f"Content-Type: text/plain\r\n\r\n{SCAM_BODY}")
    start = time.perf_counter()
    resp = post_mime(client, raw)
    assert resp.status_code == 200 and time.perf_counter() - start < 2.0
    assert cases.count(db) == 1 and len(recorder.sent) == 1


def test_20000_sibling_parts_are_answered_in_bounded_time(client, db, recorder):
    # The e-mail library alone needs about 5 s to parse these: such an e-mail is read as raw text.
    parts = "".join(f"--B\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n" for i in range(20000))
    raw = eml("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n", body=parts + "--B--")
    start = time.perf_counter()
    resp = post_mime(client, raw)
    assert resp.status_code == 200 and time.perf_counter() - start < 2.0
    assert "part 0" in one_case(db).text and "part 19999" not in one_case(db).text
    assert len(recorder.sent) == 1


def test_a_few_hundred_parts_are_still_parsed_part_by_part(client, db):
    parts = "".join(f"--B\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n" for i in range(300))
    raw = eml("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n", body=parts + "--B--")
    assert post_mime(client, raw).status_code == 200
    assert "Content-Type" not in one_case(db).text and "part 299" in one_case(db).text


# --- CR/LF injection --------------------------------------------------------------------------

def test_crlf_in_mailgun_parsed_fields_cannot_add_a_header(client, db, recorder):
    form = {k: v for k, v in mailgun_form(b"x").items() if k != "body-mime"}
    form.update({"from": f"Marie <{PATIENT}>\r\nBcc: evil@attacker.example",
                 "subject": "TR\r\nBcc: evil@attacker.example", "body-plain": SCAM_BODY,
                 "Message-Id": "<fwd-1@example.fr>\r\nBcc: evil@attacker.example"})
    resp = client.post("/webhooks/email", data=form)
    assert resp.status_code == 200
    address, _, meta = recorder.sent[0]
    assert address == PATIENT and meta["in_reply_to"] == "<fwd-1@example.fr>"
    case = one_case(db)
    assert "\n" not in (case.subject or "") and "\r" not in (case.subject or "")


def test_folded_message_id_gives_a_reply_header_without_line_breaks(client, recorder):
    assert post_mime(client, eml("Message-ID: <fold-1@example.fr>\r\n\tBcc: evil@attacker.example\r\n")
                     ).status_code == 200
    assert recorder.sent[0][2]["in_reply_to"] == "<fold-1@example.fr>"


def test_crlf_in_an_sms_sender_is_stored_on_one_line(client, db):
    twilio_post(client, twilio_form(sender="+33612345678\r\nX-Injected: 1"))
    assert db.execute("SELECT count(*) FROM inbound").fetchone() == (1,)
    stored = db.execute("SELECT provider_message_id FROM inbound").fetchone()[0]
    assert "\r" not in stored and "\n" not in stored


# --- sizes the e-mail library handles badly (each about 0.1 s; 2 s leaves room for a loaded machine) ---

@pytest.mark.parametrize("headers", [
    "Subject: " + "=?utf-8?q?a?= " * 100_000 + "\r\n",  # once killed the process (gigabytes)
    "Content-Type: text/plain; " + "a=b; " * 100_000 + "\r\n",
    "Authentication-Results: mx; spf=pass\r\n" * 100_000,
    "X-Noise: b\r\n" * 200_000,
], ids=["1-mb-subject", "100k-parameters", "100k-same-header", "200k-headers"])
def test_oversized_headers_are_read_in_bounded_time(client, db, recorder, headers):
    raw = eml(headers)
    if raw.count(b"Subject:") > 1:
        raw = raw.replace(b"Subject: TR: remboursement\r\n", b"", 1)
    start = time.perf_counter()
    assert post_mime(client, raw).status_code == 200
    assert time.perf_counter() - start < 2.0 and len(recorder.sent) == 1
