"""The desk's queries read through indexes or counters, never the whole cases table (issue 14).

Each test runs the real store function on a real SQLite file, records the SQL it sent (sqlite3's trace callback,
with the values bound) and asks SQLite for each statement's plan: a lost index shows as a SCAN or a sort of
everything, and fails here rather than at a million cases."""
from __future__ import annotations

import json
from typing import Callable

import pytest
from sqlite_utils import Database

from service import desk
from store import clock, exports, stats
from store import review as queries
from store.db import get_db

Plan = list[tuple[str, list[str]]]


@pytest.fixture()
def db(tmp_path) -> Database:
    db = get_db(tmp_path / "plans.sqlite3")
    stamp = clock.iso(clock.now())
    db["campaigns"].insert({"id": 1, "created_at": stamp, "updated_at": stamp, "cases": 1, "reporters": 1,
                            "first_at": stamp, "last_at": stamp, "institution_id": "ameli"})
    db["cases"].insert({"id": 1, "channel": "sms", "provider_message_id": "p1", "received_at": stamp,
                        "text": "x", "verdict": "unknown", "status": "needs_review", "campaign_id": 1})
    return db


def plans(db: Database, run: Callable[[], object]) -> Plan:
    """(statement, plan lines) of every SELECT `run` sent to the database."""
    sent: list[str] = []
    db.conn.set_trace_callback(sent.append)
    try:
        run()
    finally:
        db.conn.set_trace_callback(None)
    selects = [s for s in sent if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert selects, "the function sent no SELECT"
    return [(s, [r[3] for r in db.execute("EXPLAIN QUERY PLAN " + s)]) for s in selects]


def whole_table_reads(found: Plan, *tables: str) -> list[str]:
    """Plan lines that may read all of one of `tables`: a SCAN without an index, or an index walk that has no
    LIMIT to stop it or must sort everything it reads (USE TEMP B-TREE)."""
    bad = []
    for sql, lines in found:
        bounded = " LIMIT " in sql.upper() and not any("USE TEMP B-TREE" in line for line in lines)
        for line in lines:
            words = line.split()
            if words[:1] == ["SCAN"] and len(words) > 1 and words[1] in tables and not ("INDEX" in line and bounded):
                bad.append(f"{line}  <-  {sql[:160]}")
    return bad


def searches_only(found: Plan, *tables: str) -> list[str]:
    """Plan lines that walk one of `tables` instead of seeking into it."""
    return [f"{line}  <-  {sql[:160]}" for sql, lines in found for line in lines
            if line.split()[:1] == ["SCAN"] and line.split()[1] in tables]


CASES = ("c", "cases")


def test_queue_walks_campaigns_by_reporters_then_each_ones_open_cases(db):
    found = plans(db, lambda: queries.queue(db, 0.6))
    assert whole_table_reads(found, *CASES) == []
    first = found[0][1]
    assert any("campaigns_rank" in line for line in first) and any("cases_open" in line for line in first)
    assert not any("TEMP B-TREE" in line for line in first)


@pytest.mark.parametrize("filters", [
    queries.Filters(channel="sms", verdict="unknown"), queries.Filters(institution="ameli"),
    queries.Filters(verdict="none"), queries.Filters(since="2026-11-01", until="2026-11-30")])
def test_filtered_queue_keeps_its_indexes(db, filters):
    found = plans(db, lambda: queries.queue(db, 0.6, filters))
    assert whole_table_reads(found, *CASES) == []
    assert all(any("cases_open" in line for line in lines) for _, lines in found)


def test_latest_answers_look_among_the_latest_arrivals_only(db):
    for filters in (queries.Filters(), queries.Filters(verdict="unknown")):  # the rarer the filter, the longer a walk
        found = plans(db, lambda: queries.recent(db, 0.6, filters))
        assert searches_only(found, "c", "k") == []
        (sql, lines), = found
        assert f"LIMIT {queries.RECENT_WINDOW})" in sql
        assert any(line.startswith("SCAN cases USING COVERING INDEX idx_cases_received_at") for line in lines)


def test_campaign_list_and_institutions_read_campaign_indexes(db):
    listed = plans(db, lambda: queries.campaign_list(db))
    assert whole_table_reads(listed, "campaigns") == []
    assert any("campaigns_list" in line for line in listed[0][1])
    named = plans(db, lambda: queries.institutions(db))
    assert searches_only(named, "campaigns") == []  # one seek per institution, not a step per campaign
    assert any("COVERING INDEX campaigns_institution (institution_id>?)" in line
               for _, lines in named for line in lines)
    assert queries.institutions(db) == [("ameli", None)]


def test_case_page_similar_reports_and_confirmed_indicators_by_campaign(db):
    from store import campaigns, indicators
    found = plans(db, lambda: (queries.case(db, 1), queries.members(db, 1, but=1), campaigns.get(db, 1),
                               campaigns.decisions_of(db, 1), indicators.of_campaign(db, 1)))
    assert searches_only(found, *CASES, "k", "campaigns", "indicators", "decisions") == []


def test_dashboard_reads_the_day_counters_not_the_cases(db):
    found = plans(db, lambda: stats.dashboard(db, 90))
    assert [sql for sql, _ in found if " cases" in sql] == []
    assert whole_table_reads(found, "case_days", "indicators", "i") == []


def test_exports_walk_the_confirmed_indicators_index_in_order(db):
    found = plans(db, lambda: list(exports.confirmed(db)))
    assert whole_table_reads(found, "i", "indicators") == []
    assert any("indicators_verdict" in line for _, lines in found for line in lines)


def test_campaign_candidates_are_looked_up_by_indicator_and_text_key(db):
    text = "Votre remboursement vous attend sur https://secu-rembourse.com/a, confirmez vite vos coordonnees"
    url = "https://secu-rembourse.com/a"
    data = {"links": [{"url": url, "domain": "secu-rembourse.com", "status": "other",
                       "span": [text.index(url), text.index(url) + len(url)]}]}
    stamp = clock.iso(clock.now())
    for n in (2, 3):
        db["cases"].insert({"id": n, "channel": "sms", "provider_message_id": f"p{n}", "received_at": stamp,
                            "reporter": f"pseudo-{n}", "text": text, "verdict": "scam",
                            "verdict_json": json.dumps(data), "status": "answered"})
    found = plans(db, lambda: desk.assign_pending(db))
    assert whole_table_reads(found, *CASES, "campaign_texts", "campaign_indicators", "campaigns") == []
    lines = {sql.split(" FROM ")[1][:40]: lines for sql, lines in found}
    pending = next(v for k, v in lines.items() if k.startswith("cases INDEXED BY cases_unassigned"))
    assert pending == ["SCAN cases USING INDEX cases_unassigned"]  # a partial index of the unplaced only, in id order
    reporter = next(v for k, v in lines.items() if k.startswith("cases WHERE reporter"))
    assert reporter == ["SEARCH cases USING INDEX idx_cases_reporter (reporter=?)"]
    assert db.execute("SELECT count(DISTINCT campaign_id) FROM cases WHERE id IN (2, 3)").fetchone()[0] == 1


def test_a_later_queue_page_starts_its_walk_at_the_cursor(db):
    found = plans(db, lambda: queries.queue(db, 0.6, after="3~2026-11-01T00:00:00Z~1~2026-11-02T00:00:00Z~1"))
    assert whole_table_reads(found, *CASES) == []
    page = next(lines for sql, lines in found if "ORDER BY k.reporters DESC" in sql)
    assert page[0].startswith("SEARCH k USING INDEX campaigns_rank (reporters<?)")  # a range from the cursor


@pytest.mark.parametrize("filters, index", [
    (queries.Filters(channel="email"), "sqlite_autoindex_cases_1 (channel=?)"),
    (queries.Filters(institution="chu-belfort"), "cases_open_institution (institution_id=?)"),
    (queries.Filters(since="2026-11-29"), "idx_cases_received_at (received_at>?)")])
def test_a_rare_filter_starts_from_its_own_index(db, filters, index):
    walks = (queries._PLACED_BY_FILTER, queries._LOOSE_BY_FILTER)
    found = plans(db, lambda: queries._queue(db, 0.6, filters, "", 1000, walks))
    assert searches_only(found, *CASES) == []  # a seek by the filter, then a sort of the few it finds
    assert all(any(index in line or "cases_open (campaign_id=?" in line for line in lines) for _, lines in found)


def test_a_purge_batch_seeks_what_derives_from_its_cases(db):
    from store import erase
    sent: list[str] = []
    db.conn.set_trace_callback(sent.append)
    with db.atomic():
        erase.erase_cases(db, [1])
    db.conn.set_trace_callback(None)
    statements = [s for s in sent if s.lstrip().upper().startswith(("SELECT", "DELETE", "UPDATE"))]
    found = [(s, [r[3] for r in db.execute("EXPLAIN QUERY PLAN " + s)]) for s in statements]
    assert searches_only(found, *CASES, "campaigns", "inbound", "outbox", "proposals", "case_texts",
                         "case_indicators", "notices") == []
