"""OUBLI from a number or an address anyone can forge (SMS, e-mail) erases only once confirmed with the code sent
back to it; a forged OUBLI would erase a patient's reports and the blocklist entries only they carried."""
from __future__ import annotations

import re
import uuid

from bot.report import Report
from service.intake import MAX_FORGET_CODES, MAX_FORGET_TRIES, Inbound
from store import cases

SCAM = ("Assurance Maladie : votre remboursement de 48,20 EUR attend. Confirmez vos coordonnees "
        "bancaires sur https://rembourse-sante48.com/k9 avant 48h.")


def say(app, db, channel: str, address: str, text: str):
    return app.extensions["vigie.intake"].receive(db, Inbound(channel, uuid.uuid4().hex, address, Report(text, channel)))


def code_in(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def test_an_sms_oubli_erases_nothing_until_the_code_sent_back_returns(app, db):
    say(app, db, "sms", "+33611220000", SCAM)
    asked = say(app, db, "sms", "+33611220000", "OUBLI")  # a forger's OUBLI gets this far: the code goes to the owner
    assert cases.count(db) == 1 and "OUBLI" in asked.text
    wrong = f"{(int(code_in(asked.text)) + 1) % 10**6:06d}"
    assert "ne correspond pas" in say(app, db, "sms", "+33611220000", f"OUBLI {wrong}").text
    assert cases.count(db) == 1
    done = say(app, db, "sms", "+33611220000", f"OUBLI {code_in(asked.text)}")
    assert cases.count(db) == 0 and "effacées" in done.text


def test_a_code_is_only_good_for_the_address_it_was_sent_to(app, db):
    say(app, db, "email", "claire@example.fr", SCAM)
    asked = say(app, db, "email", "claire@example.fr", "OUBLI")
    say(app, db, "email", "forger@example.net", f"OUBLI {code_in(asked.text)}")
    assert cases.count(db) == 1


def test_a_code_dies_after_a_few_wrong_guesses(app, db):
    say(app, db, "sms", "+33611220001", SCAM)
    first = code_in(say(app, db, "sms", "+33611220001", "OUBLI").text)
    answers = [say(app, db, "sms", "+33611220001", f"OUBLI {(int(first) + n + 1) % 10**6:06d}").text
               for n in range(MAX_FORGET_TRIES)]
    assert "ne correspond pas" in answers[0] and "plus valable" in answers[-1]
    say(app, db, "sms", "+33611220001", f"OUBLI {first}")  # the right code, too late: it died with the guesses
    assert cases.count(db) == 1


def test_a_repeated_oubli_gets_the_pending_code_again_not_a_new_one_to_guess(app, db):
    say(app, db, "sms", "+33611220002", SCAM)
    first = code_in(say(app, db, "sms", "+33611220002", "OUBLI").text)
    wrong = f"{(int(first) + 1) % 10**6:06d}"
    for _ in range(MAX_FORGET_TRIES - 1):
        say(app, db, "sms", "+33611220002", f"OUBLI {wrong}")
    assert code_in(say(app, db, "sms", "+33611220002", "OUBLI").text) == first  # the tries are not reset either
    assert "plus valable" in say(app, db, "sms", "+33611220002", f"OUBLI {wrong}").text


def test_a_forger_cannot_cycle_codes_nor_flood_the_patient(app, db):
    """Each code allows MAX_FORGET_TRIES guesses; without a daily cap, a forger asking again and again would
    guess one in the end, and every code sent lands on the patient's phone."""
    say(app, db, "sms", "+33611220003", SCAM)
    sent = []
    for _ in range(MAX_FORGET_CODES + 2):
        asked = say(app, db, "sms", "+33611220003", "OUBLI").text
        if re.search(r"\b\d{6}\b", asked):
            sent.append(code_in(asked))
            for n in range(MAX_FORGET_TRIES):  # burn the code
                say(app, db, "sms", "+33611220003", f"OUBLI {(int(sent[-1]) + n + 1) % 10**6:06d}")
    assert len(sent) == MAX_FORGET_CODES
    assert "24 heures" in asked
    say(app, db, "sms", "+33611220003", f"OUBLI {sent[-1]}")
    assert cases.count(db) == 1
    # another patient is not held back by it
    say(app, db, "sms", "+33611220004", SCAM)
    assert code_in(say(app, db, "sms", "+33611220004", "OUBLI").text)


def test_on_telegram_the_account_is_proven_and_oubli_erases_at_once(app, db):
    say(app, db, "telegram", "918273600", SCAM)
    assert "effacées" in say(app, db, "telegram", "918273600", "OUBLI").text
    assert cases.count(db) == 0


def test_repeated_oublis_reuse_the_pending_code_and_use_up_no_new_ones(app, db):
    """A forger sending bare OUBLIs cannot use up the patient's codes for the day: each one gets the code already
    sent, and the patient's own OUBLI <code> still erases."""
    say(app, db, "sms", "+33611220005", SCAM)
    codes = {code_in(say(app, db, "sms", "+33611220005", "OUBLI").text) for _ in range(MAX_FORGET_CODES + 2)}
    assert len(codes) == 1
    say(app, db, "sms", "+33611220005", f"OUBLI {codes.pop()}")
    assert cases.count(db) == 0


def test_past_the_daily_limit_the_patient_is_told_the_messages_go_anyway(app, db):
    say(app, db, "sms", "+33611220006", SCAM)
    for _ in range(MAX_FORGET_CODES):
        first = code_in(say(app, db, "sms", "+33611220006", "OUBLI").text)
        for n in range(MAX_FORGET_TRIES):
            say(app, db, "sms", "+33611220006", f"OUBLI {(int(first) + n + 1) % 10**6:06d}")
    refused = say(app, db, "sms", "+33611220006", "OUBLI").text
    assert "24 heures" in refused and "automatiquement" in refused and not re.search(r"\b\d{6}\b", refused)
