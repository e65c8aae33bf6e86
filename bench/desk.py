"""Desk bench: 10,000 cases in 1,000 campaigns; queue and case pages server time (p95), one decision telling 500.

Run: .venv/bin/python bench/desk.py   (targets: pages p95 <= 200 ms, decision <= 2 s)
"""
from __future__ import annotations

import json
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot import campaigns as fingerprints  # noqa: E402
from service import desk  # noqa: E402
from store import clock, staff  # noqa: E402
from store.crypto import DataKeys  # noqa: E402
from service.engine import prepare_db  # noqa: E402
from config.settings import Settings  # noqa: E402
from vigie.app import create_app  # noqa: E402

CASES, CAMPAIGNS, BIG = 10_000, 1_000, 500
NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"]
WORDS = ("urgent dossier patient compte espace sante service client mutuelle clinique hopital centre laboratoire "
         "pharmacie rendez-vous annulation facture impaye regularisation carte vitale droits mise a jour securite "
         "verification identite document resultat analyse ordonnance teleconsultation medecin assurance "
         "remboursement prelevement echeance relance dernier avis suspension blocage acces messagerie").split()
LURES = ["votre remboursement de {amount} EUR est en attente, confirmez vos coordonnees sur {url}",
         "votre carte vitale expire, renouvelez-la avant le {day}/12 sur {url} ou appelez le {phone}",
         "un compte rendu d'examen vous attend sur {url}, code {code}",
         "regularisez un paiement de sante de {amount} EUR sur {url} avant 48h"]


class NoTriage:
    """The desk pages do not analyse messages: no spaCy in this bench."""

    def check(self, report):  # pragma: no cover - never called
        raise RuntimeError("not used")

    def error_reply(self, lang: str) -> str:
        return ""


def _message(campaign: int, rng: random.Random) -> tuple[str, dict]:
    lure = LURES[campaign % len(LURES)]
    domain = f"secu-{campaign}-dossier.com"
    url = f"https://{domain}/{rng.randint(1, 9999)}"
    phone = f"06 {campaign // 100 + 10} {campaign % 100:02d} 56 78"
    words = random.Random(campaign)
    head = f"Bonjour Madame {rng.choice(NAMES)}, " + " ".join(words.choice(WORDS) for _ in range(10)) + " : "
    text = head + lure.format(amount=f"{rng.randint(2, 300)},{rng.randint(10, 99)}", url=url, day=rng.randint(1, 28),
                              phone=phone, code=rng.randint(1000, 9999))
    start = text.index(url)
    data = {"verdict": rng.choice(["unknown", "suspicious", "scam", "scam"]), "score": round(rng.random(), 3),
            "lang": "fr", "institution": {"name": "Assurance Maladie (ameli)", "id": "ameli", "official": {}},
            "reasons": [{"code": "payment_request", "message": "il demande un paiement", "span": [start - 20, start - 5]}],
            "links": [{"url": url, "domain": domain, "status": "other", "span": [start, start + len(url)]}],
            "phones": [], "sender": None, "reply": "..."}
    if phone in text:
        p = text.index(phone)
        data["phones"] = [{"number": "+336" + phone[1:].replace(" ", ""), "status": "mobile", "span": [p, p + len(phone)]}]
    return text, data


def seed(db, keys: DataKeys) -> int:
    """10,000 cases from as many reporters in 1,000 campaigns; campaign 1 has BIG reporters. Returns its id."""
    rng, now = random.Random(5), clock.now()
    sizes = [BIG] + [(CASES - BIG) // (CAMPAIGNS - 1)] * (CAMPAIGNS - 1)
    sizes[-1] += CASES - sum(sizes)
    reporters, cases, n = [], [], 0
    for campaign, size in enumerate(sizes, start=1):
        for _ in range(size):
            n += 1
            text, data = _message(campaign, rng)
            when = clock.iso(now - timedelta(minutes=rng.randint(1, 60 * 24 * 10)))
            pseudonym = f"p{n:06d}"
            status = "needs_review" if data["verdict"] == "unknown" else "answered"
            reporters.append((pseudonym, "sms", keys.encrypt(f"+3361{n:07d}"), "fr", 0, when, when))
            cases.append((n, "sms", f"SM{n}", pseudonym, when, text, data["verdict"], data["score"],
                          json.dumps(data), status, "fr", when))
    with db.conn:
        db.conn.executemany("INSERT INTO reporters (pseudonym, channel, address_enc, lang, stopped, created_at,"
                            " last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)", reporters)
        db.conn.executemany("INSERT INTO cases (id, channel, provider_message_id, reporter, received_at, text, verdict,"
                            " score, verdict_json, status, lang, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", cases)
    t = time.perf_counter()
    while desk.assign_pending(db, limit=2000):
        pass
    print(f"assign_pending placed {CASES} cases in {time.perf_counter() - t:.1f} s"
          f" ({db.execute('SELECT count(*) FROM campaigns WHERE cases > 0').fetchone()[0]} campaigns)")
    return db.execute("SELECT campaign_id FROM cases WHERE id = 1").fetchone()[0]


def p95(samples: list[float]) -> float:
    """The 95th percentile in milliseconds."""
    return statistics.quantiles(samples, n=20)[-1] * 1000


def timed(fn, runs: int) -> list[float]:
    """Run `fn` `runs` times; the durations in seconds."""
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> int:
    tmp = Path(tempfile.mkdtemp())
    settings = Settings(db_path=tmp / "vigie.sqlite3", secret_key="bench", data_key="bench")
    db = prepare_db(settings.db_path)
    big = seed(db, DataKeys.from_secret("bench"))
    staff.add(db, "bench@vigie.local", "reviewer", "bench-password")
    app = create_app(settings, senders={}, triage=NoTriage())
    client = app.test_client()
    page = client.get("/review/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/review/login", data={"email": "bench@vigie.local", "password": "bench-password", "csrf_token": token})
    rng = random.Random(7)
    queue = timed(lambda: client.get("/review/"), 60)
    filtered = timed(lambda: client.get("/review/?channel=sms&verdict=unknown"), 30)
    case = timed(lambda: client.get(f"/review/case/{rng.randint(1, CASES)}"), 100)
    big_case = timed(lambda: client.get("/review/case/1"), 20)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/review/case/1").get_data(as_text=True)).group(1)
    t = time.perf_counter()
    resp = client.post("/review/case/1/decide", data={"verdict": "scam", "note": "bench", "csrf_token": token})
    decision = time.perf_counter() - t
    told = db.execute("SELECT count(*) FROM outbox WHERE meta LIKE '%followup%'").fetchone()[0]
    print(f"queue page          p95 {p95(queue):6.1f} ms (median {statistics.median(queue) * 1000:.1f} ms)")
    print(f"queue page filtered p95 {p95(filtered):6.1f} ms")
    print(f"case page           p95 {p95(case):6.1f} ms (median {statistics.median(case) * 1000:.1f} ms)")
    print(f"case page, campaign of {BIG}: p95 {p95(big_case):6.1f} ms")
    print(f"decision on campaign {big}: {decision:.2f} s, status {resp.status_code}, {told} follow-ups queued")
    ok = max(p95(queue), p95(case), p95(filtered), p95(big_case)) <= 200 and decision <= 2 and told == BIG
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
