"""A screenshot passed on from patient to patient (recompressed, another clock) joins the campaign of the first
report of it through its picture hash, even when its text alone would not group it; another message in the same
app does not. The lookup goes through the band index, never through every kept picture."""
from __future__ import annotations

from bot import campaigns
from pictures.decode import decode
from pictures.similar import dhash
from service import desk
from store import case_pictures

NOTE = "Regardez cette image"  # what a patient writes beside a screenshot: too short to group on


def file_with_picture(app, db, file_report, data: bytes) -> int:
    """A case whose text says nothing, with this picture kept (and its dhash, as the reader computes it)."""
    case_id = file_report(NOTE)
    kept = case_pictures.Kept(data, "png", dhash(decode(data).image))
    case_pictures.save(db, app.extensions["vigie.intake"].keys, case_id, [kept])
    return case_id


def campaign_of(db, case_id: int) -> int:
    return db.execute("SELECT campaign_id FROM cases WHERE id = ?", [case_id]).fetchone()[0]


def test_two_renderings_of_one_screenshot_share_a_campaign_and_another_message_does_not(app, db, file_report, screens):
    first = file_with_picture(app, db, file_report, screens["scam"])
    resent = file_with_picture(app, db, file_report, screens["scam-resent"])  # JPEG quality 40, clock 09:42
    other = file_with_picture(app, db, file_report, screens["other-light"])  # same app, font and theme
    desk.assign_pending(db)
    assert campaign_of(db, first) == campaign_of(db, resent) != campaign_of(db, other)


def test_without_the_picture_the_same_notes_stay_apart(app, db, file_report):
    first, second = file_report(NOTE), file_report(NOTE)
    desk.assign_pending(db)
    assert campaign_of(db, first) != campaign_of(db, second)  # so the test above shows the picture's doing


def test_the_threshold_is_one_the_band_index_can_guarantee():
    assert campaigns.PICTURE_DISTANCE <= case_pictures.BANDS - 1  # pigeonhole: one band is equal


def test_near_twins_are_looked_up_through_the_band_index(db):
    keys = case_pictures.bands("f0" * 32)
    assert keys
    plan = " ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN " + case_pictures.near_query(len(keys)),
                                             [*keys, -1, 200]))
    assert "SCAN p" not in plan and "SCAN case_pictures" not in plan and "SCAN picture_bands" not in plan, plan
