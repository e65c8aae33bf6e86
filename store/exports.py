"""Confirmed indicators for CERT Santé, Phishing Initiative and 33700: CSV and a STIX 2.1 bundle.

Only indicators and campaign facts leave: no message text, no reporter, no patient data.
"""
from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Iterable, Iterator

from sqlite_utils import Database

from store import official

CSV_COLUMNS = ("kind", "value", "first_seen", "last_seen", "reports", "campaign", "decision", "decided_at")
# STIX identifiers are UUIDv5 in a namespace of our own, so a re-export keeps the same ids.
_NAMESPACE = uuid.UUID("5b0bd4b8-7c0e-4f5e-9a53-2f6c1a5e0b71")
_IDENTITY = "identity--" + str(uuid.uuid5(_NAMESPACE, "vigie"))


@dataclass(frozen=True)
class ExportedIndicator:
    kind: str  # domain | url | phone | sender
    value: str
    first_seen: str
    last_seen: str
    reports: int
    campaign: str
    decision: str
    decided_at: str


_CONFIRMED = """
    SELECT i.kind, i.value, c.first_at, c.last_at, coalesce(c.cases, 0), coalesce(i.campaign_id, ''),
           i.verdict, i.decided_at
    FROM indicators i LEFT JOIN campaigns c ON c.id = CAST(i.campaign_id AS INTEGER)
    WHERE i.verdict = 'scam' ORDER BY i.kind, i.value"""


def iter_confirmed(db: Database) -> Iterator[ExportedIndicator]:
    """Indicators staff confirmed malicious, with what their campaign saw, one at a time (index order, no sort).

    Checked against the registry again at export: a value that became official after it was confirmed (a
    contact an admin accepted since, a new FINESS import) never leaves as malicious."""
    for kind, value, first, last, n, campaign, verdict, decided in db.execute(_CONFIRMED):
        if official.is_official(db, kind, value):
            continue
        yield ExportedIndicator(kind, value, first or decided or "", last or decided or "", int(n), str(campaign),
                                verdict, decided or "")


def confirmed(db: Database) -> list[ExportedIndicator]:
    """Every confirmed indicator in a list (the web exports stream `iter_confirmed` instead)."""
    return list(iter_confirmed(db))


def count_confirmed(db: Database) -> int:
    """How many indicators an export holds."""
    return sum(1 for _ in iter_confirmed(db))


def csv_chunks(items: Iterable[ExportedIndicator], rows_per_chunk: int = 1000) -> Iterator[str]:
    """The indicators as CSV with a header row, a thousand rows at a time."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for n, item in enumerate(items, start=1):
        writer.writerow({k: csv_safe(v) for k, v in asdict(item).items()})
        if n % rows_per_chunk == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def to_csv(items: Iterable[ExportedIndicator]) -> str:
    """The indicators as CSV with a header row."""
    return "".join(csv_chunks(items))


# OWASP CSV injection rule: a cell starting with one of these is read as a formula by a spreadsheet
# (https://owasp.org/www-community/attacks/CSV_Injection). "+33..." and "-1" included: a leading quote
# keeps the value readable and makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """Neutralise a spreadsheet formula in a value an attacker chose: a single quote before it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def stix_chunks(items: Iterable[ExportedIndicator], now: datetime | None = None) -> Iterator[str]:
    """A STIX 2.1 bundle, written object by object: one indicator object per confirmed indicator, with a STIX
    pattern (never the whole bundle in memory)."""
    stamp = _stamp(now or datetime.now(timezone.utc))
    identity = {
        "type": "identity", "spec_version": "2.1", "id": _IDENTITY, "created": stamp, "modified": stamp,
        "name": "Vigie", "identity_class": "organization",
    }
    yield ('{"type": "bundle", "id": "bundle--' + str(uuid.uuid4()) + '", "objects": [\n'
           + json.dumps(identity, ensure_ascii=False))
    for item in items:
        valid_from = _stamp(_parse(item.first_seen) or _parse(item.decided_at) or now or datetime.now(timezone.utc))
        yield ",\n" + json.dumps({
            "type": "indicator", "spec_version": "2.1",
            "id": "indicator--" + str(uuid.uuid5(_NAMESPACE, f"{item.kind}:{item.value}")),
            "created": stamp, "modified": stamp, "created_by_ref": _IDENTITY,
            "name": f"{item.kind} {item.value}", "indicator_types": ["malicious-activity"],
            "pattern": pattern(item.kind, item.value), "pattern_type": "stix", "valid_from": valid_from,
            "description": f"Confirmed by Vigie staff ({item.decision}, {item.decided_at[:10]}); "
                           f"campaign {item.campaign}, {item.reports} report(s), last seen {item.last_seen[:10]}.",
        }, ensure_ascii=False)
    yield "\n]}\n"


def to_stix(items: Iterable[ExportedIndicator], now: datetime | None = None) -> str:
    """The STIX 2.1 bundle of `stix_chunks` as one string."""
    return "".join(stix_chunks(items, now))


def pattern(kind: str, value: str) -> str:
    """The STIX pattern of one indicator (custom x- objects for phone numbers and SMS sender IDs)."""
    quoted = value.replace("\\", "\\\\").replace("'", "\\'")
    if kind == "domain":
        return f"[domain-name:value = '{quoted}']"
    if kind == "url":
        return f"[url:value = '{quoted}']"
    if kind == "sender" and "@" in value:
        return f"[email-addr:value = '{quoted}']"
    if kind == "phone":
        return f"[x-vigie-phone-number:value = '{quoted}']"
    return f"[x-vigie-sms-sender:value = '{quoted}']"


def _parse(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
