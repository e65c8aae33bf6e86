"""The intake tables: pseudonyms, encrypted addresses, cases, outbox backoff, conversation, purge, backup."""
from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from store import cases, clock, conversation, maintenance, outbox, replay, reporters, staff
from store.crypto import CryptoError, DataKeys
from store.db import StoreError, get_db

PHONE = "+33612345678"


@pytest.fixture
def db(tmp_path):
    """A migrated database file."""
    conn = get_db(tmp_path / "vigie.sqlite3")
    yield conn
    conn.conn.close()


@pytest.fixture
def keys() -> DataKeys:
    return DataKeys.from_secret("data-key-for-tests")


def test_pseudonym_is_stable_keyed_and_per_channel(keys):
    assert keys.pseudonym("sms", PHONE) == keys.pseudonym("sms", f" {PHONE} ")
    assert keys.pseudonym("sms", PHONE) != keys.pseudonym("whatsapp", PHONE)
    assert keys.pseudonym("sms", PHONE) != DataKeys.from_secret("another key").pseudonym("sms", PHONE)


def test_address_round_trips_and_a_wrong_key_cannot_read_it(keys):
    token = keys.encrypt(PHONE)
    assert PHONE not in token and keys.decrypt(token) == PHONE
    with pytest.raises(CryptoError):
        DataKeys.from_secret("another key").decrypt(token)


def test_no_clear_phone_number_or_email_in_the_sqlite_file(db, keys, tmp_path):
    for channel, address in (("sms", PHONE), ("email", "marie.patient@example.fr"), ("whatsapp", "whatsapp:" + PHONE)):
        who = reporters.touch(db, keys, channel, address)
        cases.record(db, channel, f"id-{channel}", "réponse", cases.NewCase(text="texte", status="answered",
                                                                             reporter=who.pseudonym))
        outbox.enqueue(db, channel, who.pseudonym, "suivi")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("vigie.sqlite3"))
    for needle in (b"612345678", b"marie.patient", "612345678".encode("utf-16-le")):
        assert needle not in raw


def test_first_touch_is_first_contact_then_not(db, keys):
    assert reporters.touch(db, keys, "sms", PHONE).first_contact
    again = reporters.touch(db, keys, "sms", PHONE)
    assert not again.first_contact and reporters.address_of(db, keys, again.pseudonym) == PHONE


def test_record_is_idempotent_per_provider_message(db):
    first = cases.record(db, "sms", "SM1", "réponse 1", cases.NewCase(text="a", status="answered"))
    twin = cases.record(db, "sms", "SM1", "réponse 2", cases.NewCase(text="a", status="answered"))
    assert twin.duplicate and twin.reply == "réponse 1" and twin.case_id == first.case_id
    assert cases.count(db) == 1


def test_cases_are_unique_on_channel_and_provider_id(db):
    db.execute("INSERT INTO cases (channel, provider_message_id, received_at) VALUES ('sms', 'X', '2026')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO cases (channel, provider_message_id, received_at) VALUES ('sms', 'X', '2026')")


def test_outbox_backs_off_exponentially_then_gives_up(db):
    start = clock.now().replace(microsecond=0)
    msg_id = outbox.enqueue(db, "telegram", "p", "suivi", when=start)
    delays = []
    for _ in range(outbox.MAX_ATTEMPTS):
        status = outbox.mark_failed(db, msg_id, "down", start)
        delays.append(clock.parse(outbox.get(db, msg_id)["next_attempt_at"]) - start)
    assert delays[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert status == "failed" and outbox.due(db, start + timedelta(days=2)) == []


def test_conversation_state_expires_after_30_minutes(db):
    start = clock.now()
    conversation.save(db, "p", conversation.Pending("awaiting_sender", {"case_id": 3}), start)
    assert conversation.load(db, "p", start + timedelta(minutes=29)).data == {"case_id": 3}
    assert conversation.load(db, "p", start + timedelta(minutes=31)) is None


def test_a_mailgun_token_is_accepted_once(db):
    assert replay.remember(db, "tok", 1) and not replay.remember(db, "tok", 1)


def test_forget_deletes_everything_about_one_reporter(db, keys):
    mine, other = reporters.touch(db, keys, "sms", PHONE), reporters.touch(db, keys, "sms", "+33700000000")
    for who, pid in ((mine, "A"), (other, "B")):
        cases.record(db, "sms", pid, "r", cases.NewCase(text="t", status="answered", reporter=who.pseudonym))
        outbox.enqueue(db, "sms", who.pseudonym, "suivi")
    conversation.save(db, mine.pseudonym, conversation.Pending("awaiting_sender"))
    counts = reporters.forget(db, mine.pseudonym)
    assert counts.items() >= {"cases": 1, "outbox": 1, "conversation": 1, "reporters": 1}.items()
    assert cases.count(db) == 1 and db.execute("SELECT count(*) FROM inbound").fetchone()[0] == 1


def test_purge_deletes_what_is_older_than_the_retention(db, keys):
    old, now = clock.now() - timedelta(days=100), clock.now()
    who = reporters.touch(db, keys, "sms", PHONE, when=old)
    cases.record(db, "sms", "old", "r", cases.NewCase(text="t", status="answered", reporter=who.pseudonym), when=old)
    cases.record(db, "sms", "new", "r", cases.NewCase(text="t", status="answered"), when=now)
    outbox.enqueue(db, "sms", who.pseudonym, "x", when=old)
    conversation.save(db, "p", conversation.Pending("awaiting_sender"), old)
    counts = maintenance.purge(db, 90, now)
    assert counts["cases"] == 1 and counts["outbox"] == 1 and counts["conversation"] == 1
    assert counts["reporters"] == 1 and cases.count(db) == 1


def test_backup_is_a_readable_copy(db, tmp_path):
    cases.record(db, "sms", "SM1", "r", cases.NewCase(text="t", status="answered"))
    copy = maintenance.backup(db, tmp_path / "backup" / "copy.sqlite3")
    assert sqlite3.connect(copy).execute("SELECT count(*) FROM cases").fetchone() == (1,)
    with pytest.raises(StoreError, match="already exists"):
        maintenance.backup(db, copy)


def test_audit_is_append_only(db):
    from store import audit
    audit.record(db, "staff:1", "login")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit")


def test_staff_passwords_are_argon2_hashes_and_emails_unique(db):
    staff.add(db, "Ana@Example.org", "reviewer", "correct horse battery")
    stored = db.execute("SELECT email, password_hash, role FROM staff").fetchone()
    assert stored[0] == "ana@example.org" and stored[1].startswith("$argon2id$") and stored[2] == "reviewer"
    with pytest.raises(staff.StaffError, match="existe déjà"):
        staff.add(db, "ana@example.org", "admin", "another password")
    with pytest.raises(staff.StaffError, match="Rôle inconnu"):
        staff.add(db, "b@example.org", "root", "correct horse battery")
