"""A decision settles a campaign: follow-ups for every reporter, a blocklist the engine uses, instant answers."""
from __future__ import annotations

import json
import re

import pytest

from bot.report import Report
from bot.triage import Triage
from tests.conftest import SHARED, needs_shared
from service import desk
from store import reporters
from store.db import connect
from tests.review.fixtures import REVIEWER, page_token
from service.engine import build_triage

LURE = ("Bonjour Monsieur Durand, votre dossier patient est disponible sur https://dossier-patient-suivi.com/a1 "
        "merci de le consulter avant le 03/01.")
LURE_EN = ("Bonjour Madame Petit, votre dossier patient est disponible sur https://suivi-dossier-sante.net/b7 "
           "merci de le consulter avant le 12/12.")
SAME_DOMAIN = "Rappel : votre rendez-vous de demain est confirmé. Pour annuler : https://dossier-patient-suivi.com/x"
NEXT = ("Bonjour Madame Leroy, votre dossier patient est disponible sur https://dossier-en-ligne-patient.org/zz "
        "merci de le consulter avant le 28/02.")


def campaign_of(db, case_id: int) -> int:
    desk.assign_pending(db)
    return db.execute("SELECT campaign_id FROM cases WHERE id = ?", [case_id]).fetchone()[0]


def followups(db) -> list[dict]:
    return list(db.query("SELECT channel, reporter, body, meta, case_id FROM outbox WHERE meta LIKE '%followup%'"))


@pytest.fixture
def campaign(db, file_report):
    """One campaign reported by three patients: French SMS, English Telegram, and one who sent STOP."""
    first = file_report(LURE)
    file_report(LURE_EN, channel="telegram", address="777001", lang="en")
    stopped = file_report(SAME_DOMAIN, address="+33655554444")
    pseudonym = db.execute("SELECT reporter FROM cases WHERE id = ?", [stopped]).fetchone()[0]
    reporters.set_stopped(db, pseudonym)
    return campaign_of(db, first)


def test_a_decision_queues_a_follow_up_for_every_reporter_in_their_language_and_channel(db, campaign):
    settled = desk.decide(db, campaign, "scam", "faux portail patient", REVIEWER)
    sent = followups(db)
    assert settled.notified == 2 == len(sent)
    by_channel = {row["channel"]: row for row in sent}
    assert set(by_channel) == {"sms", "telegram"}
    assert "ARNAQUE" in by_channel["sms"]["body"] and settled.decided_at[:10] in by_channel["sms"]["body"]
    assert "SCAM" in by_channel["telegram"]["body"]
    assert json.loads(by_channel["sms"]["meta"])["campaign_id"] == campaign


def test_the_same_verdict_twice_tells_nobody_twice_but_an_override_does(db, campaign):
    desk.decide(db, campaign, "scam", "faux portail", REVIEWER)
    assert desk.decide(db, campaign, "scam", "confirmé encore", REVIEWER).notified == 0
    assert desk.decide(db, campaign, "legitimate", "c'était le vrai portail", REVIEWER).notified == 2


def test_a_scam_decision_blocklists_the_campaign_indicators(db, campaign):
    settled = desk.decide(db, campaign, "scam", "faux portail", REVIEWER)
    rows = {(r[0], r[1]): r[2] for r in db.execute("SELECT kind, value, verdict FROM indicators")}
    assert rows[("domain", "dossier-patient-suivi.com")] == "scam"
    assert rows[("domain", "suivi-dossier-sante.net")] == "scam"
    assert settled.indicators == len(rows)


def test_a_decision_needs_a_note_and_a_known_verdict(db, campaign):
    with pytest.raises(desk.DeskError, match="note"):
        desk.decide(db, campaign, "scam", "   ", REVIEWER)
    with pytest.raises(desk.DeskError, match="décision"):
        desk.decide(db, campaign, "maybe", "hmm", REVIEWER)
    with pytest.raises(desk.NotFound):
        desk.decide(db, 99999, "scam", "x", REVIEWER)


def test_decisions_are_in_the_append_only_audit_log(db, campaign):
    desk.decide(db, campaign, "scam", "faux portail", REVIEWER)
    detail = json.loads(db.execute("SELECT detail FROM audit WHERE action = 'decide'").fetchone()[0])
    assert detail["campaign"] == campaign and detail["notified"] == 2
    with pytest.raises(Exception, match="append-only"):
        db.execute("DELETE FROM audit")


def _engine(db, triage) -> Triage:
    return build_triage(db, cues=triage.analyser.cues)  # the session's spaCy pipelines, loaded once


def test_after_a_decision_the_next_message_of_the_campaign_gets_the_confirmed_answer(app, triage, campaign):
    engine = _engine(connect(app.config["VIGIE_DB"]), triage)
    before = engine.check(Report(NEXT, "sms"))
    assert "confirmed_campaign" not in {r.code for r in before.reasons}
    db = connect(app.config["VIGIE_DB"])
    settled = desk.decide(db, campaign, "scam", "faux portail patient", REVIEWER)
    after = engine.check(Report(NEXT, "sms"))  # another domain: only the wording ties it to the campaign
    assert after.verdict == "scam"
    assert after.reasons[0].code == "confirmed_campaign" and settled.decided_at[:10] in after.reply


def test_after_a_false_alarm_the_same_genuine_wording_is_answered_genuine(app, triage, db, file_report):
    text = ("Centre hospitalier : votre rendez-vous du 14/03 a 10h est confirme. Pour le deplacer, "
            "repondez ANNULER ou appelez le secretariat.")
    campaign = campaign_of(db, file_report(text))
    engine = _engine(db, triage)
    desk.decide(db, campaign, "legitimate", "vrai message du secrétariat", REVIEWER)
    answer = engine.check(Report(text.replace("14/03 a 10h", "02/05 a 16h30"), "sms"))
    assert answer.verdict == "legitimate"


GENUINE = ("Centre hospitalier : votre rendez-vous du 14/03 a 10h est confirme. Pour le deplacer, "
           "repondez ANNULER ou appelez le secretariat.")
CLONE = ("Centre hospitalier : votre rendez-vous du 02/05 a 16h30 est confirme. Pour le deplacer, "
         "repondez ANNULER ou appelez le secretariat au 06 12 34 56 78.")


def test_the_wording_of_a_genuine_campaign_with_a_contact_it_never_held_is_not_vouched_for(app, triage, db, file_report):
    campaign = campaign_of(db, file_report(GENUINE))
    engine = _engine(db, triage)
    desk.decide(db, campaign, "legitimate", "vrai message du secrétariat", REVIEWER)
    answer = engine.check(Report(CLONE, "sms"))  # the genuine text, with a number nobody checked
    assert answer.verdict == "suspicious"
    assert answer.reasons[0].code == "genuine_wording_new_contact" and "authentique" in answer.reply
    assert "confirmed_campaign" not in {r.code for r in answer.reasons}


def test_a_forged_copy_of_a_genuine_campaign_never_joins_it_nor_tells_its_reporter_authentic(db, file_report):
    campaign = campaign_of(db, file_report(GENUINE, sender="CHBELFORT"))
    desk.decide(db, campaign, "legitimate", "vrai message du secrétariat", REVIEWER)
    before = len(followups(db))
    # The same sender ID (anyone can forge one) and the same text, with the scammer's number.
    clone = file_report(CLONE, sender="CHBELFORT")
    assert campaign_of(db, clone) != campaign
    assert len(followups(db)) == before
    assert db.execute("SELECT count(*) FROM campaign_indicators WHERE campaign_id = ? AND kind = 'phone'",
                      [campaign]).fetchone()[0] == 0  # the genuine campaign took in nothing of the clone
    again = file_report(GENUINE.replace("14/03", "21/03"), sender="CHBELFORT")
    assert campaign_of(db, again) == campaign  # what the campaign held still joins it


def test_a_reporter_joining_a_decided_campaign_later_is_told_unless_the_answer_said_it(db, campaign, file_report):
    desk.decide(db, campaign, "scam", "faux portail", REVIEWER)
    before = len(followups(db))
    told = file_report("Pour annuler votre rendez-vous : https://dossier-patient-suivi.com/late", sender="+33700000009")
    db.execute("UPDATE cases SET verdict = 'scam' WHERE id = ?", [told])  # the live engine blocklisted it at intake
    db.conn.commit()
    untold = file_report("Un document vous attend : https://suivi-dossier-sante.net/zz", sender="+33700000008")
    assert campaign_of(db, told) == campaign_of(db, untold) == campaign
    assert len(followups(db)) == before + 1  # only the patient whose answer did not say it


def test_deciding_through_the_desk_queues_follow_ups(reviewer, db, campaign):
    case_id = db.execute("SELECT id FROM cases WHERE campaign_id = ? ORDER BY id LIMIT 1", [campaign]).fetchone()[0]
    token = page_token(reviewer, f"/review/case/{case_id}")
    resp = reviewer.post(f"/review/case/{case_id}/decide", data={"verdict": "scam", "note": "faux", "csrf_token": token})
    assert resp.status_code == 302
    page = reviewer.get(resp.headers["Location"]).get_data(as_text=True)
    assert "2 suivi(s) mis en file" in page
    assert len(followups(db)) == 2


def test_a_reviewer_proposes_an_official_contact_that_waits_for_an_admin(reviewer, admin, db, campaign):
    case_id = db.execute("SELECT id FROM cases WHERE campaign_id = ? ORDER BY id LIMIT 1", [campaign]).fetchone()[0]
    token = page_token(reviewer, f"/review/case/{case_id}")
    form = {"kind": "domain", "value": "dossier-patient-suivi.com", "source": "http://not-https.example", "csrf_token": token}
    assert reviewer.post(f"/review/case/{case_id}/propose", data=form).status_code == 400
    form["source"] = "https://www.chu-exemple.fr/contact"
    assert reviewer.post(f"/review/case/{case_id}/propose", data=form).status_code == 302
    assert db.execute("SELECT status, proposed_by FROM proposals").fetchone() == ("pending", REVIEWER)
    assert "dossier-patient-suivi[.]com" in admin.get("/review/proposals").get_data(as_text=True)


@needs_shared
def test_the_dev_corpus_gets_the_same_answers_with_campaign_decisions_stored(app, triage, db, campaign):
    desk.decide(db, campaign, "scam", "faux portail", REVIEWER)
    engine = _engine(db, triage)  # `triage` itself runs over a database with no decision
    for line in (SHARED / "corpus" / "dev.jsonl").read_text("utf-8").splitlines():
        item = json.loads(line)
        report = Report(item["text"], item.get("channel") or "sms", item.get("sender"))
        assert engine.check(report).verdict == triage.check(report).verdict, item["id"]


# --- What a decision may blocklist: never an official value, never a reporter's own address (issue 9) ---

AMELI_LURE = ("Assurance Maladie : votre carte vitale expire, renouvelez-la sur https://assures-amell.fr/carte "
              "ou prenez rendez-vous sur https://rdv.centre-demo-rendezvous.fr/x")
GENUINE_AMELI = ("Assurance Maladie : votre attestation de droits est disponible dans votre compte ameli, "
                 "sur https://www.ameli.fr")
PATIENT = "claire.patiente@exemple-famille.fr"
UNFORWARDED = ("Bonjour, votre dossier de remboursement est incomplet. Envoyez votre RIB sur "
               "https://dossier-remboursement-cpam.com/rib avant vendredi.")


def keys_of(app):
    return app.extensions["vigie.intake"].keys


def campaign_indicators(db, campaign: int) -> set[tuple[str, str]]:
    return {(r[0], r[1]) for r in db.execute("SELECT kind, value FROM campaign_indicators WHERE campaign_id = ?",
                                             [campaign])}


def blocklist(db) -> set[tuple[str, str]]:
    return {(r[0], r[1]) for r in db.execute("SELECT kind, value FROM indicators WHERE verdict = 'scam'")}


def offered_tokens(client, case_id: int) -> list[str]:
    page = client.get(f"/review/case/{case_id}").get_data(as_text=True)
    return re.findall(r'name="indicator" value="([^"]+)"', page)


def test_a_scam_decision_never_blocklists_the_institutions_own_sender_id_or_an_official_domain(app, triage, db,
                                                                                                file_report):
    from store import registry_admin
    campaign = campaign_of(db, file_report(AMELI_LURE, sender="AMELI"))
    # The registry learns the appointment site is official after the report was grouped.
    registry_admin.add_contact(db, "ameli", registry_admin.ContactInput(
        "domain", "centre-demo-rendezvous.fr", "https://example.org/page-that-states-it", "2026-11-28"), "admin@x")
    assert {("sender", "AMELI"), ("domain", "centre-demo-rendezvous.fr")} <= campaign_indicators(db, campaign)
    settled = desk.decide(db, campaign, "scam", "fausse carte vitale", REVIEWER, keys=keys_of(app))
    assert blocklist(db) == {("domain", "assures-amell.fr")} and settled.indicators == 1
    genuine = _engine(db, triage).check(Report(GENUINE_AMELI, "sms", "AMELI"))
    assert genuine.verdict != "scam" and "blocklisted" not in json.dumps(genuine.to_dict())


def test_an_email_not_recognised_as_a_forward_never_makes_the_patients_address_an_indicator(app, reviewer, db,
                                                                                            file_report):
    case_id = file_report(UNFORWARDED, channel="email", address=PATIENT, sender=f"Claire <{PATIENT}>")
    campaign = campaign_of(db, case_id)
    assert ("sender", PATIENT) in campaign_indicators(db, campaign)  # the grouping saw the patient's From
    tokens = offered_tokens(reviewer, case_id)
    assert tokens == [desk.choice_token("domain", "dossier-remboursement-cpam.com")]
    form = {"verdict": "scam", "note": "faux remboursement", "indicators_listed": "1", "indicator": tokens,
            "csrf_token": page_token(reviewer, f"/review/case/{case_id}")}
    assert reviewer.post(f"/review/case/{case_id}/decide", data=form).status_code == 302
    assert blocklist(db) == {("domain", "dossier-remboursement-cpam.com")}
    for path in ("/review/export/indicators.csv", "/review/export/indicators.stix.json"):
        assert PATIENT not in reviewer.get(path).get_data(as_text=True).lower()


def test_the_core_without_the_keys_confirms_no_number_or_address(db, file_report):
    campaign = campaign_of(db, file_report(UNFORWARDED + " Rappel au 06 45 12 78 90.", sender="+33645127891"))
    assert any(kind == "phone" for kind, _ in campaign_indicators(db, campaign))
    desk.decide(db, campaign, "scam", "faux remboursement", REVIEWER)
    assert blocklist(db) == {("domain", "dossier-remboursement-cpam.com")}


def test_the_reviewer_can_leave_an_indicator_out_of_the_decision(reviewer, db, campaign):
    case_id = db.execute("SELECT id FROM cases WHERE campaign_id = ? ORDER BY id LIMIT 1", [campaign]).fetchone()[0]
    tokens = offered_tokens(reviewer, case_id)
    keep = desk.choice_token("domain", "dossier-patient-suivi.com")
    assert keep in tokens and desk.choice_token("domain", "suivi-dossier-sante.net") in tokens
    form = {"verdict": "scam", "note": "faux portail", "indicators_listed": "1", "indicator": [keep],
            "csrf_token": page_token(reviewer, f"/review/case/{case_id}")}
    assert reviewer.post(f"/review/case/{case_id}/decide", data=form).status_code == 302
    assert blocklist(db) == {("domain", "dossier-patient-suivi.com")}
    assert json.loads(db.execute("SELECT detail FROM audit WHERE action = 'decide'").fetchone()[0])["left_out"] == 1


def test_an_indicator_the_campaign_does_not_offer_is_refused(reviewer, db, campaign):
    case_id = db.execute("SELECT id FROM cases WHERE campaign_id = ? ORDER BY id LIMIT 1", [campaign]).fetchone()[0]
    form = {"verdict": "scam", "note": "faux portail", "indicators_listed": "1",
            "indicator": [desk.choice_token("domain", "ameli.fr")],
            "csrf_token": page_token(reviewer, f"/review/case/{case_id}")}
    assert reviewer.post(f"/review/case/{case_id}/decide", data=form).status_code == 400
    assert blocklist(db) == set() and db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0


def test_with_the_keys_the_patients_own_address_never_groups_their_reports(app, db, file_report):
    case_id = file_report(UNFORWARDED, channel="email", address=PATIENT, sender=f"Claire <{PATIENT}>")
    desk.assign_pending(db, keys=keys_of(app))
    campaign = db.execute("SELECT campaign_id FROM cases WHERE id = ?", [case_id]).fetchone()[0]
    assert campaign_indicators(db, campaign) == {("domain", "dossier-remboursement-cpam.com")}


SHORT_LURE = ("Assurance Maladie : votre remboursement de 48,20 EUR est en attente. Confirmez vos coordonnées "
              "bancaires sur https://bit.ly/3Kq7ZxA avant le 15/01.")


def test_a_shortened_link_only_one_patient_forwarded_is_never_blocklisted_until_a_second_one_does(app, db,
                                                                                                   file_report):
    # A campaign may give each recipient a link of their own (to see who clicks): one patient's link may point
    # at them, so it only joins the blocklist once two different people forwarded it.
    first = file_report(SHORT_LURE, address="+33611112222")
    campaign = campaign_of(db, first)
    short = ("url", "https://bit.ly/3kq7zxa")
    assert short in campaign_indicators(db, campaign)
    assert short not in desk.blockable(db, campaign, keys_of(app))
    desk.decide(db, campaign, "scam", "faux remboursement", REVIEWER, keys=keys_of(app))
    assert short not in blocklist(db)

    file_report(SHORT_LURE, address="+33611112222")  # the same patient again: still one person
    assert short not in desk.blockable(db, campaign_of(db, first), keys_of(app))
    second = file_report(SHORT_LURE, address="+33633334444")
    campaign = campaign_of(db, second)
    assert short in desk.blockable(db, campaign, keys_of(app))
    desk.decide(db, campaign, "scam", "faux remboursement, deux patients", REVIEWER, keys=keys_of(app))
    assert short in blocklist(db)


SIGNED_LURE = ("Assurance Maladie : votre remboursement de 48,20 EUR est en attente. Confirmez vos coordonnées "
               "bancaires sur https://remboursement-ameli-dossier.com avant le 15/01.\n\nMarie Dupont\n06 12 34 56 78")


def test_a_number_only_one_patient_forwarded_is_never_blocklisted_until_a_second_one_does(app, db, file_report):
    """A patient who forwards by e-mail may leave their own number in a signature: it was offered for the
    blocklist, checked by default, and left in the exports for CERT Santé and 33 700 (found by an audit)."""
    first = file_report(SIGNED_LURE, address="marie.dupont@example.fr", channel="email")
    campaign = campaign_of(db, first)
    own = ("phone", "+33612345678")
    assert own in campaign_indicators(db, campaign)
    assert own not in desk.blockable(db, campaign, keys_of(app))
    assert ("domain", "remboursement-ameli-dossier.com") in desk.blockable(db, campaign, keys_of(app))
    desk.decide(db, campaign, "scam", "faux remboursement", REVIEWER, keys=keys_of(app))
    assert own not in blocklist(db)
    assert ("domain", "remboursement-ameli-dossier.com") in blocklist(db)

    # A campaign's own number (the one it asks to call) is offered once a second person forwarded it.
    callback = ("Assurance Maladie : votre carte Vitale expire. Appelez le 09 70 12 34 56 pour la renouveler "
                "avant le 15/01.")
    first = file_report(callback, address="+33611112222")
    number = ("phone", "+33970123456")
    assert number not in desk.blockable(db, campaign_of(db, first), keys_of(app))
    second = file_report(callback, address="+33633334444")
    assert number in desk.blockable(db, campaign_of(db, second), keys_of(app))
