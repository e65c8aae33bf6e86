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


def test_a_confirmed_site_on_a_free_platform_blocks_that_site_not_the_platform(tmp_path, triage):
    """A scam on "evri-package-gb.web.app" makes that site the indicator, never "web.app": blocking the platform
    would call every other site opened there (a clinic's, a school's) a confirmed scam."""
    from bot.campaigns import link_indicator

    assert link_indicator("https://evri-package-gb.web.app/x", "evri-package-gb.web.app", "other") == \
        ("domain", "evri-package-gb.web.app")
    assert link_indicator("https://pay.evil-parcel.fr/x", "pay.evil-parcel.fr", "other") == ("domain", "evil-parcel.fr")
    db = prepare_db(tmp_path / "v.sqlite3")
    engine = build_triage(db, cues=triage.analyser.cues)
    db["indicators"].insert({"kind": "domain", "value": "evri-package-gb.web.app", "verdict": "scam",
                             "decided_at": "2026-11-28T10:00:00+00:00", "campaign_id": "c1", "note": ""})
    blocked = engine.check(Report("Votre colis : https://track.evri-package-gb.web.app/suivi", "sms"))
    assert "blocklisted" in [r.code for r in blocked.reasons]
    other = engine.check(Report("Le programme de la kermesse : https://ecole-jaures.web.app/programme", "sms"))
    assert "blocklisted" not in [r.code for r in other.reasons]


def test_the_recipients_own_address_in_a_genuine_notice_is_no_evidence(triage):
    """Genuine notices often show whom they were sent to; that address (the patient's, often at a webmail) is not
    one the message asks to write to, and must not turn the institution's official link into a decoy."""
    text = ("Assurance Maladie : un nouveau document est disponible dans votre compte ameli "
            "https://assure.ameli.fr/PortailAS/appmanager/PortailAS/assure . Cet e-mail a été envoyé à jean.dupont@gmail.com")
    said = triage.check(Report(text, "email"))
    assert "email_freemail" not in [r.code for r in said.reasons] and said.verdict != "scam"


def test_a_confirmed_address_is_named_and_its_sub_domains_are_caught(tmp_path, triage):
    db = prepare_db(tmp_path / "v.sqlite3")
    engine = build_triage(db, cues=triage.analyser.cues)
    db["indicators"].insert_all([
        {"kind": "sender", "value": "heritage.office77@gmail.com", "verdict": "scam",
         "decided_at": "2026-11-28T10:00:00+00:00", "campaign_id": "c1", "note": ""},
        {"kind": "domain", "value": "cabinet-successions-lyon.org", "verdict": "scam",
         "decided_at": "2026-11-28T10:00:00+00:00", "campaign_id": "c2", "note": ""}])
    said = engine.check(Report("Pour votre héritage, écrivez à heritage.office77@gmail.com", "sms"))
    reason = next(r for r in said.reasons if r.code == "blocklisted")
    assert "heritage.office77@gmail.com" in reason.message  # not "gmail.com", which no one confirmed
    sub = engine.check(Report("Écrivez à dossier@mail.cabinet-successions-lyon.org", "sms"))
    assert "blocklisted" in [r.code for r in sub.reasons]
