"""Shared machinery of the registry imports: report, progress, the diffing writer, one transaction."""
from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Callable, Iterable

from sqlite_utils import Database

from store.db import immediate
from store.staging import INSTITUTION_COLUMNS, Staging

MAX_MESSAGES = 200  # messages kept per report; the counts stay exact



class ImportFileError(ValueError):
    """An import file is unusable (not the expected layout), or one of its lines is bad."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class ImportReport:
    """What one import did: counts, and the first messages about bad lines."""

    kind: str
    file: str
    lines: int = 0
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    closed: int = 0
    skipped: int = 0
    error_count: int = 0
    warning_count: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    complete: bool = True  # False when the file ended early: nothing is closed then
    checked: str = ""
    batches: int = 0  # write transactions that applied the changes
    longest_lock: float = 0.0  # seconds: the longest of them held the write lock this long
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0
    on_message: Callable[[str], None] | None = None

    def error(self, line: int | None, message: str) -> None:
        """Count a line that was not imported."""
        self.error_count += 1
        self._keep(self.errors, f"line {line}: {message}" if line else message)

    def warn(self, line: int | None, message: str) -> None:
        """Count a line imported with a problem (e.g. a phone left out)."""
        self.warning_count += 1
        self._keep(self.warnings, f"line {line}: {message}" if line else message)

    def _keep(self, bucket: list[str], text: str) -> None:
        if len(bucket) < MAX_MESSAGES:
            bucket.append(text)
            if self.on_message:
                self.on_message(text)

    def summary(self) -> str:
        """One line for humans."""
        return (f"{self.kind}: {self.lines:,} lines, {self.rows:,} entries, {self.added:,} added, "
                f"{self.changed:,} changed, {self.closed:,} closed, {self.unchanged:,} unchanged, {self.skipped:,} skipped, "
                f"{self.error_count:,} errors, {self.warning_count:,} warnings in {self.seconds:.1f} s"
                + ("" if self.complete else " (file incomplete: nothing closed)"))

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        keys = ("kind", "file", "lines", "rows", "added", "changed", "unchanged", "closed", "skipped",
                "error_count", "warning_count", "errors", "warnings", "complete", "checked", "seconds",
                "batches", "longest_lock")
        return {k: getattr(self, k) for k in keys}


class Progress:
    """A \\r progress line on a terminal, a plain line every 10 % otherwise (both on stderr)."""

    def __init__(self, label: str, total: int, stream: IO[str] | None = None) -> None:
        self.label, self.total = label, max(total, 1)
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()
        self._last_time, self._last_decile = 0.0, 0

    def update(self, done: int, rows: int) -> None:
        """Report `done` bytes of `total` and `rows` rows so far."""
        pct = min(100, done * 100 // self.total)
        now = time.monotonic()
        rate = rows / max(now - self.start, 1e-6)
        if self.tty:
            if now - self._last_time >= 0.2:
                self._last_time = now
                self.stream.write(f"\r{self.label}: {pct:3d}% {rows:,} rows ({rate:,.0f}/s)")
                self.stream.flush()
        elif pct // 10 > self._last_decile:
            self._last_decile = pct // 10
            self.stream.write(f"{self.label}: {pct}% {rows:,} rows ({rate:,.0f}/s)\n")
            self.stream.flush()

    def finish(self, rows: int) -> None:
        """Close the progress line."""
        if self.tty:
            self.stream.write(f"\r{self.label}: 100% {rows:,} rows\n")
            self.stream.flush()


def open_binary(path: Path) -> tuple[IO[bytes], IO[bytes]]:
    """Open `path` for reading, gunzipping when needed; return (stream, raw file for positions)."""
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    raw = open(path, "rb")
    if raw.read(2) == b"\x1f\x8b":
        raw.seek(0)
        return gzip.GzipFile(fileobj=raw), raw  # type: ignore[return-value]
    raw.seek(0)
    return raw, raw


def today() -> str:
    """Today's date, ISO."""
    return datetime.now(timezone.utc).date().isoformat()


Contact = tuple[str, str, bool]  # (kind, value, is_primary)


class RegistryWriter:
    """Diff institutions of one origin against the live database, counting added / changed / unchanged /
    closed, and stage the changes (the live database is only read here)."""

    def __init__(self, db: Database, origin: str, source: str, report: ImportReport, staging: Staging,
                 batch: int = 5000) -> None:
        self.db, self.origin, self.source, self.report, self.batch = db, origin, source, report, batch
        self.staging = staging
        self.now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.existing: dict[str, tuple[str, int]] = {
            r[0]: (r[1] or "", r[2]) for r in db.execute(
                "SELECT id, import_hash, active FROM institutions WHERE origin = ?", [origin]).fetchall()
        }
        self.seen: set[str] = set()
        self._rows: list[tuple[Any, ...]] = []
        self._stale: list[tuple[str, str]] = []
        self._contacts: list[tuple[Any, ...]] = []
        self._closing: list[tuple[str, str, str]] = []

    def put(self, row: dict[str, Any], contacts: Iterable[Contact]) -> None:
        """Add or update one active institution and its contacts."""
        contacts = list(dict.fromkeys(contacts))
        row = {**row, "origin": self.origin, "active": 1, "updated_at": self.now}
        row.setdefault("aliases", "[]")
        row.setdefault("never_asks", "[]")
        row.setdefault("country", "FR")
        content = [row.get(c, "") for c in INSTITUTION_COLUMNS if c not in ("updated_at", "import_hash")]
        digest = hashlib.blake2b(json.dumps([content, contacts], ensure_ascii=False).encode(),
                                 digest_size=10).hexdigest()
        row["import_hash"] = digest
        key = row["id"]
        self.seen.add(key)
        old = self.existing.get(key)
        if old == (digest, 1):
            self.report.unchanged += 1
            return
        if old is None:
            self.report.added += 1
        else:
            self.report.changed += 1
            self._stale.append((key, self.origin))
        self.existing[key] = (digest, 1)
        self._rows.append(tuple(row.get(c, "") for c in INSTITUTION_COLUMNS))
        self._contacts.extend((key, kind, value, self.source, self.report.checked, int(primary),
                               self.origin) for kind, value, primary in contacts)
        if len(self._rows) >= self.batch:
            self.flush()

    def keep(self, key: str) -> None:
        """An entry was seen but could not be read: do not close it."""
        self.seen.add(key)

    def close(self, key: str) -> None:
        """The file says this institution is closed."""
        self.seen.add(key)
        if self.existing.get(key, ("", 0))[1] == 1:
            self.report.closed += 1
            self.existing[key] = (self.existing[key][0], 0)
            self._closing.append((self.now, key, self.origin))

    def flush(self) -> None:
        """Stage what is queued, in the order it will be written."""
        for op, rows in (("upsert", self._rows), ("stale", self._stale), ("contact", self._contacts),
                         ("close", self._closing)):
            self.staging.add(op, rows)
        self._rows, self._stale, self._contacts, self._closing = [], [], [], []

    def finish(self, close_missing: bool) -> None:
        """Flush, close what a complete full file no longer lists, and re-date the contacts seen."""
        if close_missing and self.report.complete:
            for key, (_, active) in list(self.existing.items()):
                if active and key not in self.seen:
                    self.close(key)
        self.flush()
        if self.report.checked:
            self.staging.recheck(self.origin, self.report.checked, self.seen)


def run_import(db: Database, report: ImportReport,
               body: Callable[[ImportReport, Staging], None]) -> ImportReport:
    """Parse and diff the file into a staging file (`body`), then apply it in short write transactions.

    A bad file changes nothing; webhooks write between two batches; the import is recorded in `imports`
    (a failure with its reason) and the registry version moves on after the last batch."""
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    staging = Staging(_folder_of(db))
    try:
        try:
            body(report, staging)
        except (EOFError, OSError) as exc:  # e.g. a .gz cut short: what was parsed is not written
            raise ImportFileError(f"{report.file}: the file cannot be read to its end ({exc})") from None
        if report.rows == 0:
            first = (report.errors or ["no record found"])[0]
            raise ImportFileError(f"{report.file}: nothing to import ({first})")
        report.batches, report.longest_lock = staging.apply(db)
        with immediate(db):  # after the last batch: engines see the new registry at their next check
            bump_version(db)
            _record(db, report, started, "ok" if not report.error_count else "partial", "")
    except (ImportFileError, sqlite3.Error) as exc:
        _failed(db, report, started, staging, exc)
        if isinstance(exc, sqlite3.Error):  # recorded with its reason; one line for the CLI
            raise ImportFileError(f"{report.file}: the database refused the import ({exc})") from None
        raise
    finally:
        staging.close()
    report.seconds = time.monotonic() - report.started
    return report


def _failed(db: Database, report: ImportReport, started: str, staging: Staging, exc: Exception) -> None:
    """Record a failed import with its reason (and how much of it was written, if any)."""
    report.seconds = time.monotonic() - report.started
    report.added = report.changed = report.unchanged = report.closed = 0
    reason = str(exc)
    if staging.applied:
        reason += (f" (after {staging.applied:,} of {staging.count:,} changes were written: "
                   "import the file again to finish)")
    for _ in range(3):  # the lock that refused the import may still be held: wait for it a while longer
        try:
            with immediate(db):
                if staging.applied:
                    bump_version(db)
                _record(db, report, started, "failed", reason)
            return
        except sqlite3.OperationalError as again:
            refused = again
    raise ImportFileError(f"{report.file}: {reason}; the failure could not be recorded ({refused})")


def bump_version(db: Database) -> None:
    """The registry changed: engines compare this version before each check and reload what they cache."""
    db.execute("INSERT INTO meta (key, value) VALUES ('contacts_version', '1') ON CONFLICT(key) "
               "DO UPDATE SET value = CAST(value AS INTEGER) + 1")


def _folder_of(db: Database) -> str | None:
    """The database's folder (the staging file goes beside it, not in a small /tmp), if it is a file."""
    row = next((r for r in db.execute("PRAGMA database_list").fetchall() if r[1] == "main"), None)
    return str(Path(row[2]).parent) if row and row[2] else None


def _record(db: Database, report: ImportReport, started: str, status: str, message: str) -> None:
    db["imports"].insert({
        "file": report.file, "kind": report.kind, "status": status, "started_at": started,
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "rows": report.rows, "added": report.added, "changed": report.changed,
        "unchanged": report.unchanged, "closed": report.closed, "errors": report.error_count,
        "warnings": report.warning_count, "message": message or "; ".join(report.errors[:3]),
    })
