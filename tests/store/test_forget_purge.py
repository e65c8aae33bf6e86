"""OUBLI and the retention purge leave no trace of the reporter or of their message: not in the SQLite file, not
in its -wal file, not in a backup made afterwards, not in the CSV / STIX exports."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from bot.report import Report
from service import desk
from store import clock, exports, maintenance, reporters
from tests.review.fixtures import REVIEWER
from service.intake import Inbound

PHONE, EMAIL, TELEGRAM = "+33611224466", "claire.oubliee@patiente-exemple.fr", "918273645"
# Each message carries a word found nowhere else, so a grep for it finds any copy, normalised or not. Their links are
# the scammers', not the patients': staff confirm them, and the purge keeps them on the blocklist.
SMS = ("Assurance Maladie : votre remboursement Xylophagex de 48,20 EUR attend. Confirmez vos coordonnees "
       "bancaires sur https://rembourse-sante48.com/k9 avant 48h.")
TG = ("Votre dossier patient Quokkalune est disponible sur https://dossier-patient-a1.net/a1, "
      "merci de le consulter avant le 03/01.")
MAIL = ("Bonjour, votre carte vitale Zebrolithe expire. Renouvelez-la sur https://vitale-renouvelle.org/r "
        "sous 24h sinon vos droits seront suspendus.")
KEPT = ("Colis en attente : reglez 1,99 EUR de frais Panglossien sur https://colis-panglossien.com/p "
        "avant demain.")
SECRETS = (PHONE, "0611224466", EMAIL, TELEGRAM, "xylophagex", "quokkalune", "zebrolithe")


def traces(blob: bytes) -> list[str]:
    """Which secrets appear in these bytes (case-insensitive; UTF-8 and the UTF-16 SQLite could use)."""
    low = blob.lower()
    return [s for s in SECRETS if s.lower().encode() in low or s.lower().encode("utf-16-le") in low]


def file_bytes(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


@pytest.fixture
def reported(app, db, file_report):
    """Three patients report (SMS, Telegram, an e-mail not recognised as a forward), a fourth stays;
    every campaign is decided, a reviewer proposes a contact quoting the message, follow-ups are queued."""
    keys = app.extensions["vigie.intake"].keys
    sms = file_report(SMS, address=PHONE)
    file_report(TG, channel="telegram", address=TELEGRAM)
    mail = file_report(MAIL, channel="email", address=EMAIL, sender=f"Claire <{EMAIL}>")
    kept = file_report(KEPT)
    desk.assign_pending(db)
    for (campaign,) in db.execute("SELECT DISTINCT campaign_id FROM cases").fetchall():
        desk.decide(db, campaign, "scam", "faux site de remboursement", REVIEWER, keys=keys)
    desk.propose_contact(db, sms, "phone", "3646", "https://www.ameli.fr/contact", "vu dans Xylophagex", REVIEWER)
    assert ("sender", EMAIL) in {(r[0], r[1]) for r in db.execute("SELECT kind, value FROM campaign_indicators")}
    return {"sms": sms, "mail": mail, "kept": kept}


def forget_by_message(app, db, channel: str, address: str) -> None:
    """The patient writes OUBLI through the real intake (and, where the sender is not proven, sends back the code)."""
    intake = app.extensions["vigie.intake"]
    answer = intake.receive(db, Inbound(channel, uuid.uuid4().hex, address, Report("OUBLI", channel)))
    code = re.search(r"\b(\d{6})\b", answer.text)
    if code:
        intake.receive(db, Inbound(channel, uuid.uuid4().hex, address, Report(f"OUBLI {code.group(1)}", channel)))


def everything_on_disk(db, tmp_path: Path, name: str) -> dict[str, bytes]:
    path = Path(db.conn.execute("PRAGMA database_list").fetchone()[2])
    copy = maintenance.backup(db, tmp_path / f"{name}.sqlite3")
    items = exports.confirmed(db)
    return {"db": file_bytes(path), "wal": file_bytes(Path(f"{path}-wal")), "backup": file_bytes(copy),
            "csv": exports.to_csv(items).encode(), "stix": exports.to_stix(items).encode()}


def test_before_oubli_the_grep_finds_the_reporters_message(db, reported, tmp_path):
    found = everything_on_disk(db, tmp_path, "before")
    assert {"xylophagex", "zebrolithe", EMAIL} <= set(traces(found["backup"]))  # the grep sees what is there


def test_after_oubli_no_file_or_export_holds_the_reporters_identifiers_or_message(app, db, reported, tmp_path):
    for channel, address in (("sms", PHONE), ("telegram", TELEGRAM), ("email", EMAIL)):
        forget_by_message(app, db, channel, address)
    found = everything_on_disk(db, tmp_path, "after-oubli")
    assert {name: traces(blob) for name, blob in found.items() if traces(blob)} == {}
    assert "panglossien" in found["csv"].decode()  # another patient's campaign is untouched


def test_oubli_removes_what_derives_from_the_case_and_recounts_the_campaign(app, db, reported):
    campaign = db.execute("SELECT campaign_id FROM cases WHERE id = ?", [reported["sms"]]).fetchone()[0]
    pseudonym = app.extensions["vigie.intake"].keys.pseudonym("sms", PHONE)
    counts = reporters.forget(db, pseudonym)
    assert counts["cases"] == 1 and counts["indicators"] >= 1 and counts["campaign_texts"] == 1
    assert counts["notices"] == 1 and counts["proposals"] == 1
    assert db.execute("SELECT cases, reporters, signature FROM campaigns WHERE id = ?", [campaign]).fetchone() == (
        0, 0, "")
    assert db.execute("SELECT count(*) FROM notices WHERE reporter = ?", [pseudonym]).fetchone()[0] == 0
    assert db.execute("SELECT note, case_id FROM proposals").fetchone() == ("", None)
    assert db.execute("SELECT count(*) FROM indicators WHERE value LIKE '%rembourse-sante48%'").fetchone()[0] == 0


def test_an_indicator_another_reporter_also_sent_stays_after_one_oubli(app, db, file_report):
    keys = app.extensions["vigie.intake"].keys
    file_report(SMS, address=PHONE)
    file_report(SMS.replace("48,20", "12,00"), address="+33622334455")
    desk.assign_pending(db)
    campaign = db.execute("SELECT campaign_id FROM cases LIMIT 1").fetchone()[0]
    desk.decide(db, campaign, "scam", "faux site", REVIEWER, keys=keys)
    reporters.forget(db, keys.pseudonym("sms", PHONE))
    assert db.execute("SELECT verdict FROM indicators WHERE value = 'rembourse-sante48.com'").fetchone() == ("scam",)
    assert db.execute("SELECT cases, reporters FROM campaigns WHERE id = ?", [campaign]).fetchone() == (1, 1)


def test_after_the_purge_no_file_made_since_holds_a_reporter_or_a_message(db, reported, tmp_path):
    before = everything_on_disk(db, tmp_path, "before-purge")
    counts = maintenance.purge(db, 90, clock.now() + timedelta(days=91))
    assert counts["cases"] == 4 and counts["reporters"] == 4 and counts["campaign_indicators"] >= 4
    after = everything_on_disk(db, tmp_path, "after-purge")
    assert traces(before["backup"])  # a backup made before the purge still holds them: rotate backups
    assert {name: traces(blob) for name, blob in after.items() if traces(blob)} == {}
    assert db.execute("SELECT count(*) FROM campaigns WHERE cases > 0 OR signature != ''").fetchone()[0] == 0


def test_the_purge_keeps_what_staff_confirmed_on_the_blocklist_without_the_decision_note(db, reported):
    # Retention is about the patients' data; a domain a person confirmed as a scam is the scammer's, and forgetting
    # it after 90 days would let the campaign's next wave through. Its decision note may quote a message: emptied.
    confirmed = db.execute("SELECT kind, value, verdict FROM indicators ORDER BY kind, value").fetchall()
    assert ("domain", "rembourse-sante48.com", "scam") in confirmed
    counts = maintenance.purge(db, 90, clock.now() + timedelta(days=91))
    assert counts["indicators"] == 0 and counts["cases"] == 4
    assert db.execute("SELECT kind, value, verdict FROM indicators ORDER BY kind, value").fetchall() == confirmed
    assert {r[0] for r in db.execute("SELECT note FROM indicators")} == {""}
    assert "rembourse-sante48.com" in exports.to_csv(exports.confirmed(db))


def test_oubli_erases_the_patients_answer_to_who_sent_it(app, db, tmp_path):
    intake = app.extensions["vigie.intake"]
    intake.receive(db, Inbound("sms", uuid.uuid4().hex, PHONE, Report("Bonjour, c'est moi.", "sms")))  # "who sent it?"
    answer = intake.receive(db, Inbound("sms", uuid.uuid4().hex, PHONE, Report("Quokkalune Conseil", "sms")))
    assert "Quokkalune" in answer.text  # the reply names the sender the patient gave
    forget_by_message(app, db, "sms", PHONE)
    found = everything_on_disk(db, tmp_path, "after-oubli")
    assert {name: traces(blob) for name, blob in found.items() if traces(blob)} == {}
