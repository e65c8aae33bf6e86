"""Several pictures with one message (an MMS with several media, an e-mail with several screenshots): every one is
read, their texts checked together, every QR code's link judged; a bound on how many and how heavy. Signed
webhooks, media from a fake host on 127.0.0.1, real Tesseract."""
from __future__ import annotations

import io
import json
import re
from email import message_from_bytes, policy

import pytest

from bot.report import Report
from service import picture
from store import case_pictures, cases
from tests.pictures.cases import SCAM_PHONE
from tests.webhooks.conftest import TWILIO_TOKEN, mailgun_form, twilio_form, twilio_post
from tests.webhooks.fake_media import FakeMedia
from tests.webhooks.picture_files import need_reader, qr_png, text_png
from tests.webhooks.test_email_pictures import patient_email

ACCOUNT = "AC" + "2" * 32
BANK = "Service client : opposition en cours sur votre carte. Rappelez au plus vite le 09 77 19 75 01"
QR_LINK = "https://ameli-remboursement-dossier.com/espace"


@pytest.fixture
def media_server():
    with FakeMedia(ACCOUNT, TWILIO_TOKEN) as server:
        yield server


def media_form(server: FakeMedia, files: list[tuple[bytes, str]], body: str = "") -> dict[str, str]:
    """A signed MMS form with one MediaUrl per file, each served by the fake host."""
    extra = {"NumMedia": str(len(files)), "AccountSid": ACCOUNT}
    for i, (data, ctype) in enumerate(files):
        path = f"/2010-04-01/Accounts/{ACCOUNT}/Messages/MM9/Media/ME{i}"
        server.files[path] = (data, ctype)
        extra |= {f"MediaUrl{i}": server.url + path, f"MediaContentType{i}": ctype}
    return twilio_form(body, **extra)


def latest(db) -> cases.Case:
    return cases.get(db, db.execute("SELECT max(id) FROM cases").fetchone()[0])


def test_every_picture_of_an_mms_is_read_and_every_qr_link_judged(make_app, media_server, db):
    need_reader()
    client = make_app(twilio_account_sid=ACCOUNT, twilio_media_hosts=("127.0.0.1",)).test_client()
    form = media_form(media_server, [(text_png(BANK), "image/png"), (qr_png(QR_LINK), "image/png"),
                                     (text_png(), "image/jpeg")])
    assert twilio_post(client, form).status_code == 200
    case = latest(db)
    data = json.loads(case.verdict_json)
    assert "opposition" in case.text and "carte vitale" in case.text.lower()
    assert SCAM_PHONE in {p["number"] for p in data["phones"]}
    assert {"assures-amell.fr", "ameli-remboursement-dossier.com"} <= {link["domain"] for link in data["links"]}
    assert case.verdict == "scam" and case_pictures.numbers(db, case.id) == [0, 1, 2]


def test_at_most_four_pictures_of_a_message_are_fetched(make_app, media_server, db):
    need_reader()
    client = make_app(twilio_account_sid=ACCOUNT, twilio_media_hosts=("127.0.0.1",)).test_client()
    files = [(text_png(), "image/png")] + [(text_png(f"Photo {i}", height=300), "image/png") for i in range(5)]
    twilio_post(client, media_form(media_server, files))
    assert len(media_server.requests) == picture.MAX_PICTURES == 4
    assert case_pictures.numbers(db, latest(db).id) == [0, 1, 2, 3]


def test_pictures_past_the_total_weight_are_left_out(monkeypatch):
    need_reader()
    first, second = text_png(), text_png(BANK)
    monkeypatch.setattr(picture, "MAX_TOTAL_BYTES", len(first) + len(second) - 1)
    read = picture.read(Report("", "sms"), (lambda: first, lambda: second))
    assert read.error is None and len(read.kept) == 1
    assert "carte vitale" in read.report.text.lower() and "opposition" not in read.report.text


def test_one_unreadable_picture_does_not_hide_the_others():
    need_reader()
    read = picture.read(Report("", "sms"), (lambda: b"", lambda: text_png()))
    assert read.error is None and "carte vitale" in read.report.text.lower() and len(read.kept) == 1
    unread = picture.read(Report("", "sms"), (lambda: b"", lambda: b"GIF89a"))
    assert unread.error == "picture_empty" and unread.kept == ()  # none read: the first reason is given


def test_every_screenshot_attached_to_an_email_is_read(client, db, recorder):
    need_reader()
    mime = patient_email("Est-ce une arnaque ?", text_png())
    msg = message_from_bytes(mime, policy=policy.default)
    msg.add_attachment(text_png(BANK), maintype="image", subtype="png", filename="capture2.png")
    assert client.post("/webhooks/email/mime", data=mailgun_form(msg.as_bytes())).status_code == 200
    case = latest(db)
    assert "carte vitale" in case.text.lower() and "opposition" in case.text
    assert case_pictures.numbers(db, case.id) == [0, 1]


def test_a_screenshot_sent_to_staff_from_the_try_page_is_kept_with_its_case(client, db):
    need_reader()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    png = text_png()
    data = {"csrf_token": token, "channel": "sms", "text": "", "send_to_staff": "yes",
            "picture": (io.BytesIO(png), "capture.png")}
    assert client.post("/", data=data, content_type="multipart/form-data").status_code == 200
    case = latest(db)
    assert case.channel == "web" and case_pictures.numbers(db, case.id) == [0]
