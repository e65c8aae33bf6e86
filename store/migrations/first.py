"""Migrations 0001–0010: the registry, the intake, the desk and its hardening."""
from __future__ import annotations

from sqlite_utils import Database

from store.migrations.base import MIGRATIONS


@MIGRATIONS(name="0001_registry")
def _registry(db: Database) -> None:
    db["institutions"].create(
        {
            "id": str, "name": str, "short_name": str, "kind": str, "country": str,
            "town": str, "department": str, "postcode": str, "address": str,
            "category": str, "finess": str, "finess_ej": str, "aliases": str,
            "never_asks": str, "origin": str, "active": int, "updated_at": str,
        },
        pk="id",
        defaults={"active": 1, "country": "FR", "aliases": "[]", "never_asks": "[]"},
    )
    db["institutions"].create_index(["origin"])
    db["institutions"].create_index(["finess"])
    db["contacts"].create(
        {
            "id": int, "institution_id": str, "kind": str, "value": str, "source": str,
            "checked": str, "note": str, "is_primary": int, "origin": str,
        },
        pk="id",
        foreign_keys=[("institution_id", "institutions", "id")],
        defaults={"is_primary": 0},
    )
    db["contacts"].create_index(["institution_id", "kind", "value"], unique=True)
    db["contacts"].create_index(["kind", "value"])
    db["leaks"].create(
        {
            "id": str, "establishment": str, "institution_ids": str, "date": str, "data": str,
            "records": int, "status": str, "statement": str, "sources": str, "checked": str,
        },
        pk="id",
    )
    db["reporting"].create(
        {"id": str, "name": str, "value": str, "channels": str, "country": str,
         "source": str, "checked": str},
        pk="id",
    )
    db["indicators"].create(
        {"id": int, "kind": str, "value": str, "verdict": str, "decided_at": str,
         "campaign_id": str, "note": str},
        pk="id",
    )
    db["indicators"].create_index(["kind", "value"], unique=True)
    db["meta"].create({"key": str, "value": str}, pk="key")


@MIGRATIONS(name="0002_registry_imports")
def _registry_imports(db: Database) -> None:
    # import_hash lets a re-import tell "unchanged" from "changed" without reloading every row.
    db["institutions"].add_column("import_hash", str)
    db["imports"].create(
        {
            "id": int, "file": str, "kind": str, "status": str, "started_at": str,
            "finished_at": str, "rows": int, "added": int, "changed": int, "unchanged": int,
            "closed": int, "errors": int, "warnings": int, "message": str,
        },
        pk="id",
    )


@MIGRATIONS(name="0003_intake")
def _intake(db: Database) -> None:
    # Reporters are known only by a keyed pseudonym; the address is kept encrypted for follow-ups.
    db["reporters"].create(
        {"pseudonym": str, "channel": str, "address_enc": str, "lang": str, "stopped": int,
         "created_at": str, "last_seen_at": str},
        pk="pseudonym", defaults={"stopped": 0},
    )
    db.execute("""
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY, channel TEXT NOT NULL, provider_message_id TEXT NOT NULL,
            reporter TEXT, received_at TEXT NOT NULL, text TEXT NOT NULL DEFAULT '', subject TEXT,
            sender TEXT, verdict TEXT, score REAL, verdict_json TEXT, reply TEXT,
            status TEXT NOT NULL DEFAULT 'answered', lang TEXT, feedback TEXT, updated_at TEXT,
            UNIQUE (channel, provider_message_id)
        )""")
    db["cases"].create_index(["status", "received_at"])
    db["cases"].create_index(["reporter"])
    db["cases"].create_index(["received_at"])
    # Every inbound delivery (reports, commands, answers), so a redelivery gets the same reply.
    db.execute("""
        CREATE TABLE inbound (
            channel TEXT NOT NULL, provider_message_id TEXT NOT NULL, case_id INTEGER,
            reply TEXT NOT NULL, received_at TEXT NOT NULL,
            PRIMARY KEY (channel, provider_message_id)
        )""")
    db["inbound"].create_index(["received_at"])
    db["outbox"].create(
        {"id": int, "channel": str, "reporter": str, "case_id": int, "body": str, "meta": str,
         "created_at": str, "attempts": int, "next_attempt_at": str, "sent_at": str,
         "last_error": str, "status": str},
        pk="id", defaults={"attempts": 0, "status": "pending", "meta": "{}"},
    )
    db["outbox"].create_index(["status", "next_attempt_at"])
    db["conversation"].create(
        {"reporter": str, "state": str, "data": str, "expires_at": str}, pk="reporter",
    )
    db["seen_tokens"].create({"token": str, "timestamp": int, "seen_at": str}, pk="token")
    db["audit"].create({"id": int, "at": str, "actor": str, "action": str, "detail": str}, pk="id")
    db.execute("""
        CREATE TABLE staff (
            id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('reviewer', 'admin')), created_at TEXT NOT NULL,
            failed_logins INTEGER NOT NULL DEFAULT 0, locked_until TEXT
        )""")
    # Append-only: the audit log cannot be edited or deleted through SQL.
    db.execute("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
               "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END")
    db.execute("CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
               "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END")


@MIGRATIONS(name="0004_establishment_name_keys")
def _establishment_name_keys(db: Database) -> None:
    # Folded name forms of FINESS / Annuaire establishments ("ch de belfort", "dr martin"),
    # so that recognition asks SQLite instead of holding 500,000 names in memory.
    db.execute("CREATE TABLE name_keys (key TEXT NOT NULL, institution_id TEXT NOT NULL, "
               "PRIMARY KEY (key, institution_id)) WITHOUT ROWID")


@MIGRATIONS(name="0005_review")
def _review(db: Database) -> None:
    # The desk: campaigns group cases, decisions settle them, notices remember who was told.
    for column in ("campaign_id INTEGER", "institution_id TEXT", "institution_name TEXT"):
        db.execute(f"ALTER TABLE cases ADD COLUMN {column}")
    db.execute("CREATE INDEX cases_campaign ON cases (campaign_id, received_at)")
    db.execute("CREATE INDEX cases_unassigned ON cases (id) WHERE campaign_id IS NULL")
    db.execute("""
        CREATE TABLE campaigns (
            id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            shape TEXT NOT NULL DEFAULT '', signature TEXT NOT NULL DEFAULT '',
            institution_id TEXT, institution_name TEXT, cases INTEGER NOT NULL DEFAULT 0,
            reporters INTEGER NOT NULL DEFAULT 0, first_at TEXT, last_at TEXT,
            verdict TEXT, decided_at TEXT, decided_by TEXT, note TEXT, merged_into INTEGER
        )""")
    db.execute("CREATE INDEX campaigns_decided ON campaigns (decided_at)")
    # Distinct normalised texts of each campaign: exact key, and (shape, length) for fuzzy search.
    db.execute("""
        CREATE TABLE campaign_texts (
            key TEXT PRIMARY KEY, campaign_id INTEGER NOT NULL, shape TEXT NOT NULL,
            length INTEGER NOT NULL, text TEXT NOT NULL
        ) WITHOUT ROWID""")
    db.execute("CREATE INDEX campaign_texts_shape ON campaign_texts (shape, length)")
    db.execute("CREATE INDEX campaign_texts_campaign ON campaign_texts (campaign_id)")
    db.execute("""
        CREATE TABLE campaign_indicators (
            kind TEXT NOT NULL, value TEXT NOT NULL, campaign_id INTEGER NOT NULL,
            PRIMARY KEY (kind, value)
        ) WITHOUT ROWID""")
    db.execute("CREATE INDEX campaign_indicators_campaign ON campaign_indicators (campaign_id)")
    db.execute("""
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL, case_id INTEGER, verdict TEXT NOT NULL,
            previous TEXT, note TEXT NOT NULL DEFAULT '', actor TEXT NOT NULL, decided_at TEXT NOT NULL,
            notified INTEGER NOT NULL DEFAULT 0, indicators INTEGER NOT NULL DEFAULT 0
        )""")
    db.execute("CREATE INDEX decisions_campaign ON decisions (campaign_id)")
    db.execute("""
        CREATE TABLE notices (
            campaign_id INTEGER NOT NULL, reporter TEXT NOT NULL, verdict TEXT NOT NULL,
            decision_id INTEGER NOT NULL, outbox_id INTEGER, PRIMARY KEY (campaign_id, reporter)
        ) WITHOUT ROWID""")
    db.execute("""
        CREATE TABLE proposals (
            id INTEGER PRIMARY KEY, case_id INTEGER, campaign_id INTEGER, institution_id TEXT,
            institution_name TEXT, kind TEXT NOT NULL, value TEXT NOT NULL, source TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '', proposed_by TEXT NOT NULL, proposed_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending', reviewed_by TEXT, reviewed_at TEXT
        )""")
    db.execute("CREATE INDEX proposals_status ON proposals (status, proposed_at)")


# Hardening (issue 9): sessions and shared rate limits, the outbox lease, import bookkeeping,
# indicator provenance, replies stored as sent. Never edit one after it has been released.
@MIGRATIONS(name="0006_sessions_and_limits")
def _sessions_and_limits(db: Database) -> None:
    # Web security. A signed-in session carries its account's version; logout and a password change
    # bump it, which ends every session of that account at its next request.
    db.execute("ALTER TABLE staff ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0")
    # Rate limits shared by every worker process: one token bucket per (limit, key); `ok` says whether
    # the last hit was let through, `at` (epoch seconds) when the bucket was last counted.
    db.execute("CREATE TABLE rate_limits (key TEXT PRIMARY KEY, tokens REAL NOT NULL, at REAL NOT NULL,"
               " ok INTEGER NOT NULL) WITHOUT ROWID")
    db.execute("CREATE INDEX rate_limits_at ON rate_limits (at)")


@MIGRATIONS(name="0007_outbox_lease")
def _outbox_lease(db: Database) -> None:
    # outbox: a worker claims a row (claimed_by, lease_until) before sending, so two never send it.
    db.execute("ALTER TABLE outbox ADD COLUMN claimed_by TEXT")
    db.execute("ALTER TABLE outbox ADD COLUMN lease_until TEXT")
    # Telegram polling: updates already answered, so a restart does not answer them again.
    db["telegram_updates"].create({"update_id": int, "answered_at": str}, pk="update_id")
    db["telegram_updates"].create_index(["answered_at"])


@MIGRATIONS(name="0008_import_failures")
def _import_failures(db: Database) -> None:
    # registry imports apply their changes in short batches, each rebuilding the name keys of the
    # establishments it touched: find those keys by establishment, not by a scan of every key.
    db.execute("CREATE INDEX IF NOT EXISTS name_keys_institution ON name_keys (institution_id)")


@MIGRATIONS(name="0009_indicator_provenance")
def _indicator_provenance(db: Database) -> None:
    # decisions: which cases each indicator and each normalised text came from, so that OUBLI and the
    # purge remove what derives only from the cases they delete.
    db.execute("""
        CREATE TABLE case_indicators (
            case_id INTEGER NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,
            PRIMARY KEY (kind, value, case_id)
        ) WITHOUT ROWID""")
    db.execute("CREATE INDEX case_indicators_case ON case_indicators (case_id)")
    db.execute("""
        CREATE TABLE case_texts (
            case_id INTEGER NOT NULL, key TEXT NOT NULL, PRIMARY KEY (key, case_id)
        ) WITHOUT ROWID""")
    db.execute("CREATE INDEX case_texts_case ON case_texts (case_id)")
    # Before this migration only the campaign was known: every case of it counts as a source (an
    # indicator then goes when the last case of its campaign goes).
    db.execute("INSERT OR IGNORE INTO case_indicators (case_id, kind, value) SELECT c.id, i.kind, i.value"
               " FROM campaign_indicators i JOIN cases c ON c.campaign_id = i.campaign_id")
    db.execute("INSERT OR IGNORE INTO case_texts (case_id, key) SELECT c.id, t.key"
               " FROM campaign_texts t JOIN cases c ON c.campaign_id = t.campaign_id")


@MIGRATIONS(name="0010_intake_hardening")
def _intake_hardening(db: Database) -> None:
    # intake: the messages of each answer as sent (JSON list), so a redelivery replays them as sent
    db.execute("ALTER TABLE inbound ADD COLUMN messages TEXT")
