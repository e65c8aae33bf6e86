"""POST /webhooks/twilio: real signatures from twilio's RequestValidator, TwiML replies."""
from __future__ import annotations

from xml.etree import ElementTree

from store import cases
from tests.webhooks.conftest import BrokenTriage, SCAM_SMS, VAGUE_SMS, twilio_form, twilio_post


def messages(resp) -> list[str]:
    return [m.text or "" for m in ElementTree.fromstring(resp.data).iter("Message")]


def test_signed_scam_sms_gets_a_twiml_verdict(client, db):
    resp = twilio_post(client, twilio_form(SCAM_SMS, sender="CPAM"))
    assert resp.status_code == 200 and resp.mimetype == "text/xml"
    first = messages(resp)[0]
    assert first.startswith("ARNAQUE")
    assert cases.count(db, channel="sms", verdict="scam") == 1


def test_first_contact_adds_the_privacy_notice_once(client):
    first = messages(twilio_post(client, twilio_form(SCAM_SMS, sender="+33611111111")))
    second = messages(twilio_post(client, twilio_form(SCAM_SMS, sender="+33611111111")))
    assert any("sans vos coordonnées en clair" in m for m in first)
    assert not any("sans vos coordonnées en clair" in m for m in second)


def test_unsigned_sms_is_rejected_and_nothing_is_stored(client, db):
    resp = client.post("/webhooks/twilio", data=twilio_form())
    assert resp.status_code == 403 and "Signature" in resp.json["error"]
    assert cases.count(db) == 0


def test_sms_signed_with_another_token_is_rejected(client):
    assert twilio_post(client, twilio_form(), token="not-the-auth-token").status_code == 403


def test_tampered_body_breaks_the_signature(client):
    from twilio.request_validator import RequestValidator
    form = twilio_form()
    sig = RequestValidator("twilio-auth-token-for-tests").compute_signature(
        "https://vigie.example.org/webhooks/twilio", form)
    form["Body"] = "autre texte"
    assert client.post("/webhooks/twilio", data=form, headers={"X-Twilio-Signature": sig}).status_code == 403


def test_signed_form_without_message_sid_is_malformed(client):
    form = twilio_form()
    del form["MessageSid"]
    assert twilio_post(client, form).status_code == 400


def test_redelivered_sms_gets_the_same_twiml_byte_for_byte_and_one_case(client, db):
    form = twilio_form(SCAM_SMS, sid="SMredelivered0001")
    first, again = twilio_post(client, form), twilio_post(client, form)
    assert len(messages(first)) == 2  # the verdict, then the privacy notice of a first contact
    assert again.status_code == 200
    assert again.data == first.data
    assert cases.count(db) == 1


def test_redelivered_vague_sms_replays_the_question_as_a_separate_message(client, db):
    form = twilio_form(VAGUE_SMS, sid="SMredelivered0002")
    first, again = twilio_post(client, form), twilio_post(client, form)
    assert len(messages(first)) >= 2 and again.data == first.data


def test_body_over_64_kb_is_refused_with_413(client, db):
    resp = twilio_post(client, twilio_form("x" * (65 * 1024)))
    assert resp.status_code == 413
    assert cases.count(db) == 0


def test_whatsapp_address_makes_a_whatsapp_case(client, db):
    twilio_post(client, twilio_form(SCAM_SMS, sender="whatsapp:+33622222222"))
    assert cases.count(db, channel="whatsapp") == 1


def test_voice_note_without_text_gets_the_media_answer_and_no_case(client, db):
    form = twilio_form("", NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME1", MediaContentType0="audio/ogg")
    text = messages(twilio_post(client, form))[0]
    assert "pas les vidéos, les sons" in text
    assert cases.count(db) == 0


def test_failed_analysis_is_stored_as_error_and_answered(make_app, triage):
    app = make_app(triage_override=BrokenTriage(triage))
    client = app.test_client()
    resp = twilio_post(client, twilio_form(SCAM_SMS))
    assert resp.status_code == 200
    assert messages(resp)[0] == triage.error_reply("fr")
    from store.db import connect
    db = connect(app.config["VIGIE_DB"])
    row = db.execute("SELECT status, text FROM cases").fetchone()
    assert row == ("error", SCAM_SMS)


def test_a_failure_outside_the_analysis_still_answers_the_patient_and_keeps_the_message(app, triage, monkeypatch):
    """Twilio does not redeliver a message answered 500: it was lost and the patient got nothing (an audit)."""
    intake = app.extensions["vigie.intake"]

    def broken(db, msg, also=None):
        raise RuntimeError("the reporter table is in an unexpected state")

    monkeypatch.setattr(intake, "receive", broken)
    resp = twilio_post(app.test_client(), twilio_form(SCAM_SMS, sender="+33644445555"))
    assert resp.status_code == 200
    assert messages(resp) == [triage.error_reply("fr")]
    from store.db import connect
    row = connect(app.config["VIGIE_DB"]).execute("SELECT status, text, reporter FROM cases").fetchone()
    assert row == ("error", SCAM_SMS, intake.keys.pseudonym("sms", "+33644445555"))


def test_what_is_salvaged_is_stored_clean_and_an_answered_message_keeps_its_answer(app, triage):
    from store.db import connect
    intake, db = app.extensions["vigie.intake"], connect(app.config["VIGIE_DB"])
    reply = intake.salvage(db, "telegram", "u-1", "606", "texte \ud800 cassé\x00", "fr", "note")
    assert reply == triage.error_reply("fr")
    assert db.execute("SELECT text FROM cases").fetchone()[0] == "texte \ufffd cassé "
    # The same message again (it had been stored and answered before the failure): the stored answer stands.
    db.execute("UPDATE inbound SET reply = 'la réponse donnée' WHERE provider_message_id = 'u-1'")
    db.conn.commit()
    assert intake.salvage(db, "telegram", "u-1", "606", "texte", "fr", "note") == "la réponse donnée"


def test_unknown_forwarded_sms_asks_who_sent_it_and_refines_with_the_answer(client, db):
    patient = "+33633333333"
    first = messages(twilio_post(client, twilio_form(VAGUE_SMS, sender=patient)))
    assert any("Qui vous l'a envoyé" in m for m in first)
    row = db.execute("SELECT id, status, sender FROM cases").fetchone()
    assert row[1] == "needs_review" and row[2] is None
    answer = messages(twilio_post(client, twilio_form("06 12 34 56 78", sender=patient)))[0]
    assert answer.startswith("Merci. Avec l'expéditeur « 06 12 34 56 78 »")
    assert db.execute("SELECT count(*), max(sender) FROM cases").fetchone() == (1, "06 12 34 56 78")
    assert db.execute("SELECT count(*) FROM conversation").fetchone()[0] == 0


def test_unknown_verdict_tells_the_patient_a_person_will_check(client):
    from bot import replies
    text = messages(twilio_post(client, twilio_form(VAGUE_SMS)))[0]
    assert replies.t("fr", "advice", "unknown") in text
