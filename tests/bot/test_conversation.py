"""The pure conversation: commands in both languages, the privacy notice, "who sent it?", failures."""
from __future__ import annotations

import logging

import pytest

from bot.conversation import Context, command_of, looks_like_sender, respond
from bot.report import Report


class Exploding:
    """A triage whose analysis raises."""

    def check(self, report):
        raise ValueError("boom")

    def error_reply(self, lang):
        return f"error-{lang}"


@pytest.mark.parametrize("text, expected", [
    ("STOP", ("stop", None)), ("Arrêt", ("stop", "fr")), ("/aide@VigieBot", ("help", "fr")),
    ("HELP", ("help", "en")), ("/oubli", ("forget", "fr")), ("/forget", ("forget", "en")),
    ("Oubliez-moi", ("forget", "fr")), ("/privacy", ("privacy", "en")), ("/start", ("start", None)),
    ("stop payer maintenant", None), ("Votre colis STOP", None),
])
def test_commands_are_recognised_in_french_and_english(text, expected):
    assert command_of(text) == expected


def test_a_command_answers_in_its_language_or_the_reporters():
    assert respond(Report("HELP"), Context(lang="fr"), Exploding()).lang == "en"
    assert respond(Report("STOP"), Context(lang="en"), Exploding()).messages[0].startswith("Done")
    assert respond(Report("STOP"), Context(), Exploding()).messages[0].startswith("C'est noté")


def test_first_contact_gets_the_one_line_privacy_notice(triage):
    outcome = respond(Report("Bonjour, vous êtes chez vous ?"), Context(first_contact=True, retention_days=30), triage)
    assert "30 jours" in outcome.messages[-1] and "\n" not in outcome.messages[-1]


def test_a_failed_analysis_is_an_error_case_with_the_error_reply():
    outcome = respond(Report("texte", channel="sms"), Context(lang="en"), Exploding())
    assert outcome.kind == "error" and outcome.status == "error" and outcome.messages == ("error-en",)


def test_unknown_sms_without_sender_asks_who_sent_it(triage):
    outcome = respond(Report("Bonjour, c'est moi.", channel="sms"), Context(), triage)
    assert outcome.ask_sender and outcome.status == "needs_review"
    assert not respond(Report("Bonjour, c'est moi.", channel="telegram"), Context(), triage).ask_sender


def test_the_answer_to_who_sent_it_rechecks_the_waiting_message(triage):
    ctx = Context(awaiting_sender="Votre colis est en attente, payez 1,99 EUR sur https://colis-suivi-fr.info")
    outcome = respond(Report("06 44 55 66 77"), ctx, triage)
    assert outcome.refines and outcome.report.sender == "06 44 55 66 77"
    assert outcome.messages[0].startswith("Merci. Avec l'expéditeur")


def test_a_long_message_while_waiting_is_a_new_report_not_an_answer(triage):
    ctx = Context(awaiting_sender="Bonjour")
    assert not respond(Report("Un autre message suspect reçu ce matin avec un lien https://x.io"), ctx, triage).refines
    assert not looks_like_sender("https://ameli.fr")


@pytest.mark.parametrize("text", ["Votre amende: payez sur antai-paiement.com", "Colis bloqué, payez 1,99 € sur colis-fr.info"])
def test_a_short_scam_while_waiting_is_checked_as_a_new_report_not_taken_for_a_sender(triage, text):
    """Any short text used to be taken for the answer to "who sent it?": a scam sent next was never judged."""
    ctx = Context(awaiting_sender="Info importante concernant votre dossier.")
    outcome = respond(Report(text, channel="sms"), ctx, triage)
    assert not outcome.refines and outcome.kind == "report"
    assert outcome.verdict.verdict in ("scam", "suspicious")
    assert not looks_like_sender(text)


def test_a_short_scam_without_a_link_while_waiting_is_a_new_report_and_does_not_ask_again(triage):
    ctx = Context(awaiting_sender="Info importante concernant votre dossier.")
    outcome = respond(Report("Amende impayée : payez 35 € aujourd'hui", channel="sms"), ctx, triage)
    assert not outcome.refines and outcome.verdict.verdict in ("scam", "suspicious")
    assert not outcome.ask_sender and "Qui vous" not in outcome.text


@pytest.mark.parametrize("answer", ["AMELI", "noreply@ameli.fr", "Assurance Maladie", "un numéro inconnu", "PayPal",
                                    "Netflix", "Vinted", "service.client@laposte.fr", "ameli.fr", "le 06 12 34 56 78",
                                    "Dr.Martin"])
def test_a_sender_name_or_address_is_still_an_answer(triage, answer):
    ctx = Context(awaiting_sender="Votre colis est en attente, payez 1,99 EUR sur https://colis-suivi-fr.info")
    outcome = respond(Report(answer, channel="sms"), ctx, triage)
    assert outcome.refines and outcome.report.text == ctx.awaiting_sender


class ExplodingOnText:
    """A triage whose analysis raises with the message text in the exception (as a library might)."""

    def check(self, report):
        raise ValueError(f"cannot parse {report.text!r}")

    def error_reply(self, lang):
        return f"error-{lang}"


def test_a_failed_analysis_is_logged_with_its_traceback_but_never_the_message_text(caplog):
    caplog.set_level(logging.ERROR, logger="vigie")
    outcome = respond(Report("Mme DUPONT, votre dossier 4471 est bloqué"), Context(), ExplodingOnText())
    assert outcome.kind == "error"
    logged = caplog.text
    assert "analysis failed" in logged and "ValueError" in logged and "in check" in logged  # the frame that raised
    assert "DUPONT" not in logged and "4471" not in logged
