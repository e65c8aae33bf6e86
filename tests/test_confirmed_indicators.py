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


def test_an_address_to_write_to_on_a_confirmed_domain_makes_the_next_answer_scam(tmp_path, triage):
    """A scam that gives only an e-mail address to write to (no link, no number): the address's domain,
    once staff confirmed it, decides the next answer as a confirmed link would."""
    db = prepare_db(tmp_path / "v.sqlite3")
    engine = build_triage(db, cues=triage.analyser.cues)
    text = "Pour recevoir votre dossier, écrivez-nous à dossier@cabinet-successions-lyon.org"
    assert engine.check(Report(text, "sms")).verdict != "scam"
    db["indicators"].insert({"kind": "domain", "value": "cabinet-successions-lyon.org", "verdict": "scam",
                             "decided_at": "2026-11-28T10:00:00+00:00", "campaign_id": "c1", "note": ""})
    after = engine.check(Report(text, "sms"))
    assert after.verdict == "scam" and "blocklisted" in [r.code for r in after.reasons]


def test_a_free_webmail_address_to_write_to_is_evidence_named_by_its_domain_only(triage):
    said = triage.check(Report("Waiting for your reply. Email me for details: sgt.jane.doe@gmail.com", "sms"))
    reason = next(r for r in said.reasons if r.code == "email_freemail")
    assert "gmail.com" in reason.message and "jane" not in reason.message
    assert said.verdict != "legitimate"
