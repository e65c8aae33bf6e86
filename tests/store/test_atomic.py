"""Several writes that belong together are all or nothing: a failure in the middle leaves nothing half-written.

Each test installs a real SQLite trigger that aborts a write to one of the tables the action writes after
its first one, then checks that the whole database is exactly as it was (sqlite-utils 4 commits each write
made in a `with db.conn:` block on its own, so such a block would have kept the first writes)."""
from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from service import desk
from store import campaigns, clock, maintenance, registry_admin, reporters
from store.registry_admin import ContactInput
from tests.review.fixtures import ADMIN, REVIEWER
from vigie import telegram_poll

LURE = ("Bonjour Monsieur Durand, votre dossier patient est disponible sur https://dossier-patient-suivi.com/a1 "
        "merci de le consulter avant le 03/01.")
SOURCE = "https://www.ameli.fr/assure/adresses-et-contacts"


def fail_on(db, table: str, event: str = "INSERT") -> None:
    """A write of `event` to `table` aborts with an error, as a full disk or a constraint would."""
    db.execute(f"CREATE TRIGGER fail_{table}_{event.lower()} BEFORE {event} ON {table}"
               " BEGIN SELECT RAISE(ABORT, 'injected failure'); END")


def dump(db) -> list[str]:
    """Every row of every table, as SQL."""
    return list(db.conn.iterdump())


@pytest.fixture
def decided_reporters(app, db, file_report):
    """Two patients reported the same lure; their cases are placed in one campaign, not yet decided."""
    first = file_report(LURE)
    file_report(LURE.replace("a1", "b2").replace("Durand", "Petit"))
    desk.assign_pending(db)
    return first, db.execute("SELECT campaign_id FROM cases WHERE id = ?", [first]).fetchone()[0]


@pytest.mark.parametrize("table,event", [("outbox", "DELETE"), ("reporters", "DELETE")])
def test_an_oubli_that_fails_midway_deletes_nothing(db, decided_reporters, table, event):
    case_id, campaign_id = decided_reporters
    desk.decide(db, campaign_id, "scam", "faux portail patient", REVIEWER)
    pseudonym = db.execute("SELECT reporter FROM cases WHERE id = ?", [case_id]).fetchone()[0]
    fail_on(db, table, event)
    before = dump(db)
    with pytest.raises(sqlite3.IntegrityError, match="injected failure"):
        reporters.forget(db, pseudonym)
    assert dump(db) == before
    assert reporters.get(db, pseudonym) is not None


@pytest.mark.parametrize("table,event", [("campaigns", "UPDATE"), ("outbox", "INSERT"), ("notices", "INSERT"),
                                         ("audit", "INSERT")])
def test_a_campaign_decision_that_fails_midway_records_and_notifies_nothing(db, decided_reporters, table, event):
    _, campaign_id = decided_reporters
    fail_on(db, table, event)
    before = dump(db)
    with pytest.raises(sqlite3.IntegrityError, match="injected failure"):
        desk.decide(db, campaign_id, "scam", "faux portail patient", REVIEWER)
    assert dump(db) == before
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM outbox WHERE meta LIKE '%followup%'").fetchone()[0] == 0


def test_a_decision_retried_after_a_failure_tells_every_reporter_once(db, decided_reporters):
    _, campaign_id = decided_reporters
    fail_on(db, "notices", "INSERT")
    with pytest.raises(sqlite3.IntegrityError):
        desk.decide(db, campaign_id, "scam", "faux portail patient", REVIEWER)
    db.execute("DROP TRIGGER fail_notices_insert")
    assert desk.decide(db, campaign_id, "scam", "faux portail patient", REVIEWER).notified == 2
    assert db.execute("SELECT count(*) FROM outbox WHERE meta LIKE '%followup%'").fetchone()[0] == 2


@pytest.mark.parametrize("table", ["audit", "meta"])
def test_a_registry_admin_edit_that_fails_midway_changes_nothing(db, table):
    fail_on(db, table, "INSERT")
    before = dump(db)
    entry = ContactInput("phone", "09 72 72 36 46", SOURCE, "2026-11-02", "standard")
    with pytest.raises(sqlite3.IntegrityError, match="injected failure"):
        registry_admin.add_contact(db, "ameli", entry, ADMIN)
    with pytest.raises(sqlite3.IntegrityError, match="injected failure"):
        registry_admin.add_institution(db, "Clinique des Tilleuls", registry_admin.INSTITUTION_KINDS[0], "Lyon",
                                       SOURCE, "2026-11-02", ADMIN)
    assert dump(db) == before


def test_accepting_a_proposal_that_fails_midway_adds_no_contact_and_leaves_it_pending(db, file_report):
    case_id = file_report("Assurance Maladie : votre attestation est disponible sur votre compte ameli.")
    proposal = desk.propose_contact(db, case_id, "phone", "09 72 72 36 46", SOURCE, "numéro du SMS", REVIEWER)
    fail_on(db, "proposals", "UPDATE")
    before = dump(db)
    with pytest.raises(sqlite3.IntegrityError, match="injected failure"):
        registry_admin.accept_proposal(db, proposal, ADMIN, inst_id="ameli")
    assert dump(db) == before


@pytest.mark.parametrize("table", ["campaign_texts", "case_indicators"])
def test_placing_a_case_in_a_campaign_that_fails_midway_leaves_it_unplaced(db, file_report, table):
    file_report(LURE)
    fail_on(db, table, "INSERT")
    before = dump(db)
    with pytest.raises(sqlite3.IntegrityError, match="injected failure"):
        desk.assign_pending(db)
    assert dump(db) == before
    assert len(campaigns.unassigned(db, 10)) == 1


def test_a_telegram_update_is_remembered_with_its_offset_or_not_at_all(db):
    fail_on(db, "meta", "INSERT")
    before = dump(db)
    with pytest.raises(sqlite3.IntegrityError, match="injected failure"):
        telegram_poll._remember(db, 41, 42)
    assert dump(db) == before


def test_a_retention_purge_batch_that_fails_midway_deletes_nothing(db, decided_reporters):
    # The purge commits batch by batch (the write lock is never held long); each batch is whole or untouched.
    _, campaign_id = decided_reporters
    desk.decide(db, campaign_id, "scam", "faux portail patient", REVIEWER)
    fail_on(db, "case_texts", "DELETE")  # after the batch's outbox, inbound and indicators rows went
    before = dump(db)
    with pytest.raises(sqlite3.IntegrityError, match="injected failure"):
        maintenance.purge(db, retention_days=0, when=clock.now() + timedelta(days=1))
    assert dump(db) == before


def test_a_purge_failing_after_its_case_batches_keeps_them_whole(db, decided_reporters):
    _, campaign_id = decided_reporters
    desk.decide(db, campaign_id, "scam", "faux portail patient", REVIEWER)
    fail_on(db, "conversation", "DELETE")
    db.execute("INSERT INTO conversation (reporter, state, data, expires_at) VALUES ('x', 'ask', '{}', '2000-01-01')")
    # (the reports may have left conversations of their own: a "who sent it?" question waiting)
    waiting = db.execute("SELECT count(*) FROM conversation").fetchone()[0]
    with pytest.raises(sqlite3.IntegrityError, match="injected failure"):
        maintenance.purge(db, retention_days=0, when=clock.now() + timedelta(days=1))
    assert db.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    assert [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("case_texts", "case_indicators")] == [0, 0]
    assert db.execute("SELECT count(*) FROM conversation").fetchone()[0] == waiting
