"""Campaigns: reports that share a non-official indicator or close wording are grouped; official never joins fake."""
from __future__ import annotations

import json

import pytest

from bot import campaigns
from bot.report import Report
from service import desk
from service.desk import assign_pending

GENUINE = ("Bonjour Madame Martin, votre compte rendu d'examen est disponible dans votre espace patient : "
           "https://www.ameli.fr/assure/compte-ameli. Merci de le consulter avant le 12/12.")
COPY = ("Bonjour Madame Martin, votre compte rendu d'examen est disponible dans votre espace patient : "
        "https://compte-rendu-patient.com/assure/compte-ameli. Merci de le consulter avant le 12/12.")
LURE = ("Bonjour Monsieur Durand, votre dossier patient est disponible sur https://dossier-patient-suivi.com/a1 "
        "merci de le consulter avant le 03/01.")
LURE_VARIANT = ("Bonjour Madame Petit, votre dossier patient est disponible sur https://suivi-dossier-sante.net/b7 "
                "merci de le consulter avant le 12/12.")
SAME_DOMAIN = "Rappel : votre rendez-vous de demain est confirmé. Pour annuler : https://dossier-patient-suivi.com/x"
PARCEL = "Votre colis est en attente, payez 1,99 EUR sur https://colis-relais-fr.com"


def campaign_of(db, case_id: int) -> int:
    return db.execute("SELECT campaign_id FROM cases WHERE id = ?", [case_id]).fetchone()[0]


def test_placeholders_replace_what_varies_between_copies_of_one_campaign():
    a = campaigns.normalise("Bonjour Madame Marie DUPONT, payez 48,20 EUR avant le 12/03/2026 à 14h30, dossier 88123.")
    b = campaigns.normalise("Bonjour Monsieur Paul Martin, payez 3 € avant le 1er avril à 9h, dossier 7.")
    assert a == b == "bonjour <nom> payez <montant> avant le <date> a <heure> dossier <n>"


def test_link_status_is_part_of_the_fingerprint(analyser):
    genuine = campaigns.from_findings(analyser.analyse(GENUINE))
    copy = campaigns.from_findings(analyser.analyse(COPY))
    assert (genuine.shape, copy.shape) == (campaigns.OFFICIAL_LINKS, campaigns.OTHER_LINKS)
    assert genuine.indicators == () and copy.indicators == (("domain", "compte-rendu-patient.com"),)
    assert not campaigns.may_join(genuine.shape, copy.shape)


def test_the_stored_verdict_and_the_live_findings_give_the_same_fingerprint(triage, analyser):
    verdict = triage.check(Report(LURE, "sms")).to_dict()
    stored = campaigns.from_verdict(verdict, campaigns.analysed_text(LURE, None, verdict))
    assert stored == campaigns.from_findings(analyser.analyse(LURE))


def test_a_case_keeps_the_fingerprint_its_check_computed_and_the_desk_reads_it_back(db, file_report, triage):
    case_id = file_report(LURE)
    row = db.execute("SELECT text, subject, verdict_json FROM cases WHERE id = ?", [case_id]).fetchone()
    data = desk.verdict_data(row[2])
    assert campaigns.Fingerprint.from_json(data["fingerprint"]) == triage.check(Report(LURE, "sms")).fingerprint
    data["fingerprint"]["text"] = "stored once"  # the desk takes the stored one; it does not derive it again
    assert desk.member_of(row[0], row[1], json.dumps(data)).text == "stored once"
    assert "fingerprint" not in triage.check(Report(LURE, "sms")).to_dict()  # never in the public verdict JSON


def test_defanged_links_in_the_stored_text_still_line_up(triage):
    text = "Votre dossier : hxxps://dossier-patient-suivi[.]com/a1 a consulter"
    verdict = triage.check(Report(text, "sms")).to_dict()
    fp = campaigns.from_verdict(verdict, campaigns.analysed_text(text, None, verdict))
    assert "<lien>" in fp.text and fp.indicators == (("domain", "dossier-patient-suivi.com"),)


def test_similar_wording_with_other_names_numbers_and_links_is_one_campaign(db, file_report):
    first, second = file_report(LURE), file_report(LURE_VARIANT)
    assign_pending(db)
    assert campaign_of(db, first) == campaign_of(db, second)


def test_a_shared_non_official_domain_is_one_campaign_whatever_the_wording(db, file_report):
    first, second = file_report(LURE), file_report(SAME_DOMAIN)
    assign_pending(db)
    assert campaign_of(db, first) == campaign_of(db, second)


def test_a_genuine_message_and_a_scam_copying_its_wording_are_never_merged(db, file_report):
    genuine, copy = file_report(GENUINE), file_report(COPY)
    assign_pending(db)
    assert campaign_of(db, genuine) != campaign_of(db, copy)


def test_unrelated_messages_stay_apart(db, file_report):
    lure, parcel = file_report(LURE), file_report(PARCEL)
    assign_pending(db)
    assert campaign_of(db, lure) != campaign_of(db, parcel)


def test_campaigns_count_distinct_reporters(db, file_report):
    same = "+33611112222"
    ids = [file_report(LURE, address=same, sender="+33700000001"),
           file_report(LURE_VARIANT, address=same, sender="+33700000001"), file_report(SAME_DOMAIN)]
    assign_pending(db)
    row = db.execute("SELECT cases, reporters FROM campaigns WHERE id = ?", [campaign_of(db, ids[0])]).fetchone()
    assert tuple(row) == (3, 2)


def test_two_campaigns_joined_by_a_later_report_are_merged(db, file_report):
    a = file_report("Votre remboursement vous attend sur https://rembourse-vite.com")
    b = file_report("Appelez vite le service client au 06 12 34 56 78 pour votre carte")
    assign_pending(db)
    assert campaign_of(db, a) != campaign_of(db, b)
    bridge = file_report("Carte vitale : https://rembourse-vite.com ou appelez le 06 12 34 56 78")
    assign_pending(db)
    assert campaign_of(db, a) == campaign_of(db, b) == campaign_of(db, bridge)


@pytest.mark.parametrize("length", [10, 100, 400])
def test_texts_outside_the_length_window_can_never_reach_the_threshold(length):
    low, high = campaigns.length_window(length)
    assert not campaigns.similar("a" * length, "a" * (low - 1))
    assert not campaigns.similar("a" * length, "a" * (high + 1))
    assert campaigns.similar("a" * length, "a" * length)
