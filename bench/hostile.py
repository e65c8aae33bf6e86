"""Hostile-input benchmark (run by hand): bounded work per message, and a service that stays up.

    .venv/bin/python bench/hostile.py [--repeat 3] [--no-web]

1. The engine on one core (one process, one thread): 20 hostile messages (runs of punctuation,
   currency signs and emoji, a 50k-character e-mail body, one huge token, nested brackets, many
   links, digits, zero-width characters, combining marks, bidi overrides...); prints each one's
   worst time and the outcome (verdict, or the named error when the time budget stopped it).
   Target: <= 200 ms each.
2. The web app under gunicorn -w 2 on 127.0.0.1 (secrets in the environment): 4 threads post
   hostile messages to the try-it page at the same time (a bounded number, each with a timeout),
   while `/healthz` is polled; prints the slowest `/healthz` answer. Target: <= 1 s.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.webhooks import free_port, start_gunicorn, wait_healthy  # noqa: E402

_EMAIL_LINE = ("Bonjour, suite à votre demande nous vous confirmons la réception de votre dossier "
               "de remboursement n° 4471-22. Merci de vous connecter sur https://www.ameli.fr pour le suivre. ")


def hostile() -> dict[str, str]:
    """20 hostile messages, by name."""
    return {
        "euro_run_20k": "€" * 20_000,
        "punct_run_20k": "!" * 20_000,
        "mixed_punct_20k": "!?.,;:€$%&*()[]{}" * 1_200,
        "emoji_run_10k": "🎉" * 10_000,
        "emoji_zwj_5k": "👨\u200d👩\u200d👧" * 2_500,
        "email_body_50k": (_EMAIL_LINE * 400)[:50_000],
        "one_token_50k": "a" * 50_000,
        "letters_symbols_token": "a€" * 10_000,
        "url_huge_path": "https://evil.example/" + "a/" * 10_000,
        "nested_brackets": "(" * 5_000 + "[" * 5_000 + "x" + "]" * 5_000 + ")" * 5_000,
        "many_links": " ".join(f"https://site{i}.example.com/p?id={i}" for i in range(1_500)),
        "many_phone_runs": " ".join(f"appelez le 06 {i % 100:02d} {i % 97:02d} 12 34" for i in range(1_500)),
        "digit_run_30k": "0" * 30_000,
        "zero_width_30k": "ameli" + "\u200b" * 30_000 + ".fr",
        "zero_width_in_words": " ".join("r\u200be\u200bm\u200bb\u200bo\u200bu\u200br\u200bs" for _ in range(3_000)),
        "combining_marks": "e" + "\u0301" * 20_000,
        "zalgo_words": " ".join("v\u0301\u0302\u0303o\u0304\u0305\u0306t\u0307\u0308r\u0309e" for _ in range(2_500)),
        "rtl_overrides": ("\u202eexe.fdp\u202c ameli\u202d.fr " * 3_000),
        "homoglyph_flood": ("Vоtrе cοlis ϲhеz Аmеli раyеz " * 800),
        "many_emails_spaces": " ".join(f"jean{i} [at] gmail (.) com" for i in range(1_500)) + " " * 10_000,
    }


def engine_times(repeat: int) -> list[tuple[str, float, str]]:
    """(name, worst ms, outcome) for every hostile message, through the whole triage."""
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_setaffinity") else None
    if cores:
        os.sched_setaffinity(0, {min(cores)})  # one core
    try:
        return _engine_times(repeat)
    finally:
        if cores:
            os.sched_setaffinity(0, cores)  # gunicorn, started next, gets the machine back


def _engine_times(repeat: int) -> list[tuple[str, float, str]]:
    from bot.report import Report
    from nlp.analyse import AnalysisError
    from service.engine import build_triage, prepare_db

    with tempfile.TemporaryDirectory() as tmp:
        triage = build_triage(prepare_db(Path(tmp) / "hostile.sqlite3"))
        triage.check(Report("warm-up"))
        out = []
        for name, text in hostile().items():
            worst, outcome = 0.0, ""
            for _ in range(repeat):
                t0 = time.perf_counter()
                try:
                    verdict = triage.check(Report(text, "email" if "email" in name else "sms"))
                    outcome = verdict.verdict
                except AnalysisError as exc:
                    outcome = f"{type(exc).__name__}: {exc}"
                worst = max(worst, (time.perf_counter() - t0) * 1000)
            out.append((name, worst, outcome))
        return out


HEAVIEST = ("homoglyph_flood", "email_body_50k", "many_phone_runs", "many_emails_spaces", "zalgo_words",
            "rtl_overrides", "many_links", "zero_width_in_words")


def _fit(text: str, limit: int = 60_000) -> str:
    """The longest start of `text` (at most 10,000 characters, what the page takes) whose form body
    stays under the 64 KiB request limit, so that it is analysed rather than refused."""
    text = text[:10_000]
    while len(quote_plus(text)) > limit:
        text = text[: len(text) * 9 // 10]
    return text


def web_under_attack(rounds: int = 5, threads: int = 4) -> dict[str, float]:
    """4 concurrent hostile posts on the try-it page while /healthz is polled."""
    import httpx

    texts = [_fit(hostile()[name]) for name in HEAVIEST]
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        os.environ["SECRET_KEY"] = os.environ.get("SECRET_KEY") or os.urandom(16).hex()
        os.environ["VIGIE_DATA_KEY"] = os.environ.get("VIGIE_DATA_KEY") or os.urandom(16).hex()
        proc = start_gunicorn(port, Path(tmp) / "web.sqlite3")
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, proc)
            statuses: list[int] = []
            post_ms: list[float] = []
            health_ms: list[float] = []
            lock = threading.Lock()
            stop = threading.Event()

            def attacker(k: int) -> None:
                with httpx.Client(base_url=base, timeout=30, headers={"X-Forwarded-For": f"10.0.0.{k}"}) as client:
                    page = client.get("/")
                    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
                    for r in range(rounds):
                        text = texts[(k * rounds + r) % len(texts)]
                        t0 = time.perf_counter()
                        try:
                            resp = client.post("/", data={"csrf_token": token.group(1) if token else "",
                                                          "text": text, "channel": "email"})
                            code = resp.status_code
                        except httpx.HTTPError:
                            code = 0
                        with lock:
                            statuses.append(code)
                            post_ms.append((time.perf_counter() - t0) * 1000)

            def prober() -> None:
                with httpx.Client(base_url=base, timeout=5) as client:
                    while not stop.is_set():
                        t0 = time.perf_counter()
                        try:
                            ok = client.get("/healthz").status_code == 200
                        except httpx.HTTPError:
                            ok = False
                        health_ms.append((time.perf_counter() - t0) * 1000 if ok else 5_000.0)
                        time.sleep(0.05)

            probe = threading.Thread(target=prober)
            probe.start()
            pool = [threading.Thread(target=attacker, args=(k,)) for k in range(threads)]
            t0 = time.perf_counter()
            for t in pool:
                t.start()
            for t in pool:
                t.join()
            wall = time.perf_counter() - t0
            stop.set()
            probe.join()
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return {"posts": len(statuses), "posts_ok": sum(s == 200 for s in statuses),
            "statuses": sorted(set(statuses)), "post_max_ms": max(post_ms, default=0.0),
            "wall_s": wall, "healthz_probes": len(health_ms), "healthz_max_ms": max(health_ms, default=0.0)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-web", action="store_true")
    args = parser.parse_args()
    results = engine_times(args.repeat)
    for name, ms, outcome in results:
        print(f"{name:>24}: {ms:8.1f} ms  {outcome[:70]}")
    worst = max(results, key=lambda r: r[1])
    print(f"worst: {worst[1]:.1f} ms ({worst[0]}), target <= 200 ms on one core")
    if not args.no_web:
        web = web_under_attack()
        print(f"try-it page: {web['posts']} hostile posts from 4 threads, {web['posts_ok']} answered 200 "
              f"(statuses {web['statuses']}), slowest {web['post_max_ms']:.0f} ms, {web['wall_s']:.1f} s in all")
        print(f"/healthz meanwhile: {web['healthz_probes']} probes, slowest {web['healthz_max_ms']:.0f} ms"
              f" (target <= 1000 ms)")


if __name__ == "__main__":
    main()
