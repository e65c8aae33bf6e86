"""Twilio MMS and WhatsApp pictures: a signed webhook (the twilio library's own signature), MediaUrl
fetched from a fake media server on 127.0.0.1 with the account's credentials, size- and type-checked."""
from __future__ import annotations

from xml.etree import ElementTree

import pytest

from store import cases
from tests.webhooks.conftest import TWILIO_TOKEN, twilio_form, twilio_post
from tests.webhooks.fake_media import FakeMedia
from tests.webhooks.picture_files import need_reader, text_png

ACCOUNT = "AC" + "1" * 32
MEDIA_PATH = f"/2010-04-01/Accounts/{ACCOUNT}/Messages/MM1/Media/ME1"


@pytest.fixture
def media_server():
    """Twilio's media host, faked on loopback, answering to the account SID and auth token."""
    with FakeMedia(ACCOUNT, TWILIO_TOKEN) as server:
        yield server


@pytest.fixture
def mms_client(make_app, media_server):
    """The app fetching media from the fake host only."""
    return make_app(twilio_account_sid=ACCOUNT, twilio_media_hosts=("127.0.0.1",)).test_client()


def mms(url: str, ctype: str = "image/png", body: str = "", **extra: str) -> dict[str, str]:
    return twilio_form(body, NumMedia="1", MediaUrl0=url, MediaContentType0=ctype, AccountSid=ACCOUNT, **extra)


def messages(resp) -> list[str]:
    """The texts of a TwiML answer's messages."""
    return [m.text or "" for m in ElementTree.fromstring(resp.data).iter("Message")]


def stored(db) -> cases.Case:
    return cases.get(db, db.execute("SELECT max(id) FROM cases").fetchone()[0])


def test_mms_screenshot_of_a_scam_is_fetched_with_the_account_credentials_and_answered_scam(
        mms_client, media_server, db):
    need_reader()
    media_server.files[MEDIA_PATH] = (text_png(), "image/png")
    form = mms(media_server.url + MEDIA_PATH)
    first = messages(twilio_post(mms_client, form))
    assert first[0].startswith("ARNAQUE") and "assures-amell.fr" in first[0]
    assert stored(db).verdict == "scam" and "carte vitale" in stored(db).text.lower()
    assert messages(twilio_post(mms_client, form)) == first  # Twilio's retry: the stored answer...
    assert len(media_server.requests) == 1  # ...without fetching or reading the picture again


def test_whatsapp_jpeg_is_read_like_an_mms(mms_client, media_server, db):
    need_reader()
    media_server.files[MEDIA_PATH] = (text_png(fmt="JPEG"), "image/jpeg")
    answer = messages(twilio_post(mms_client, mms(media_server.url + MEDIA_PATH, "image/jpeg",
                                                  sender="whatsapp:+33612000001")))
    assert answer[0].startswith("ARNAQUE") and cases.count(db, channel="whatsapp") == 1


def test_media_url_off_the_provider_host_is_never_fetched(make_app, media_server, db):
    client = make_app(twilio_account_sid=ACCOUNT).test_client()  # the default host: api.twilio.com only
    media_server.files[MEDIA_PATH] = (text_png(), "image/png")
    answer = messages(twilio_post(client, mms(media_server.url + MEDIA_PATH)))
    assert "récupérer votre image" in answer[0] and media_server.requests == []
    assert stored(db).status == "error" and "picture_unavailable" in stored(db).text


def test_picture_over_five_megabytes_is_refused_with_a_clear_answer(mms_client, media_server, db):
    media_server.files[MEDIA_PATH] = (b"\x89PNG\r\n\x1a\n" + b"\x00" * 5_100_000, "image/png")
    answer = messages(twilio_post(mms_client, mms(media_server.url + MEDIA_PATH)))
    assert "trop lourde" in answer[0] and "picture_too_large" in stored(db).text


def test_media_served_as_another_type_is_refused(mms_client, media_server, db):
    media_server.files[MEDIA_PATH] = (b"<html>login</html>", "text/html")
    answer = messages(twilio_post(mms_client, mms(media_server.url + MEDIA_PATH)))
    assert "PNG, JPEG, WebP ou HEIC" in answer[0] and "picture_unsupported" in stored(db).text


def test_picture_with_a_caption_that_cannot_be_fetched_still_checks_the_caption(mms_client, media_server, db):
    answer = messages(twilio_post(mms_client, mms(media_server.url + "/gone", body=(
        "CPAM : Votre carte vitale arrive à expiration, afin de rester couvert, veuillez remplir "
        "le formulaire de renouvellement : https://assures-amell.fr"))))
    assert "récupérer votre image" in answer[0] and any(m.startswith("ARNAQUE") for m in answer)


def test_media_hosts_come_from_the_environment_lower_cased_with_twilio_by_default():
    from config.settings import Settings
    assert Settings.from_env({}).twilio_media_hosts == ("api.twilio.com",)
    assert Settings.from_env({"TWILIO_MEDIA_HOSTS": "api.twilio.com, Media.Example.org"}).twilio_media_hosts == (
        "api.twilio.com", "media.example.org")


def test_a_download_that_drips_past_its_deadline_is_abandoned(media_server):
    import time
    from service.picture import PictureUnavailable
    from webhooks.media import download
    media_server.files[MEDIA_PATH] = (b"\x89PNG" + b"\x00" * 20_000, "image/png")
    media_server.drip = 0.05
    started = time.monotonic()
    with pytest.raises(PictureUnavailable):
        download(media_server.url + MEDIA_PATH, max_bytes=5_000_000, auth=(ACCOUNT, TWILIO_TOKEN), deadline_s=0.3)
    assert time.monotonic() - started < 1.5


def test_credentials_are_never_sent_to_a_plain_http_media_url(make_app, media_server, db):
    client = make_app(twilio_account_sid=ACCOUNT, twilio_media_hosts=("api.twilio.com",)).test_client()
    answer = messages(twilio_post(client, mms("http://api.twilio.com" + MEDIA_PATH)))
    assert "récupérer votre image" in answer[0] and "picture_unavailable" in stored(db).text
