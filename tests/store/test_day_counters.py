"""The dashboard's per-day counters (case_days) stay equal to a count of the cases as cases arrive, change and leave."""
from __future__ import annotations

from store import cases, erase, review
from store.cases import NewCase
from store.db import get_db

RECOUNT = ("SELECT substr(received_at, 1, 10), channel, coalesce(CASE WHEN status = 'error' THEN 'error' END,"
           " verdict, 'unknown'), coalesce(institution_name, ''), count(*) FROM cases GROUP BY 1, 2, 3, 4")


def counters(db) -> set[tuple]:
    return {tuple(r) for r in db.execute("SELECT day, channel, verdict, institution, n FROM case_days WHERE n != 0")}


def recounted(db) -> set[tuple]:
    return {tuple(r) for r in db.execute(RECOUNT)}


def test_counters_follow_arrivals_refinements_placements_and_erasure(tmp_path):
    db = get_db(tmp_path / "v.sqlite3")
    ids = [cases.record(db, "sms", f"m{i}", "ok", NewCase(text="t", status="answered", verdict=v)).case_id
           for i, v in enumerate(("scam", "unknown", None, "scam"))]
    cases.record(db, "whatsapp", "w1", "ok", NewCase(text="t", status="error"))
    assert counters(db) == recounted(db)
    cases.refine(db, ids[1], sender="x", verdict="scam", score=0.9, verdict_json="{}", reply="r", status="answered")
    db.execute("UPDATE cases SET institution_name = 'Assurance Maladie (ameli)' WHERE id IN (?, ?)", ids[:2])
    assert counters(db) == recounted(db)
    with db.atomic():
        erase.erase_cases(db, ids[:3])
    assert counters(db) == recounted(db)
    assert sum(n for *_, n in counters(db)) == 2


def test_queue_count_stops_at_its_limit(tmp_path):
    db = get_db(tmp_path / "v.sqlite3")
    for i in range(7):
        cases.record(db, "sms", f"m{i}", "ok", NewCase(text="t", status="needs_review", verdict="unknown"))
    rows, total = review.queue(db, 0.6, count_limit=5)
    assert len(rows) == 7 and total == 6  # shown as "5+"
    assert review.queue(db, 0.6, count_limit=10)[1] == 7
