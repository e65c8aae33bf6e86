"""POST /webhooks/telegram: the secret header, real Update JSON, replies as Bot API method calls."""
from __future__ import annotations

import json

import pytest

from bot import replies
from store import cases
from tests.webhooks.conftest import BrokenTriage, SCAM_SMS, telegram_post, telegram_update


def test_scam_message_is_answered_with_send_message_and_feedback_buttons(client, db):
    resp = telegram_post(client, telegram_update(SCAM_SMS, chat_id=1001))
    call = resp.json
    assert resp.status_code == 200
    assert call["method"] == "sendMessage" and call["chat_id"] == 1001
    assert call["text"].startswith("ARNAQUE")
    buttons = call["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"].rsplit(":", 1)[1] for b in buttons] == ["useful", "wrong"]


def test_wrong_secret_is_rejected(client, db):
    assert telegram_post(client, telegram_update(), secret="not-the-secret").status_code == 403
    assert client.post("/webhooks/telegram", json=telegram_update()).status_code == 403
    assert cases.count(db) == 0


def test_update_without_update_id_is_malformed(client):
    update = telegram_update()
    del update["update_id"]
    assert telegram_post(client, update).status_code == 400


def test_non_json_body_is_malformed(client):
    resp = client.post("/webhooks/telegram", data=b"not json",
                       headers={"X-Telegram-Bot-Api-Secret-Token": "telegram-secret_token-123"})
    assert resp.status_code == 400


def test_redelivered_update_gets_the_same_reply_and_one_case(client, db):
    update = telegram_update(SCAM_SMS, update_id=555001)
    first, again = telegram_post(client, update).json, telegram_post(client, update).json
    assert again["text"] == first["text"]
    assert cases.count(db) == 1


def test_huge_update_is_refused_with_413(client):
    assert telegram_post(client, telegram_update("x" * (70 * 1024))).status_code == 413


def test_forward_origin_becomes_the_sender(client, db):
    origin = {"type": "hidden_user", "sender_user_name": "Ameli Remboursement", "date": 1767500000}
    telegram_post(client, telegram_update(SCAM_SMS, forward_origin=origin))
    assert db.execute("SELECT sender FROM cases").fetchone()[0] == "Ameli Remboursement"


def test_the_patients_own_forwarded_message_has_no_sender(client, db):
    # An SMS pasted into Saved Messages and forwarded: the origin is the patient, not who sent the SMS.
    me = {"type": "user", "date": 1767500000,
          "sender_user": {"id": 424242, "is_bot": False, "first_name": "Marie", "username": "marie_l"}}
    telegram_post(client, telegram_update(SCAM_SMS, forward_origin=me))
    other = {**me, "sender_user": {"id": 99, "is_bot": False, "first_name": "Ameli", "username": "ameli_rembourse"}}
    telegram_post(client, telegram_update(SCAM_SMS, forward_origin=other))
    assert [r[0] for r in db.execute("SELECT sender FROM cases ORDER BY id")] == [None, "@ameli_rembourse"]


def test_channel_forward_origin_uses_the_channel_username(client, db):
    origin = {"type": "channel", "date": 1767500000, "message_id": 3,
              "chat": {"id": -100123, "type": "channel", "title": "Infos Santé", "username": "infos_sante"}}
    telegram_post(client, telegram_update(SCAM_SMS, forward_origin=origin))
    assert db.execute("SELECT sender FROM cases").fetchone()[0] == "@infos_sante"


def test_hidden_text_link_target_is_analysed(client):
    text = "Votre compte ameli doit être mis à jour. Cliquez ici pour le mettre à jour."
    link = {"type": "text_link", "offset": 58, "length": 9, "url": "https://ameli-compte-maj.info/login"}
    call = telegram_post(client, telegram_update(text, entities=[link])).json
    assert "ameli-compte-maj.info" in call["text"] or call["text"].startswith(("ARNAQUE", "Message SUSPECT"))


def test_photo_with_caption_is_checked(client, db):
    photo = [{"file_id": "AgAD", "file_unique_id": "u1", "width": 90, "height": 90}]
    update = telegram_update(None, photo=photo, caption=SCAM_SMS)
    del update["message"]["text"]
    assert telegram_post(client, update).json["text"].startswith("ARNAQUE")


def test_commands_answer_in_french_and_english(client):
    aide = telegram_post(client, telegram_update("/aide", chat_id=7)).json["text"]
    help_ = telegram_post(client, telegram_update("/help", chat_id=7, language_code="en")).json["text"]
    privacy = telegram_post(client, telegram_update("/privacy", chat_id=7)).json["text"]
    assert "Transférez-moi" in aide and "Forward me" in help_ and "never stored in clear" in privacy
    start = telegram_post(client, telegram_update("/start", chat_id=8, language_code="en")).json["text"]
    assert start.startswith("Hello, this is Vigie")


def test_forget_me_deletes_the_reporters_cases(client, db):
    telegram_post(client, telegram_update(SCAM_SMS, chat_id=99))
    telegram_post(client, telegram_update(SCAM_SMS, chat_id=100))
    text = telegram_post(client, telegram_update("/oubli", chat_id=99)).json["text"]
    assert "effacées" in text
    assert cases.count(db) == 1
    assert db.execute("SELECT count(*) FROM reporters").fetchone()[0] == 1
    assert db.execute("SELECT action FROM audit").fetchall() == [("forget",)]


def _feedback(case_id: int, value: str, chat_id: int, update_id: int | None = None) -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Marie", "language_code": "fr"}
    return {"update_id": update_id or 900000 + case_id * 10 + len(value), "callback_query": {
        "id": f"cb{case_id}{value}", "from": user, "chat_instance": "ci", "data": f"fb:{case_id}:{value}",
        "message": {"message_id": 18, "date": 1767500000, "chat": {"id": chat_id, "type": "private"}, "text": "…"}}}


def test_wrong_feedback_sends_the_case_to_review(client, db):
    call = telegram_post(client, telegram_update(SCAM_SMS, chat_id=31)).json
    case_id = int(call["reply_markup"]["inline_keyboard"][0][1]["callback_data"].split(":")[1])
    answer = telegram_post(client, _feedback(case_id, "wrong", 31)).json
    assert answer["method"] == "answerCallbackQuery" and "revoir" in answer["text"]
    assert db.execute("SELECT feedback, status FROM cases WHERE id = ?", [case_id]).fetchone() == ("wrong", "needs_review")


def test_feedback_on_someone_elses_case_changes_nothing(client, db):
    call = telegram_post(client, telegram_update(SCAM_SMS, chat_id=41)).json
    case_id = int(call["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1])
    telegram_post(client, _feedback(case_id, "wrong", chat_id=42))
    assert db.execute("SELECT feedback, status FROM cases").fetchone() == (None, "answered")


def test_failed_analysis_is_stored_as_error_and_answered(make_app, triage):
    app = make_app(triage_override=BrokenTriage(triage))
    call = telegram_post(app.test_client(), telegram_update(SCAM_SMS)).json
    assert call["text"].startswith(triage.error_reply("fr"))
    from store.db import connect
    assert connect(app.config["VIGIE_DB"]).execute("SELECT status FROM cases").fetchone() == ("error",)


def test_a_forged_feedback_button_with_a_huge_case_id_is_refused_with_400(client, db):
    update = _feedback(1, "wrong", 51, update_id=777001)
    update["callback_query"]["data"] = "fb:99999999999999999999:wrong"
    assert telegram_post(client, update).status_code == 400
    assert db.execute("SELECT count(*) FROM inbound").fetchone()[0] == 0


def _bent(path: tuple, value) -> dict:
    update = telegram_update(SCAM_SMS, update_id=778001)
    target = update
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return update


@pytest.mark.parametrize("path, value", [
    (("message", "chat", "id"), ["a", "list"]),
    (("message", "chat"), None),
    (("message", "text"), 12),
    (("message", "from", "language_code"), {"fr": 1}),
    (("message", "date"), 10**20),
    (("message", "date"), -5),
    (("message", "entities"), "not a list"),
    (("message", "forward_origin"), {"type": "martian", "date": 1767500000}),
    (("message", "forward_origin"), {"type": "hidden_user", "date": 1767500000, "sender_user_name": []}),
    (("message", "chat", "id"), 10**20),
    (("update_id",), True),
])
def test_telegram_fields_of_the_wrong_type_or_range_are_refused_with_400(client, db, path, value):
    assert telegram_post(client, _bent(path, value)).status_code == 400
    assert cases.count(db) == 0


def test_a_lone_surrogate_in_the_text_is_refused_with_400(client, db):
    raw = json.dumps(telegram_update("x", update_id=778101)).replace('"text": "x"', '"text": "\\ud800"')
    resp = client.post("/webhooks/telegram", data=raw, content_type="application/json",
                       headers={"X-Telegram-Bot-Api-Secret-Token": "telegram-secret_token-123"})
    assert resp.status_code == 400 and cases.count(db) == 0


def test_a_patient_who_starts_with_start_is_told_once_what_is_kept(client):
    notice = replies.t("fr", "conversation", "privacy_notice", days=90)[:40]
    first = telegram_post(client, telegram_update("/start", chat_id=31)).json["text"]
    again = telegram_post(client, telegram_update("/start", chat_id=31)).json["text"]
    assert notice in first and notice not in again
    assert "numéro" not in replies.t("fr", "conversation", "privacy_notice", days=90)  # e-mail, Telegram too
