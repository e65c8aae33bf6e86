"""Near-identical screenshots of one campaign, and its text typed in an SMS, get one campaign
fingerprint: the OCR text goes through the same fingerprint as any text (link shape, normalised
wording, indicators), so the desk groups them like typed reports."""
from __future__ import annotations

import json

import pytest

from bot import campaigns
from store import cases
from tests.webhooks.conftest import SCAM_SMS, telegram_post, telegram_update, twilio_form, twilio_post
from tests.webhooks.fake_telegram import FakeBotApi
from tests.webhooks.picture_files import need_reader, text_png

TOKEN = "123456:campaign-test-token"


@pytest.fixture
def bot_api():
    """The fake Bot API serving the screenshots."""
    with FakeBotApi(token=TOKEN) as api:
        yield api


def fingerprint(case: cases.Case) -> campaigns.Fingerprint:
    return campaigns.of_case(case.text, case.subject, json.loads(case.verdict_json))


def test_two_screenshots_and_the_typed_text_of_one_scam_share_one_campaign_fingerprint(make_app, bot_api, db):
    need_reader()
    client = make_app(telegram_bot_token=TOKEN, telegram_api_url=bot_api.url).test_client()
    bot_api.files["png"] = text_png()
    bot_api.files["jpeg"] = text_png(width=1000, height=1100, fmt="JPEG")  # another phone, saved as JPEG
    for chat, file_id in ((5001, "png"), (5002, "jpeg")):
        photo = [{"file_id": file_id, "file_unique_id": file_id, "width": 1080, "height": 900}]
        telegram_post(client, telegram_update("", chat_id=chat, photo=photo))
    twilio_post(client, twilio_form(SCAM_SMS, sender="+33611112222"))
    stored = [cases.get(db, row[0]) for row in db.execute("SELECT id FROM cases ORDER BY id")]
    first, *others = [fingerprint(case) for case in stored]
    assert len(stored) == 3 and all(fp.shape == first.shape == campaigns.OTHER_LINKS for fp in others)
    assert all(("domain", "assures-amell.fr") in fp.indicators for fp in [first, *others])
    assert all(campaigns.best_match(fp, {"first": first.text}) == "first" for fp in others)
