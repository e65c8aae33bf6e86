"""Staff-confirmed indicators (the block- and allowlist the engine reloads before each check)."""
from __future__ import annotations

from typing import Iterable

from sqlite_utils import Database

KINDS = ("domain", "phone", "sender", "url")
VERDICTS = ("scam", "legitimate")


class IndicatorError(ValueError):
    """An indicator cannot be confirmed (unknown kind or verdict)."""


def confirm(db: Database, items: Iterable[tuple[str, str]], verdict: str, decided_at: str,
            campaign_id: int | str | None = None, note: str = "") -> int:
    """Write (or overwrite) indicators with a person's verdict; returns how many were written.

    A "legitimate" decision never lifts a scam confirmation another campaign's decision made (a number a
    genuine message shares with a scam, a forged sender ID): only a decision on the campaign that
    confirmed it can overturn it."""
    if verdict not in VERDICTS:
        raise IndicatorError(f"an indicator verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
    rows = []
    for kind, value in items:
        if kind not in KINDS:
            raise IndicatorError(f"unknown indicator kind {kind!r}")
        value = value.strip()
        if value:
            rows.append((kind, value.lower() if kind in ("domain", "url") else value, verdict, decided_at,
                         str(campaign_id or ""), note[:500]))
    with db.atomic():
        written = db.conn.executemany(
            "INSERT INTO indicators (kind, value, verdict, decided_at, campaign_id, note) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (kind, value) DO UPDATE SET verdict = excluded.verdict, decided_at = excluded.decided_at,"
            " campaign_id = excluded.campaign_id, note = excluded.note"
            " WHERE NOT (indicators.verdict = 'scam' AND excluded.verdict != 'scam'"
            " AND indicators.campaign_id != excluded.campaign_id)", rows).rowcount
    return max(written, 0)


def of_campaign(db: Database, campaign_id: int | str) -> list[dict[str, object]]:
    """The indicators a campaign's decision confirmed."""
    return list(db.query("SELECT kind, value, verdict, decided_at FROM indicators WHERE campaign_id = ?"
                         " ORDER BY kind, value", [str(campaign_id)]))
