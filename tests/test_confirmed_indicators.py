"""A staff-confirmed indicator changes the very next answer, with no restart."""
from __future__ import annotations

from bot.report import Report
from service.engine import build_triage, prepare_db


def test_a_domain_confirmed_by_staff_makes_the_next_answer_scam(tmp_path, triage):
    db = prepare_db(tmp_path / "v.sqlite3")
    engine = build_triage(db, cues=triage.analyser.cues)  # reuse the session's spaCy pipelines
    text = "Les photos de la sortie scolaire sont sur https://photos-ecole-jaures.org"
    before = engine.check(Report(text, "sms"))
    assert before.verdict != "scam"
    db["indicators"].insert({"kind": "domain", "value": "photos-ecole-jaures.org", "verdict": "scam",
                             "decided_at": "2026-11-28T10:00:00+00:00", "campaign_id": "c1", "note": ""})
    after = engine.check(Report(text, "sms"))
    assert after.verdict == "scam"
    assert "2026-11-28" in after.reply or any("2026-11-28" in r.message for r in after.reasons)


def test_an_official_contact_added_by_an_admin_is_used_at_the_next_check(tmp_path, triage):
    from store import registry_admin

    db = prepare_db(tmp_path / "v.sqlite3")
    engine = build_triage(db, cues=triage.analyser.cues)
    text = "Doctolib : votre rendez-vous est confirmé, détails sur https://rdv.doctolib-partenaire.org/a1"
    assert next(x for x in engine.check(Report(text, "sms")).links)["status"] != "official"
    registry_admin.add_contact(db, "doctolib", registry_admin.ContactInput(
        "domain", "doctolib-partenaire.org", "https://example.org/page-that-states-it", "2026-11-28"), "admin@x")
    assert next(x for x in engine.check(Report(text, "sms")).links)["status"] == "official"
