"""OUBLI from a number or an address anyone can forge (SMS, e-mail) erases only once confirmed with the code sent
back to it; a forged OUBLI would erase a patient's reports and the blocklist entries only they carried."""
from __future__ import annotations

import re
import uuid

from bot.report import Report
from service.intake import MAX_FORGET_TRIES, Inbound
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


def test_guessing_the_code_gets_a_new_one_after_a_few_tries(app, db):
    say(app, db, "sms", "+33611220001", SCAM)
    first = code_in(say(app, db, "sms", "+33611220001", "OUBLI").text)
    for n in range(MAX_FORGET_TRIES):
        say(app, db, "sms", "+33611220001", f"OUBLI {(int(first) + n + 1) % 10**6:06d}")
    fresh = say(app, db, "sms", "+33611220001", f"OUBLI {(int(first) + 99) % 10**6:06d}")
    assert "OUBLI" in fresh.text and code_in(fresh.text)  # a new code went to the owner; the old one is void
    say(app, db, "sms", "+33611220001", f"OUBLI {first}")
    assert cases.count(db) == 1


def test_on_telegram_the_account_is_proven_and_oubli_erases_at_once(app, db):
    say(app, db, "telegram", "918273600", SCAM)
    assert "effacées" in say(app, db, "telegram", "918273600", "OUBLI").text
    assert cases.count(db) == 0
