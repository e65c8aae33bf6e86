"""The picture a patient sent stays with their case for staff: sealed at rest, served only to signed-in staff as a
fresh PNG that is never cached, shown on the case page after the journaled reveal, gone with the case (purge,
OUBLI). A real app on a real SQLite file; no browser."""
from __future__ import annotations

import io
import json
import re
import uuid
from datetime import timedelta

import pytest
from PIL import Image

from bot.report import Report
from service.intake import Inbound
from service.retention import forget
from store import case_pictures, clock, maintenance
from store.crypto import CryptoError
from tests.webhooks.picture_files import need_reader, text_png


def photo_with_exif() -> bytes:
    """A JPEG like a phone photo: its EXIF says where it was taken (a place staff must never get)."""
    image = Image.new("RGB", (300, 500), (240, 240, 240))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker-Zorglub"  # camera maker, findable in the bytes
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def case_with_picture(app, db, file_report):
    """A case filed through the real intake, its picture kept with it; returns (case id, picture bytes)."""
    case_id = file_report()
    data = photo_with_exif()
    case_pictures.save(db, app.extensions["vigie.intake"].keys, case_id, [case_pictures.Kept(data, "jpeg", "0" * 64)])
    return case_id, data


def test_signed_in_staff_get_the_picture_as_a_fresh_png_never_cached(reviewer, case_with_picture):
    case_id, data = case_with_picture
    resp = reviewer.get(f"/review/case/{case_id}/picture/0")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    assert resp.headers["Cache-Control"] == "no-store" and resp.headers["X-Content-Type-Options"] == "nosniff"
    png = resp.get_data()
    assert Image.open(io.BytesIO(png)).size == (300, 500) and b"Zorglub" not in png and png != data


def test_each_picture_served_is_journaled_like_a_reveal(reviewer, db, case_with_picture):
    case_id, _ = case_with_picture
    reviewer.get(f"/review/case/{case_id}/picture/0")
    details = [json.loads(r[0]) for r in db.execute("SELECT detail FROM audit WHERE action = 'reveal'")]
    assert {"case": case_id, "picture": 0} in details


def test_a_visitor_not_signed_in_is_sent_to_sign_in_and_gets_no_picture(app, case_with_picture):
    case_id, _ = case_with_picture
    resp = app.test_client().get(f"/review/case/{case_id}/picture/0")
    assert resp.status_code == 302 and "/review/login" in resp.headers["Location"]
    assert resp.mimetype != "image/png"


def test_a_case_without_that_picture_is_a_404(reviewer, case_with_picture, file_report):
    case_id, _ = case_with_picture
    assert reviewer.get(f"/review/case/{case_id}/picture/1").status_code == 404
    assert reviewer.get(f"/review/case/{file_report()}/picture/0").status_code == 404


def test_the_picture_is_sealed_at_rest_and_bound_to_its_case(app, db, case_with_picture, settings, file_report):
    case_id, data = case_with_picture
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"Zorglub" not in settings.db_path.read_bytes()
    other = file_report()
    db.execute("INSERT INTO case_pictures (case_id, n, kind, size, dhash, sealed, stored_at) SELECT ?, n, kind, size,"
               " dhash, sealed, stored_at FROM case_pictures WHERE case_id = ?", [other, case_id])
    keys = app.extensions["vigie.intake"].keys
    assert case_pictures.load(db, keys, case_id).data == data
    with pytest.raises(CryptoError):  # a sealed row copied onto another case does not open
        case_pictures.load(db, keys, other)


def test_the_case_page_shows_the_picture_only_after_the_journaled_reveal(reviewer, case_with_picture):
    case_id, _ = case_with_picture
    page = reviewer.get(f"/review/case/{case_id}").get_data(as_text=True)
    assert 'id="pictures-hidden"' in page and f"/review/case/{case_id}/picture/0" not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    shown = reviewer.post(f"/review/case/{case_id}/reveal", data={"csrf_token": token}).get_data(as_text=True)
    assert f'src="/review/case/{case_id}/picture/0"' in shown and 'id="message"' in shown


def test_the_retention_purge_deletes_the_picture_with_its_case(reviewer, db, case_with_picture, settings):
    case_id, _ = case_with_picture
    maintenance.purge(db, 30, when=clock.now() + timedelta(days=31), pause=0)
    assert reviewer.get(f"/review/case/{case_id}/picture/0").status_code == 404
    assert db.execute("SELECT count(*) FROM case_pictures").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM picture_bands").fetchone()[0] == 0


def test_oubli_deletes_the_pictures_of_that_reporter(app, db, case_with_picture):
    case_id, _ = case_with_picture
    reporter = db.execute("SELECT reporter FROM cases WHERE id = ?", [case_id]).fetchone()[0]
    forget(db, reporter)
    assert case_pictures.numbers(db, case_id) == []


def test_a_screenshot_forwarded_through_the_intake_is_kept_with_its_case(app, db, reviewer):
    need_reader()
    intake = app.extensions["vigie.intake"]
    png = text_png()
    answer = intake.receive(db, Inbound("telegram", uuid.uuid4().hex, "42", Report("", "telegram"),
                                        picture=lambda: png))
    kept = case_pictures.load(db, intake.keys, answer.case_id)
    assert kept.data == png and kept.kind == "png" and len(kept.dhash) == 64
    resp = reviewer.get(f"/review/case/{answer.case_id}/picture/0")
    assert resp.status_code == 200 and Image.open(io.BytesIO(resp.get_data())).size == (1080, 900)
