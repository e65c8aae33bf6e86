"""Migrations 0011 onwards: the desk at scale, pictures, the staff's language. Add new ones at the end."""
from __future__ import annotations

from sqlite_utils import Database

from store.migrations.base import MIGRATIONS


@MIGRATIONS(name="0011_desk_at_scale")
def _desk_at_scale(db: Database) -> None:
    # The desk at a million cases (issue 14): every page reads through an index or a counter, never the whole
    # cases table. tests/store/test_query_plans.py checks the plans, so a lost index fails the suite.
    # The queue: cases that may need a person (store/review.OPEN, copied here as released), by campaign then age;
    # campaigns walked by reporters (most reported first); the campaign list by reporters then latest report.
    db.execute("CREATE INDEX cases_open ON cases (campaign_id, received_at) WHERE status IN ('needs_review', 'error')"
               " OR feedback = 'wrong' OR verdict IS NULL OR verdict IN ('unknown', 'suspicious')")
    # A queue filtered on a rare institution starts from that institution's open cases.
    db.execute("CREATE INDEX cases_open_institution ON cases (institution_id, received_at) WHERE status IN"
               " ('needs_review', 'error') OR feedback = 'wrong' OR verdict IS NULL"
               " OR verdict IN ('unknown', 'suspicious')")
    db.execute("CREATE INDEX campaigns_rank ON campaigns (reporters DESC, first_at, id) WHERE merged_into IS NULL")
    db.execute("CREATE INDEX campaigns_list ON campaigns (reporters DESC, last_at DESC) WHERE merged_into IS NULL"
               " AND cases > 0")
    db.execute("CREATE INDEX campaigns_institution ON campaigns (institution_id, institution_name)")
    # Confirmed indicators: a case page asks for its campaign's, the exports and the dashboard for the scams.
    db.execute("CREATE INDEX indicators_campaign ON indicators (campaign_id)")
    db.execute("CREATE INDEX indicators_verdict ON indicators (verdict, kind, value)")
    # Campaigns folded into another (few): each purge batch clears their signature without walking every campaign.
    db.execute("CREATE INDEX campaigns_merged ON campaigns (merged_into) WHERE merged_into IS NOT NULL")
    # A campaign's reporters counted from an index (a purge batch recounts hundreds of campaigns; reading their
    # case rows cost 5 ms a campaign at 1,000,000 cases).
    db.execute("CREATE INDEX cases_campaign_reporter ON cases (campaign_id, reporter)")
    # The purge and OUBLI delete a batch of cases' deliveries, messages and proposals by case id.
    for table in ("inbound", "outbox", "proposals"):
        db.execute(f"CREATE INDEX {table}_case ON {table} (case_id)")
    # The dashboard's weekly share of machine verdicts overturned.
    db.execute("CREATE INDEX decisions_decided ON decisions (decided_at)")
    # Reports per day, channel, verdict as the dashboard counts it, and claimed institution: kept by triggers as
    # cases arrive, change (a refined verdict, a placement) and leave (OUBLI, purge), so the dashboard sums a few
    # hundred rows a day instead of counting cases.
    db.execute("""
        CREATE TABLE case_days (
            day TEXT NOT NULL, channel TEXT NOT NULL, verdict TEXT NOT NULL, institution TEXT NOT NULL,
            n INTEGER NOT NULL, PRIMARY KEY (day, verdict, channel, institution)
        ) WITHOUT ROWID""")
    key = ("substr({r}.received_at, 1, 10), {r}.channel, coalesce(CASE WHEN {r}.status = 'error' THEN 'error' END,"
           " {r}.verdict, 'unknown'), coalesce({r}.institution_name, '')")
    add = ("INSERT INTO case_days (day, channel, verdict, institution, n) VALUES ({key}, {d})"
           " ON CONFLICT (day, verdict, channel, institution) DO UPDATE SET n = n + {d};")
    new, old = key.format(r="NEW"), key.format(r="OLD")
    db.execute(f"CREATE TRIGGER case_days_insert AFTER INSERT ON cases BEGIN {add.format(key=new, d=1)} END")
    db.execute(f"CREATE TRIGGER case_days_delete AFTER DELETE ON cases BEGIN {add.format(key=old, d=-1)} END")
    db.execute("CREATE TRIGGER case_days_update AFTER UPDATE OF received_at, channel, status, verdict, institution_name"
               f" ON cases WHEN ({old}) IS NOT ({new})"
               f" BEGIN {add.format(key=old, d=-1)} {add.format(key=new, d=1)} END")
    db.execute(f"INSERT INTO case_days (day, channel, verdict, institution, n) SELECT {key.format(r='cases')}, count(*)"
               " FROM cases GROUP BY 1, 2, 3, 4")


@MIGRATIONS(name="0012_case_pictures")
def _case_pictures(db: Database) -> None:
    # Pictures (issue 12): each picture a patient forwarded, kept with its case for staff (store/case_pictures.py).
    # `sealed` is AES-GCM under a key derived from VIGIE_DATA_KEY, bound to the case and the picture's number;
    # `dhash` (256-bit difference hash, hex) is no readable content and lets near-identical screenshots meet.
    db.execute("""
        CREATE TABLE case_pictures (
            id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL, n INTEGER NOT NULL, kind TEXT NOT NULL,
            size INTEGER NOT NULL, dhash TEXT, sealed BLOB NOT NULL, stored_at TEXT NOT NULL
        )""")
    db.execute("CREATE UNIQUE INDEX case_pictures_case ON case_pictures (case_id, n)")
    # Bands of each dhash (band number and its bits in one integer): two hashes a few bits apart share a band,
    # so a new picture finds its near-twins through this index, never by reading every hash.
    db.execute("CREATE TABLE picture_bands (band INTEGER NOT NULL, case_id INTEGER NOT NULL,"
               " PRIMARY KEY (band, case_id)) WITHOUT ROWID")
    db.execute("CREATE INDEX picture_bands_case ON picture_bands (case_id)")
    # Whatever deletes a case (OUBLI, the retention purge, any later path) deletes its pictures in the same
    # transaction; with secure_delete on, their pages are zeroed.
    db.execute("CREATE TRIGGER case_pictures_erase AFTER DELETE ON cases BEGIN"
               " DELETE FROM case_pictures WHERE case_id = OLD.id;"
               " DELETE FROM picture_bands WHERE case_id = OLD.id; END")


@MIGRATIONS(name="0013_staff_lang")
def _staff_lang(db: Database) -> None:
    # The desk in the staff member's language (issue 13): 'fr' or 'en', words from review/texts/<lang>.toml.
    db.execute("ALTER TABLE staff ADD COLUMN lang TEXT NOT NULL DEFAULT 'fr'")


@MIGRATIONS(name="0014_audit_actor")
def _audit_actor(db: Database) -> None:
    # OUBLI codes sent to one reporter are counted in the audit log (service/intake.py): by actor and action,
    # over the last day, without reading the whole log.
    db.execute("CREATE INDEX audit_actor ON audit (actor, action, at)")
