"""Screenshots uploaded to the API (multipart, a larger body limit on that request only) and to the
try-it page form; the browser test drives the page itself."""
from __future__ import annotations

import io
import re

from store import cases
from tests.webhooks.conftest import API_TOKEN
from tests.webhooks.picture_files import need_reader, qr_png, text_png

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


def upload(client, picture: bytes, **fields: str):
    data = {**fields, "image": (io.BytesIO(picture), "capture.png")}
    return client.post("/api/v1/check", data=data, headers=AUTH, content_type="multipart/form-data")


def test_api_reads_an_uploaded_screenshot_and_returns_the_verdict_on_its_text(client, db):
    need_reader()
    resp = upload(client, text_png(), channel="sms")
    assert resp.status_code == 200 and resp.json["verdict"] == "scam"
    assert "assures-amell.fr" in resp.json["text"] and cases.count(db) == 0


def test_api_flags_a_qr_code_of_an_unofficial_health_link(client):
    need_reader()
    resp = upload(client, qr_png("https://ameli-carte-vitale.info/renouveler"))
    assert resp.status_code == 200 and resp.json["verdict"] in ("scam", "suspicious")
    assert any("ameli-carte-vitale.info" in str(link) for link in resp.json["links"])


def test_api_answers_422_naming_the_code_of_a_picture_it_cannot_read(client):
    resp = upload(client, b"GIF89a" + b"\x00" * 100)
    assert resp.status_code == 422 and resp.json["error"].startswith("picture_unsupported")


def test_api_refuses_an_upload_over_its_limit_and_json_keeps_64_kb(client):
    assert upload(client, b"\x00" * (9 * 1024 * 1024 + 10)).status_code == 413
    assert client.post("/api/v1/check", json={"text": "x" * (65 * 1024)}, headers=AUTH).status_code == 413


def csrf(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)


def test_try_page_reads_an_uploaded_screenshot_and_shows_the_text_read(client):
    need_reader()
    data = {"csrf_token": csrf(client), "channel": "sms", "text": "",
            "picture": (io.BytesIO(text_png()), "capture.png")}
    page = client.post("/", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-verdict="scam"' in page and 'id="read-text"' in page and "assures-amell.fr" in page


def test_try_page_explains_a_picture_it_cannot_read(client):
    data = {"csrf_token": csrf(client), "channel": "sms", "text": "",
            "picture": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50), "capture.png")}
    resp = client.post("/", data=data, content_type="multipart/form-data")
    assert resp.status_code == 400 and "abîmée" in resp.get_data(as_text=True)
