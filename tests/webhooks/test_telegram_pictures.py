"""Telegram photos and image documents: getFile and the download through the Bot API in use (a fake
on 127.0.0.1), the picture read and checked like a text; bad pictures answered and kept for staff."""
from __future__ import annotations

import pytest

from store import cases
from tests.webhooks.conftest import telegram_post, telegram_update
from tests.webhooks.fake_telegram import FakeBotApi
from tests.webhooks.picture_files import need_reader, qr_png, text_png

TOKEN = "123456:picture-test-token"


@pytest.fixture
def bot_api():
    """The fake Bot API serving files."""
    with FakeBotApi(token=TOKEN) as api:
        yield api


@pytest.fixture
def pic_client(make_app, bot_api):
    """The app talking to the fake Bot API."""
    return make_app(telegram_bot_token=TOKEN, telegram_api_url=bot_api.url).test_client()


def photo(file_id: str, width: int, height: int) -> dict:
    return {"file_id": file_id, "file_unique_id": file_id[:8], "width": width, "height": height, "file_size": 1000}


def stored(db) -> cases.Case:
    return cases.get(db, db.execute("SELECT max(id) FROM cases").fetchone()[0])


def test_screenshot_of_a_scam_sent_as_a_photo_is_answered_scam_from_its_largest_size(pic_client, bot_api, db):
    need_reader()
    bot_api.files["big"] = text_png()
    bot_api.files["thumb"] = b"\x89PNG not this one"
    update = telegram_update("", photo=[photo("thumb", 90, 200), photo("big", 1080, 900)])
    del update["message"]["text"]
    call = telegram_post(pic_client, update).json
    assert call["text"].startswith("ARNAQUE") and "assures-amell.fr" in call["text"]
    assert bot_api.sent("getFile") == [{"file_id": "big"}] and bot_api.downloads == ["photos/big"]
    case = stored(db)
    assert case.verdict == "scam" and "carte vitale" in case.text.lower()


def test_qr_code_sent_as_an_image_document_is_judged_like_a_link(pic_client, bot_api, db):
    need_reader()
    bot_api.files["qr"] = qr_png("https://ameli-carte-vitale.info/renouveler")
    doc = {"file_id": "qr", "file_unique_id": "qr", "file_name": "lettre.png", "mime_type": "image/png"}
    call = telegram_post(pic_client, telegram_update("", caption="Reçu par courrier", document=doc)).json
    assert call["text"].startswith(("ARNAQUE", "SUSPECT")), call["text"]
    assert "ameli-carte-vitale.info" in stored(db).verdict_json


def test_corrupt_photo_gets_a_clear_answer_and_an_error_case(pic_client, bot_api, db):
    bot_api.files["bad"] = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    update = telegram_update("", photo=[photo("bad", 1080, 2400)])
    call = telegram_post(pic_client, update).json
    assert "abîmée" in call["text"]
    case = stored(db)
    assert case.status == "error" and "picture_corrupt" in case.text


def test_photo_the_bot_api_cannot_serve_is_answered_and_kept(pic_client, bot_api, db):
    call = telegram_post(pic_client, telegram_update("", photo=[photo("gone", 1080, 2400)])).json
    assert "récupérer votre image" in call["text"]
    assert stored(db).status == "error" and "picture_unavailable" in stored(db).text


def test_a_voice_message_still_gets_the_media_answer(pic_client, bot_api, db):
    voice = {"file_id": "v", "file_unique_id": "v", "duration": 3}
    call = telegram_post(pic_client, telegram_update("", voice=voice)).json
    assert "pas les vidéos, les sons" in call["text"] and bot_api.downloads == []


def test_photo_over_ten_megabytes_is_refused_with_a_clear_answer(pic_client, bot_api, db):
    bot_api.files["huge"] = b"\x89PNG\r\n\x1a\n" + b"\x00" * 10_000_001  # over Telegram's 10 MB: refused
    call = telegram_post(pic_client, telegram_update("", photo=[photo("huge", 1080, 2400)])).json
    assert "trop lourde" in call["text"] and stored(db).status == "error"
