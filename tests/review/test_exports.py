"""Exports of confirmed indicators: the CSV parses, the STIX 2.1 bundle validates, neither holds a reporter or a
patient's data, each export is an attachment and an audit entry."""
from __future__ import annotations

import csv
import io
import json

import pytest
import stix2

from service import desk
from tests.review.fixtures import REVIEWER
from tests.review.seeds import PATIENT_BIRTH, PATIENT_NAME, PATIENT_STREET, seed_dashboard

PATIENT_REPORT = ("Bonjour Madame Claire MOREAU, née le 14/02/1961, votre dossier patient est disponible sur "
                  "https://dossier-radiologie-patient.com/d/8841 merci de le consulter avant le 05/12.")
ADDRESS = "+33611223344"


@pytest.fixture
def confirmed(db, file_report):
    """The seeded week, plus a report filed through the real intake and decided through the real desk core."""
    seeded = seed_dashboard(db)
    case_id = file_report(PATIENT_REPORT, address=ADDRESS)
    desk.assign_pending(db)
    campaign = db.execute("SELECT campaign_id FROM cases WHERE id = ?", [case_id]).fetchone()[0]
    desk.decide(db, campaign, "scam", "faux portail de radiologie", REVIEWER, case_id=case_id)
    secrets = [*seeded.pseudonyms, PATIENT_NAME, PATIENT_BIRTH, PATIENT_STREET, "MOREAU", "14/02/1961", ADDRESS,
               "0611223344", *[r[0] for r in db.execute("SELECT reporter FROM cases WHERE reporter IS NOT NULL")],
               REVIEWER, "faux portail"]
    return seeded, secrets


def test_the_csv_export_parses_and_lists_the_confirmed_indicators(reviewer, confirmed):
    seeded, _ = confirmed
    resp = reviewer.get("/review/export/indicators.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.headers["Content-Disposition"].startswith("attachment; filename=") and ".csv" in resp.headers[
        "Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    values = {r["value"]: r for r in rows}
    assert {seeded.domain[0], "'" + seeded.phone[0], seeded.sender[0], "dossier-radiologie-patient.com"} <= set(values)
    assert values[seeded.domain[0]]["reports"] == "3" and values[seeded.domain[0]]["campaign"] == "1"
    assert all(r["decision"] == "scam" for r in rows) and "ameli.fr" not in values  # the allowlist stays home


def test_the_stix_export_is_a_valid_stix_2_1_bundle(reviewer, confirmed):
    seeded, _ = confirmed
    resp = reviewer.get("/review/export/indicators.stix.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.headers["Content-Disposition"].startswith("attachment; filename=")
    bundle = stix2.parse(resp.get_data(as_text=True), allow_custom=True)
    patterns = {o.pattern for o in bundle.objects if o.type == "indicator"}
    assert f"[domain-name:value = '{seeded.domain[0]}']" in patterns
    assert "[domain-name:value = 'dossier-radiologie-patient.com']" in patterns
    assert all(o.spec_version == "2.1" for o in bundle.objects)


@pytest.mark.parametrize("path", ["/review/export/indicators.csv", "/review/export/indicators.stix.json"])
def test_no_export_holds_a_reporter_identifier_patient_data_or_a_staff_note(reviewer, confirmed, path):
    _, secrets = confirmed
    body = reviewer.get(path).get_data(as_text=True)
    leaked = [s for s in secrets if s and s.lower() in body.lower()]
    assert not leaked


@pytest.mark.parametrize("path, fmt", [("/review/export/indicators.csv", "csv"),
                                       ("/review/export/indicators.stix.json", "stix.json")])
def test_every_export_is_in_the_audit_log(reviewer, db, confirmed, path, fmt):
    reviewer.get(path)
    actor, detail = db.execute("SELECT actor, detail FROM audit WHERE action = 'export_indicators'").fetchone()
    assert actor == REVIEWER and json.loads(detail)["format"] == fmt and json.loads(detail)["indicators"] >= 4


@pytest.mark.parametrize("path", ["/review/export/indicators.csv", "/review/export/indicators.stix.json"])
def test_exports_are_streamed_in_pieces_not_built_whole(reviewer, db, path):
    stamp = "2026-11-30T10:00:00+00:00"
    db["indicators"].insert_all([{"kind": "url", "value": f"https://faux-ameli-{i}.com/x", "verdict": "scam",
                                  "decided_at": stamp, "campaign_id": "", "note": ""} for i in range(2500)])
    resp = reviewer.get(path, buffered=False)
    assert resp.is_streamed
    pieces = list(resp.response)
    assert len(pieces) > 2  # written as read, a thousand rows or one object at a time
    text = "".join(p.decode() if isinstance(p, bytes) else p for p in pieces)
    if path.endswith(".csv"):
        assert len(list(csv.DictReader(io.StringIO(text)))) == 2500
    else:
        assert len(stix2.parse(text, allow_custom=True).objects) == 2501
