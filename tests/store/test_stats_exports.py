"""Dashboard figures and indicator exports over a real, seeded SQLite file."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest

from review import svgcharts
from store import exports, stats
from store.db import get_db

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
PATIENT_TEXT = "Bonjour Mme Jeanne Martin, née le 03/04/1956, 12 rue des Lilas 90000 Belfort"


def _iso(delta_hours: float) -> str:
    return (NOW - timedelta(hours=delta_hours)).isoformat()


@pytest.fixture()
def db(tmp_path):
    db = get_db(tmp_path / "v.sqlite3")
    db["campaigns"].insert_all([
        {"id": 1, "created_at": _iso(50), "updated_at": _iso(1), "cases": 3, "reporters": 3,
         "first_at": _iso(50), "last_at": _iso(2), "verdict": "scam", "decided_at": _iso(46),
         "institution_name": "Assurance Maladie (ameli)"},
        {"id": 2, "created_at": _iso(30), "updated_at": _iso(1), "cases": 1, "reporters": 1,
         "first_at": _iso(30), "last_at": _iso(30), "verdict": "legitimate", "decided_at": _iso(28)},
    ])
    cases = [("sms", "scam", 50, 1, "Assurance Maladie (ameli)"), ("sms", "scam", 26, 1, "Assurance Maladie (ameli)"),
             ("whatsapp", "suspicious", 2, 1, "Assurance Maladie (ameli)"), ("email", "unknown", 30, 2, None)]
    db["cases"].insert_all([
        {"channel": ch, "provider_message_id": f"m{i}", "reporter": f"pseudo-{i}", "received_at": _iso(h),
         "text": PATIENT_TEXT, "verdict": v, "status": "answered", "campaign_id": camp, "institution_name": inst}
        for i, (ch, v, h, camp, inst) in enumerate(cases)])
    db["decisions"].insert_all([
        {"campaign_id": 1, "verdict": "scam", "previous": "suspicious", "actor": "rev@x", "decided_at": _iso(46)},
        {"campaign_id": 2, "verdict": "legitimate", "previous": "legitimate", "actor": "rev@x", "decided_at": _iso(28)},
    ])
    db["indicators"].insert_all([
        {"kind": "domain", "value": "assures-amell.fr", "verdict": "scam", "decided_at": _iso(46), "campaign_id": "1"},
        {"kind": "phone", "value": "+33612345678", "verdict": "scam", "decided_at": _iso(46), "campaign_id": "1"},
        {"kind": "sender", "value": "=HYPERLINK(\"x\")", "verdict": "scam", "decided_at": _iso(46), "campaign_id": "1"},
        {"kind": "domain", "value": "ameli.fr", "verdict": "legitimate", "decided_at": _iso(28), "campaign_id": "2"},
    ])
    return db


def test_dashboard_counts_reports_per_day_by_verdict_and_channel(db):
    d = stats.dashboard(db, days=7, now=NOW)
    assert d.total_reports == 4
    assert sum(d.by_verdict["scam"]) == 2 and sum(d.by_channel["sms"]) == 2
    assert d.institutions == (("Assurance Maladie (ameli)", 3),)
    assert ("assures-amell.fr", 3) in d.domains and ("+33612345678", 3) in d.phones


def test_dashboard_measures_time_to_decision_and_the_overturned_share(db):
    d = stats.dashboard(db, days=7, now=NOW)
    assert d.median_hours_to_decision == 3.0  # 4 h and 2 h after the first report
    assert d.overturned_share == 0.5
    assert sum(n for _, _, n in d.overturned_weekly) == 2


def test_charts_carry_their_numbers_as_text(db):
    d = stats.dashboard(db, days=7, now=NOW)
    svg = svgcharts.stacked_days("Reports", d.days, d.by_verdict, "per-day")
    assert 'data-count="1"' in svg and "<script" not in svg
    bars = svgcharts.hbars("Domains", d.domains, "domains")
    assert ">3</text>" in bars and "assures-amell.fr" in bars


def test_chart_labels_are_escaped():
    svg = svgcharts.hbars("x", (("<script>alert(1)</script>", 2),), "c")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_csv_export_parses_and_holds_no_patient_data(db):
    text = exports.to_csv(exports.confirmed(db))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["value"] for r in rows} >= {"assures-amell.fr", "'+33612345678"}  # '+' starts a formula: quoted
    assert all(r["decision"] == "scam" for r in rows)  # the allowlisted ameli.fr is not exported
    assert "Martin" not in text and "pseudo-" not in text and "Lilas" not in text
    assert any(r["value"].startswith("'=") for r in rows)  # a formula is neutralised


def test_stix_bundle_validates_and_holds_no_patient_data(db):
    stix2 = pytest.importorskip("stix2")
    text = exports.to_stix(exports.confirmed(db), now=NOW)
    bundle = stix2.parse(text, allow_custom=True)
    indicators = [o for o in bundle.objects if o.type == "indicator"]
    assert len(indicators) == 3
    assert "[domain-name:value = 'assures-amell.fr']" in {i.pattern for i in indicators}
    assert "Martin" not in text and "pseudo-" not in text
    assert json.loads(text)["type"] == "bundle"


def test_stix_patterns_are_valid():
    patterns = pytest.importorskip("stix2patterns.validator")
    for kind, value in (("domain", "evil.fr"), ("url", "https://evil.fr/a'b"), ("phone", "+33612345678"),
                        ("sender", "x@evil.fr"), ("sender", "AMELI-INFO")):
        assert patterns.run_validator(exports.pattern(kind, value)) == [], (kind, value)


def test_a_value_that_became_official_after_it_was_confirmed_never_leaves_as_malicious(db):
    assert "+33612345678" in {i.value for i in exports.confirmed(db)}
    # Later an admin accepts the number as an institution's official line (a sourced registry entry).
    db.execute("INSERT OR IGNORE INTO institutions (id, name) VALUES ('clinique-test', 'Clinique de test')")
    db.execute("INSERT INTO contacts (institution_id, kind, value, source, checked) VALUES (?, ?, ?, ?, ?)",
               ["clinique-test", "phone", "+33612345678", "https://clinique.example.fr/contact", "2026-12-03"])
    db.conn.commit()
    assert "+33612345678" not in {i.value for i in exports.confirmed(db)}
    assert exports.count_confirmed(db) == len(exports.confirmed(db)) == 2
