"""The queue pages through keyset cursors: every waiting case once, in queue order, each page an index walk."""
from __future__ import annotations

import random

from store import review
from store.db import get_db


def seeded(tmp_path):
    db = get_db(tmp_path / "v.sqlite3")
    rng = random.Random(3)

    def stamp(minute: int) -> str:
        return f"2026-11-{20 + minute // 1440:02d}T{minute // 60 % 24:02d}:{minute % 60:02d}:00Z"

    db["campaigns"].insert_all([{"id": k, "created_at": stamp(0), "updated_at": stamp(0), "cases": 8,
                                 "reporters": rng.choice((1, 2, 2, 5)), "first_at": stamp(rng.randint(0, 3000)),
                                 "last_at": stamp(4000), "verdict": "scam" if k == 7 else None,
                                 "decided_at": stamp(3999) if k == 7 else None} for k in range(1, 21)])
    db["cases"].insert_all([{"id": n, "channel": "sms", "provider_message_id": f"m{n}",
                             "received_at": stamp(n * 7 % 3000),
                             "text": "t", "verdict": rng.choice(("unknown", "scam", "suspicious")), "score": 0.3,
                             "status": "answered", "campaign_id": None if n > 160 else n % 20 + 1}
                            for n in range(1, 191)])
    return db


def test_pages_hold_every_waiting_case_once_in_queue_order(tmp_path):
    db = seeded(tmp_path)
    whole = [r["id"] for r in db.query(
        f"SELECT c.id FROM cases c LEFT JOIN campaigns k ON k.id = c.campaign_id WHERE {review._NEEDS}"
        " ORDER BY c.campaign_id IS NULL, k.reporters DESC, k.first_at, k.id, c.received_at, c.id", {"below": 0.6})]
    paged, after = [], ""
    for _ in range(10):
        rows, total = review.queue(db, 0.6, after=after)
        paged += [r["id"] for r in rows]
        after = review.next_page(rows)
        if not after:
            break
    assert total == len(whole) and len(whole) > 2 * review.QUEUE_LIMIT
    assert paged == whole
    assert not any(r["campaign_id"] == 7 for r in db.query("SELECT campaign_id FROM cases WHERE id IN"
                                                          f" ({','.join(map(str, paged))})"))


def test_a_filtered_page_keeps_its_filter(tmp_path):
    db = seeded(tmp_path)
    rows, _ = review.queue(db, 0.6, review.Filters(verdict="unknown"))
    more, _ = review.queue(db, 0.6, review.Filters(verdict="unknown"), after=review.next_page(rows) or "x")
    assert {r["verdict"] for r in rows + more} == {"unknown"}


def test_a_forged_cursor_is_the_first_page(tmp_path):
    db = seeded(tmp_path)
    first, _ = review.queue(db, 0.6)
    assert review.queue(db, 0.6, after="1~x'; DROP TABLE cases;--~a~b~c")[0] == first


def test_a_filter_too_rare_for_the_walk_asks_its_own_index_and_gives_the_same_page(tmp_path):
    db = seeded(tmp_path)
    db.execute("UPDATE cases SET channel = 'email' WHERE id % 9 = 0")
    rare = review.Filters(channel="email")
    walked = review.queue(db, 0.6, rare)
    assert review.queue(db, 0.6, rare, walk_seconds=0) == walked  # interrupted at once: the channel index instead
    assert {r["channel"] for r in walked[0]} == {"email"} and walked[1] > 0
