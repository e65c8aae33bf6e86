"""Webhook benchmark (run by hand): signed Twilio requests at gunicorn (2 workers) on 127.0.0.1.

    .venv/bin/python bench/webhooks.py [--requests 2000] [--threads 8] [--seconds 60]

Prints requests/s, p50/p99 latency and cases stored vs sent: every unique MessageSid must be one
case (zero lost), and the redeliveries mixed in (5 %) must add none (zero duplicated).
Targets: >= 200 requests/s, p99 <= 150 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import http.client
from urllib.parse import urlencode

import httpx
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-twilio-auth-token"
TEXTS = [row["text"] for row in map(json.loads, (ROOT / "tests" / "data" / "golden.jsonl").open(encoding="utf-8"))
         if row["channel"] == "sms"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, db: Path, *, preload: bool = True) -> subprocess.Popen:
    """gunicorn -w 2 as the Procfile runs it (`--preload`: the engine loaded once, shared by the workers)."""
    env = {**os.environ, "VIGIE_DB": str(db), "PUBLIC_URL": f"http://127.0.0.1:{port}",
           "TWILIO_AUTH_TOKEN": TOKEN, "SECRET_KEY": "bench", "VIGIE_DATA_KEY": "bench"}
    for name in ("TELEGRAM_WEBHOOK_SECRET", "MAILGUN_SIGNING_KEY", "VIGIE_API_TOKENS", "SMTP_URL"):
        env.pop(name, None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen([str(gunicorn), *(["--preload"] if preload else []), "-w", "2", "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", "vigie.app:create_app()"], cwd=ROOT, env=env)


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not become healthy")


def plan(n: int) -> list[dict[str, str]]:
    """n signed forms: unique MessageSids plus 5 % redeliveries of earlier ones."""
    rng, forms = random.Random(4), []
    for i in range(n):
        if forms and rng.random() < 0.05:
            forms.append(dict(rng.choice(forms)))
            continue
        forms.append({"MessageSid": f"SMbench{i:06d}", "From": f"+3361{i % 500:07d}", "To": "+33757000000",
                      "Body": rng.choice(TEXTS), "NumMedia": "0", "AccountSid": "AC" + "0" * 32})
    return forms


def drive(port: int, forms: list[dict[str, str]], threads: int, seconds: float) -> tuple[list[float], int, set[str]]:
    """Send the forms from `threads` keep-alive connections (bodies and signatures made beforehand)."""
    url = f"http://127.0.0.1:{port}/webhooks/twilio"
    validator = RequestValidator(TOKEN)
    signed = [(f["MessageSid"], urlencode(f), validator.compute_signature(url, f)) for f in forms]
    latencies, errors, sent, lock = [], 0, set(), threading.Lock()
    queue, deadline = iter(signed), time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < deadline:
            with lock:
                item = next(queue, None)
            if item is None:
                break
            sid, body, sig = item
            t0 = time.perf_counter()
            conn.request("POST", "/webhooks/twilio", body=body, headers={
                "X-Twilio-Signature": sig, "Content-Type": "application/x-www-form-urlencoded"})
            resp = conn.getresponse()
            text = resp.read()
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                if resp.status == 200 and b"<Message>" in text:
                    sent.add(sid)
                else:
                    errors += 1
        conn.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return latencies, errors, sent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db, port = Path(tmp) / "bench.sqlite3", free_port()
        proc = start_gunicorn(port, db)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_healthy(base, proc)
            forms = plan(min(args.requests, 2000 * 5))
            t0 = time.perf_counter()
            latencies, errors, sent = drive(port, forms, args.threads, args.seconds)
            wall = time.perf_counter() - t0
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        stored = sqlite3.connect(db).execute(
            "SELECT count(*), count(DISTINCT provider_message_id) FROM cases").fetchone()
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"requests: {len(ms)} in {wall:.1f} s  ({len(ms) / wall:.0f} requests/s, {args.threads} client threads,"
          f" gunicorn -w 2)")
    print(f"latency: p50 {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms; errors: {errors}")
    print(f"cases stored: {stored[0]} (distinct MessageSid {stored[1]}) vs unique MessageSids answered: {len(sent)}"
          f" -> lost {len(sent) - stored[1]}, duplicated {stored[0] - stored[1]}")


if __name__ == "__main__":
    main()
