"""`vigie worker`: send the outbox with retries and backoff, and purge old data once a day."""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Mapping

from sqlite_utils import Database

from config.channels import traits
from config.logsafe import failure
from service import desk, retention
from service.outbound import SendError, Sender
from store import clock, outbox, reporters
from store.crypto import CryptoError, DataKeys

log = logging.getLogger("vigie.worker")
# The daily purge works this long per pass, then the outbox is sent: a first purge at national scale takes minutes.
PURGE_SLICE = 1.0
HELD_NOTE = ("held: the patient last wrote more than 24 hours ago, outside WhatsApp's free-form window, "
             "and no approved template is configured; contact them another way or wait for their next message")


@dataclass
class Worker:
    """Processes due outbox messages; purges retention once a day."""

    keys: DataKeys
    senders: Mapping[str, Sender]
    retention_days: int = 90
    counts: dict[str, int] = field(default_factory=dict)
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}")
    lease: timedelta = outbox.LEASE
    batch: int = 50
    daily_purge: retention.Daily = field(init=False)

    def __post_init__(self) -> None:
        self.daily_purge = retention.Daily(self.retention_days)

    def run_once(self, db: Database, when: datetime | None = None) -> dict[str, int]:
        """One pass over the due messages; returns what happened to them."""
        moment = when or clock.now()
        done = {"sent": 0, "retry": 0, "failed": 0, "held": 0, "cancelled": 0}
        for _ in range(self.batch):  # claimed one at a time: another worker can take the next one
            msg = outbox.claim(db, self.name, when, self.lease)
            if msg is None:
                break
            done[self._one(db, msg, moment)] += 1
        if any(done.values()):
            log.info("outbox pass: %s", done)
        return done

    def _one(self, db: Database, msg: outbox.Outgoing, moment: datetime) -> str:
        who = reporters.get(db, msg.reporter)
        if who is None:
            outbox.set_status(db, msg.id, "cancelled", "the reporter's data was deleted")
            return "cancelled"
        if who.stopped and msg.meta.get("kind") != "reply":
            outbox.set_status(db, msg.id, "cancelled", "the reporter sent STOP")
            return "cancelled"
        window = traits(msg.channel).window_hours
        if window is not None and msg.meta.get("kind") != "reply" and (
                who.previous_seen_at is None or clock.parse(who.previous_seen_at) < moment - timedelta(hours=window)):
            outbox.set_status(db, msg.id, "held", HELD_NOTE)
            return "held"
        sender = self.senders.get(msg.channel)
        try:
            if sender is None:
                raise SendError(f"no sender is configured for {msg.channel}")
            address = reporters.address_of(db, self.keys, msg.reporter) or ""
            sender.send(address, msg.body, {**msg.meta, "idempotency_key": msg.key})
        except (SendError, CryptoError) as exc:
            status = outbox.mark_failed(db, msg.id, str(exc), moment, retry_after=getattr(exc, "retry_after", None))
            log.warning("outbox %s on %s failed (%s): %s", msg.id, msg.channel, status, exc)
            return "failed" if status == "failed" else "retry"
        if not outbox.mark_sent(db, msg.id, moment, worker=self.name):
            log.warning("outbox %s: the lease ran out during the send; another worker may send it too", msg.id)
        return "sent"

    def purge_if_due(self, db: Database, when: datetime | None = None,
                     budget: float | None = None) -> dict[str, int] | None:
        """Work on the retention purge when the last one is a day old (about `budget` seconds of it); its counts
        once finished."""
        return self.daily_purge.step(db, when, budget)

    def loop(self, db: Database, stop: threading.Event, interval: float = 2.0) -> None:
        """Run until `stop` is set."""
        while not stop.is_set():
            try:
                self.purge_if_due(db, budget=PURGE_SLICE)
                self.run_once(db)
                desk.assign_pending(db, keys=self.keys)  # group new reports (never by the reporter's own address)
            except Exception as exc:  # noqa: BLE001 - the worker keeps going; the next pass retries
                log.error("worker pass failed: %s", failure(exc))  # never the message: it may hold a number
            stop.wait(0 if self.daily_purge.running else interval)  # an unfinished purge goes on after the outbox
