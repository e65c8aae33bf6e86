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

from sqlite_utils import Database

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


def confirmed(db: Database) -> list[ExportedIndicator]:
    """Indicators staff confirmed malicious, with what their campaign saw."""
    rows = db.execute("""
        SELECT i.kind, i.value, c.first_at, c.last_at, coalesce(c.cases, 0), coalesce(i.campaign_id, ''),
               i.verdict, i.decided_at
        FROM indicators i LEFT JOIN campaigns c ON c.id = CAST(i.campaign_id AS INTEGER)
        WHERE i.verdict = 'scam' ORDER BY i.kind, i.value""")
    return [ExportedIndicator(kind, value, first or decided or "", last or decided or "", int(n), str(campaign),
                              verdict, decided or "")
            for kind, value, first, last, n, campaign, verdict, decided in rows]


def to_csv(items: list[ExportedIndicator]) -> str:
    """The indicators as CSV with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for item in items:
        writer.writerow({k: csv_safe(v) for k, v in asdict(item).items()})
    return out.getvalue()


# OWASP CSV injection rule: a cell starting with one of these is read as a formula by a spreadsheet
# (https://owasp.org/www-community/attacks/CSV_Injection). "+33..." and "-1" included: a leading quote
# keeps the value readable and makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """Neutralise a spreadsheet formula in a value an attacker chose: a single quote before it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_stix(items: list[ExportedIndicator], now: datetime | None = None) -> str:
    """A STIX 2.1 bundle: one indicator object per confirmed indicator, with a STIX pattern."""
    stamp = _stamp(now or datetime.now(timezone.utc))
    objects: list[dict[str, object]] = [{
        "type": "identity", "spec_version": "2.1", "id": _IDENTITY, "created": stamp, "modified": stamp,
        "name": "Vigie", "identity_class": "organization",
    }]
    for item in items:
        valid_from = _stamp(_parse(item.first_seen) or _parse(item.decided_at) or now or datetime.now(timezone.utc))
        objects.append({
            "type": "indicator", "spec_version": "2.1",
            "id": "indicator--" + str(uuid.uuid5(_NAMESPACE, f"{item.kind}:{item.value}")),
            "created": stamp, "modified": stamp, "created_by_ref": _IDENTITY,
            "name": f"{item.kind} {item.value}", "indicator_types": ["malicious-activity"],
            "pattern": pattern(item.kind, item.value), "pattern_type": "stix", "valid_from": valid_from,
            "description": f"Confirmed by Vigie staff ({item.decision}, {item.decided_at[:10]}); "
                           f"campaign {item.campaign}, {item.reports} report(s), last seen {item.last_seen[:10]}.",
        })
    bundle = {"type": "bundle", "id": "bundle--" + str(uuid.uuid4()), "objects": objects}
    return json.dumps(bundle, ensure_ascii=False, indent=1)


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
