"""Replies: short enough for SMS, in the patient's language, with the official number."""
from __future__ import annotations

import pytest

from bot import replies
from config.channels import traits
from tests.bot.golden import CASES, golden_report
from tests.factories import make_report

# --- SMS segment counting ---------------------------------------------------------------------


@pytest.mark.parametrize("text, segments", [
    ("a" * 160, 1),
    ("a" * 161, 2),
    ("a" * 306, 2),  # 2 x 153 with the concatenation header
    ("a" * 307, 3),
    ("é" * 160, 1),  # é is in the GSM-7 basic set
    ("€" * 80, 1),  # extension characters cost two septets
    ("€" * 81, 2),
    ("ê" * 70, 1),  # ê is not GSM-7: UCS-2
    ("ê" * 71, 2),
    ("ê" * 134, 2),  # 2 x 67
    ("ê" * 135, 3),
    ("a" * 159 + "ê", 3),  # one UCS-2 character switches the whole message
])
def test_sms_segments_count_gsm7_and_ucs2(text, segments):
    assert replies.sms_segments(text) == segments


def test_to_gsm7_keeps_meaning_of_french_text():
    assert replies.to_gsm7("Hôpital – « prêt » … œuvre") == 'Hopital - " pret " ... oeuvre'
    assert replies.is_gsm7(replies.to_gsm7("Numéro officiel : ça coûte 0,15 €/min"))


def test_fit_drops_least_important_lines_to_stay_within_three_segments():
    lines = [(0, "A" * 150), (1, "B" * 150), (4, "C" * 150), (2, "D" * 150)]
    out = replies.fit(lines, "sms")
    assert replies.sms_segments(out) <= traits("sms").segments
    assert "A" * 150 in out and "C" not in out


def test_fit_cuts_a_single_overlong_line():
    out = replies.fit([(0, "x" * 2000)], "sms")
    assert replies.sms_segments(out) <= traits("sms").segments and out.endswith("...")


def test_fit_leaves_email_replies_whole():
    lines = [(0, "A" * 500), (4, "C" * 500)]
    assert replies.fit(lines, "email") == "A" * 500 + "\n" + "C" * 500


# --- replies of real verdicts -----------------------------------------------------------------

@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES])
def test_every_sms_reply_fits_in_three_segments(triage, case):
    verdict = triage.check(make_report(case["text"], channel="sms", sender=case.get("sender")))
    assert verdict.reply.strip()
    assert replies.sms_segments(verdict.reply) <= 3


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES if c.get("lang")])
def test_reply_is_in_the_language_of_the_message(triage, case):
    verdict = triage.check(golden_report(case))
    opening = replies.to_gsm7(replies.t(case["lang"], "verdict", verdict.verdict))
    assert verdict.reply.startswith(opening) or verdict.reply.startswith(
        replies.t(case["lang"], "verdict", verdict.verdict))


def test_ameli_scam_reply_gives_the_official_3646(triage):
    verdict = triage.check(make_report(
        "Assurance Maladie : un remboursement de 48,20 euros est en attente. Confirmez vos "
        "coordonnées bancaires sur https://ameli-remboursement.com/dossier"))
    assert verdict.verdict == "scam"
    assert "3646" in verdict.reply
    assert "ameli-remboursement.com" not in verdict.reply.split("\n", 1)[1]  # never the scam's link as contact


def test_scam_reply_on_sms_tells_where_to_report(triage):
    verdict = triage.check(make_report("Votre colis est bloqué, payez 1,99 € de frais de livraison sur https://colis-suivi-livraison.com"))
    assert verdict.verdict == "scam"
    assert "33700" in verdict.reply


def test_a_misspelt_brand_in_a_link_is_named_in_the_reply(triage):
    verdict = triage.check(make_report("Bonjour, votre annonce est toujours disponible ? "
                                       "https://marketplce-facbook.srtenvironmental.com/item/2231"))
    assert verdict.verdict == "scam"
    assert "imite le site officiel de Facebook" in verdict.reply


def test_email_reply_about_a_leaked_establishment_mentions_the_leak(triage):
    verdict = triage.check(make_report(
        "Hôpital privé de la Miotte : un reste à charge de 23,90 € doit être réglé sur "
        "https://miotte-reglement.fr/patient", channel="email"))
    assert "2026-01-04" in verdict.reply


def test_english_reply_uses_english_texts(triage):
    verdict = triage.check(make_report("NHS: You have been in close contact with someone who tested "
                                       "positive. Order your PCR test kit at https://nhs-testkit-order.com"))
    assert verdict.lang == "en"
    assert verdict.reply.startswith(replies.t("en", "verdict", verdict.verdict))
    assert "Official number of NHS" in verdict.reply


def test_legitimate_reply_explains_with_legitimacy_reasons_only(triage):
    verdict = triage.check(make_report(
        "Doctolib : rappel de votre rendez-vous le mardi 18 mars à 10h15 avec Dr Lefèvre. Pour annuler "
        "ou déplacer, rendez-vous sur doctolib.fr", sender="Doctolib"))
    assert verdict.verdict == "legitimate"
    assert replies.t("fr", "reasons", "link_cta") not in verdict.reply


def test_a_failed_authenticity_check_weighs_even_against_an_official_looking_sender(triage):
    from bot.report import Report

    text = "Information de paiement : consultez votre compte sur https://www.ameli.fr"
    genuine = triage.check(Report(text, "email", sender="assurance-maladie@info.ameli.fr"))
    spoofed = triage.check(Report(text, "email", sender="assurance-maladie@info.ameli.fr", auth_failed=True))
    assert spoofed.score > genuine.score
    assert "auth_failed" in {r.code for r in spoofed.reasons}


@pytest.mark.parametrize("channel", ["telegram", "whatsapp"])
def test_a_chat_patient_is_told_to_report_in_the_app_not_to_33700(triage, channel):
    verdict = triage.check(make_report("Votre colis est bloqué, payez 1,99 € de frais de livraison sur "
                                       "https://colis-suivi-livraison.com", channel=channel))
    assert verdict.verdict == "scam"
    assert replies.t("fr", "report", "chat") in verdict.reply
    assert replies.t("fr", "report", "sms", value="33 700") not in verdict.reply
    assert "Signalez le SMS" not in verdict.reply


THIN = "Bonjour, c'est moi."  # too few words to judge (bot.decide.MIN_WORDS): a person would have to look


@pytest.mark.parametrize(("channel", "promised"), [("sms", True), ("telegram", True), ("email", True),
                                                   ("web", False), ("api", False)])
def test_a_person_is_promised_only_where_the_patient_can_be_told(triage, channel, promised):
    verdict = triage.check(make_report(THIN, channel=channel))
    assert verdict.verdict == "unknown"
    assert (replies.t("fr", "advice", "unknown") in verdict.reply) is promised
    assert (replies.t("fr", "advice", "unknown_unreachable") in verdict.reply) is not promised
