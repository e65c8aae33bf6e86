"""Staff-confirmed indicators: what a decision may overwrite."""
from __future__ import annotations

import pytest

from store import indicators
from store.db import get_db

NUMBER = ("phone", "+33756000000")


@pytest.fixture
def db(tmp_path):
    return get_db(tmp_path / "v.sqlite3")


def verdict_of(db, item=NUMBER) -> str:
    return db.execute("SELECT verdict FROM indicators WHERE kind = ? AND value = ?", list(item)).fetchone()[0]


def test_a_genuine_decision_elsewhere_never_lifts_a_scam_confirmation(db):
    indicators.confirm(db, [NUMBER], "scam", "2026-12-01T10:00:00", campaign_id=1, note="faux conseiller")
    # A genuine campaign shares the number (a forged sender, a number the scam copied): its decision lifts nothing.
    assert indicators.confirm(db, [NUMBER], "legitimate", "2026-12-02T10:00:00", campaign_id=2, note="vrai") == 0
    assert verdict_of(db) == "scam"


def test_the_campaign_that_confirmed_it_can_overturn_it(db):
    indicators.confirm(db, [NUMBER], "scam", "2026-12-01T10:00:00", campaign_id=1, note="faux conseiller")
    assert indicators.confirm(db, [NUMBER], "legitimate", "2026-12-02T10:00:00", campaign_id=1, note="erreur") == 1
    assert verdict_of(db) == "legitimate"
    indicators.confirm(db, [NUMBER], "scam", "2026-12-03T10:00:00", campaign_id=3, note="réutilisé")
    assert verdict_of(db) == "scam"  # a scam confirmation always stands
