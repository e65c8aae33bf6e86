"""Fault bench (run by hand): two `vigie worker` processes send the outbox through a fake Telegram Bot
API and a real SMTP server (aiosmtpd), both on 127.0.0.1, while those fail, slow down and come back.

    .venv/bin/python bench/faults.py [--messages 300] [--seconds 120]

Three runs over a fresh SQLite file each, every one bounded by --seconds:
  healthy  two workers, no fault: every follow-up delivered once (target: 0 duplicates);
  faults   two workers while Telegram answers 502, then 429 with retry_after, is slow, refuses
           connections and comes back, and SMTP answers 451 and 554, is slow, refuses connections
           and comes back (target: every follow-up delivered, 0 duplicates);
  kill     one worker is SIGKILLed while it holds a claimed row (mid-send); the other sends that row
           once the lease runs out (at most one duplicate per kill: Telegram and SMTP take no
           idempotency key the server honours; the Message-ID stays the same so a mail client can).
Nothing leaves 127.0.0.1. The retry backoff is shortened (1 s doubling to 4 s) so faults pass in seconds.
"""
from __future__ import annotations

import argparse
import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from email import policy
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller  # noqa: E402

from store import outbox, reporters  # noqa: E402
from store.crypto import DataKeys  # noqa: E402
from store.db import connect, get_db  # noqa: E402
from tests.webhooks.fake_telegram import FakeBotApi  # noqa: E402

TOKEN, SECRET, FROM = "4242:bench", "bench-data-key", "verif@vigie.example.org"
LEASE_SECONDS = 8


class Mailbox:
    """aiosmtpd handler: keeps accepted messages; `mode` is ok, 451, 554 or slow."""

    def __init__(self) -> None:
        self.accepted: list[email.message.EmailMessage] = []
        self.mode = "ok"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "slow":
            await asyncio.sleep(0.5)
        if self.mode in ("451", "554"):
            return f"{self.mode} {'4.3.0 try again later' if self.mode == '451' else '5.3.0 rejected'}"
        self.accepted.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class Servers:
    """The fake Bot API and the SMTP server, on fixed loopback ports so they can go down and come back."""

    def __init__(self) -> None:
        self.tg_port, self.smtp_port = _free_port(), _free_port()
        self.mailbox, self.fakes = Mailbox(), []
        self.api: FakeBotApi | None = None
        self.smtp: Controller | None = None
        self.telegram_up()
        self.smtp_up()

    def telegram_up(self) -> None:
        self.api = FakeBotApi(token=TOKEN, port=self.tg_port).__enter__()
        self.fakes.append(self.api)

    def telegram_down(self) -> None:
        self.api.__exit__(None)

    def smtp_up(self) -> None:
        self.smtp = Controller(self.mailbox, hostname="127.0.0.1", port=self.smtp_port)
        self.smtp.start()

    def smtp_down(self) -> None:
        self.smtp.stop()

    def close(self) -> None:
        self.telegram_down()
        self.smtp_down()

    def delivered(self) -> Counter[str]:
        """How many times each body reached Telegram or a mailbox."""
        seen = Counter(body["text"] for fake in self.fakes for method, body in fake.accepted if method == "sendMessage")
        seen.update(msg.get_content().strip() for msg in self.mailbox.accepted)
        return seen


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def queue(path: Path, count: int) -> list[str]:
    """`count` follow-ups, two thirds by Telegram and one third by e-mail; their bodies."""
    db, keys, bodies = get_db(path), DataKeys.from_secret(SECRET), []
    for n in range(count):
        channel, address = ("email", f"patient{n}@example.org") if n % 3 == 2 else ("telegram", str(10_000 + n))
        who = reporters.touch(db, keys, channel, address)
        bodies.append(f"Suivi {n}: une personne a vérifié votre message.")
        outbox.enqueue(db, channel, who.pseudonym, bodies[-1])
    db.conn.close()
    return bodies


def start_workers(path: Path, servers: Servers, names: tuple[str, ...]) -> dict[str, subprocess.Popen]:
    """One `worker` process (this file) per name."""
    return {name: subprocess.Popen(
        [sys.executable, __file__, "worker", str(path), f"http://127.0.0.1:{servers.tg_port}",
         f"smtp://127.0.0.1:{servers.smtp_port}", name], stderr=subprocess.DEVNULL) for name in names}


def stop_workers(procs: dict[str, subprocess.Popen]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs.values():
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def pending(path: Path) -> int:
    return _count(path, "SELECT count(*) FROM outbox WHERE status != 'sent'")


def _count(path: Path, sql: str) -> int:
    db = connect(path)
    try:
        return int(db.execute(sql).fetchone()[0] or 0)
    finally:
        db.conn.close()


def faults(servers: Servers, stop: threading.Event) -> list[str]:
    """The fault schedule, one step a second or two; returns what was done."""
    box, done = servers.mailbox, []
    steps = [
        ("telegram 502 x40, smtp 451", lambda: (setattr(servers.api, "fail_next", 40), setattr(box, "mode", "451"))),
        ("telegram 429 retry_after=2 x20, smtp 554", lambda: (setattr(servers.api, "throttle_next", 20),
                                                               setattr(servers.api, "retry_after", 2),
                                                               setattr(box, "mode", "554"))),
        ("both slow (0.3 s / 0.5 s)", lambda: (setattr(servers.api, "delay", 0.3), setattr(box, "mode", "slow"))),
        ("both refuse connections", lambda: (servers.telegram_down(), servers.smtp_down())),
        ("both back", lambda: (servers.telegram_up(), servers.smtp_up(), setattr(box, "mode", "ok"))),
    ]
    while not servers.delivered() and not stop.wait(0.05):
        pass  # the workers are up and sending: now break things
    for label, action in steps:
        if stop.wait(2.0 if done else 0.0):
            break
        action()
        done.append(label)
    return done


def run(kind: str, messages: int, seconds: float) -> dict[str, object]:
    """One run; its figures."""
    path = Path(tempfile.mkdtemp(prefix="vigie-faults-")) / "vigie.sqlite3"
    bodies = queue(path, messages)
    servers = Servers()
    if kind == "kill":
        servers.api.delay = 0.2  # sends take a while: the kill lands mid-send
    procs, stop, steps = start_workers(path, servers, ("A", "B")), threading.Event(), []
    started = time.monotonic()
    chaos = threading.Thread(target=lambda: steps.extend(faults(servers, stop))) if kind == "faults" else None
    if chaos:
        chaos.start()
    killed = None
    try:
        while time.monotonic() - started < seconds:
            if kind == "kill" and killed is None and _holds_claim(path, "A"):
                procs["A"].send_signal(signal.SIGKILL)
                killed = round(time.monotonic() - started, 1)
            if pending(path) == 0 and (chaos is None or not chaos.is_alive()):
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        if chaos:
            chaos.join()
        stop_workers(procs)
        left = pending(path)
        failed_tries = _count(path, "SELECT sum(attempts) - count(*) FROM outbox WHERE status = 'sent'")
        seen = servers.delivered()
        servers.close()
    return {"run": kind, "messages": messages, "delivered": sum(1 for b in bodies if seen[b] >= 1),
            "duplicates": sum(seen[b] - 1 for b in bodies if seen[b] > 1), "not sent": left, "failed tries": failed_tries,
            "seconds": round(elapsed, 1), "killed at s": killed, "faults": steps or None}


def _holds_claim(path: Path, name: str) -> bool:
    db = connect(path)
    try:
        return db.execute("SELECT 1 FROM outbox WHERE status = 'pending' AND claimed_by LIKE ?",
                          [f"bench-{name}%"]).fetchone() is not None
    finally:
        db.conn.close()


def worker_main(path: str, telegram_url: str, smtp_url: str, name: str) -> None:
    """A `vigie worker` over the bench's database and servers (shorter backoff, many attempts)."""
    from vigie.worker import Worker  # noqa: PLC0415
    from webhooks.senders import SmtpSender, TelegramSender  # noqa: PLC0415

    outbox.BACKOFF_SECONDS, outbox.MAX_BACKOFF_SECONDS, outbox.MAX_ATTEMPTS = 1, 4, 1000
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    senders = {"telegram": TelegramSender(telegram_url, TOKEN), "email": SmtpSender(smtp_url, FROM, timeout=5)}
    worker = Worker(DataKeys.from_secret(SECRET), senders, name=f"bench-{name}-{os.getpid()}",
                    lease=timedelta(seconds=LEASE_SECONDS), batch=5)
    db = connect(path)
    worker.loop(db, stop, interval=0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--runs", default="healthy,faults,kill")
    args = parser.parse_args()
    for kind in args.runs.split(","):
        print(run(kind, min(args.messages, 2000), min(args.seconds, 600.0)), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "worker":
        worker_main(*sys.argv[2:])
    else:
        main()
