"""Figures for the staff dashboard: per-day counters (case_days), campaigns, decisions and indicators."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlite_utils import Database

VERDICTS = ("scam", "suspicious", "unknown", "legitimate", "error")


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows, already counted."""

    days: tuple[str, ...]  # ISO dates, oldest first
    by_verdict: dict[str, tuple[int, ...]]  # verdict -> count per day
    by_channel: dict[str, tuple[int, ...]]  # channel -> count per day
    institutions: tuple[tuple[str, int], ...]  # most impersonated, (name, reports)
    domains: tuple[tuple[str, int], ...]  # confirmed malicious, (value, reports)
    phones: tuple[tuple[str, int], ...]
    senders: tuple[tuple[str, int], ...]
    median_hours_to_decision: float | None
    overturned_share: float | None  # machine verdicts staff changed, over all decisions
    overturned_weekly: tuple[tuple[str, float | None, int], ...]  # (week start, share, decisions)
    total_reports: int


def dashboard(db: Database, days: int = 30, now: datetime | None = None, top: int = 8) -> Dashboard:
    """Count the last `days` days of reports and the decisions of staff."""
    now = now or datetime.now(timezone.utc)
    first = (now - timedelta(days=days - 1)).date()
    day_list = tuple((first + timedelta(days=i)).isoformat() for i in range(days))
    since = day_list[0]
    by_verdict = _per_day(db, "verdict", since, day_list)
    by_channel = _per_day(db, "channel", since, day_list)
    return Dashboard(
        days=day_list, by_verdict=by_verdict, by_channel=by_channel,
        institutions=_pairs(db, "SELECT institution, sum(n) FROM case_days WHERE day >= ? AND institution <> ''"
                                " AND verdict IN ('scam', 'suspicious') GROUP BY institution HAVING sum(n) > 0"
                                " ORDER BY 2 DESC, 1 LIMIT ?", [since, top]),
        domains=_top_indicators(db, ("domain", "url"), top),
        phones=_top_indicators(db, ("phone",), top),
        senders=_top_indicators(db, ("sender",), top),
        median_hours_to_decision=_median_hours(db),
        overturned_share=_overturned(db, None, None)[0],
        overturned_weekly=_weekly_overturned(db, now),
        total_reports=sum(sum(v) for v in by_verdict.values()),
    )


def _per_day(db: Database, column: str, since: str, day_list: tuple[str, ...]) -> dict[str, tuple[int, ...]]:
    """Reports per day by verdict or channel, from the counters the triggers of migration 0011 keep on cases."""
    counts: dict[str, dict[str, int]] = {}
    rows = db.execute(f"SELECT {column} AS k, day, sum(n) FROM case_days WHERE day >= ? GROUP BY k, day", [since])
    for key, day, n in rows:
        if n:
            counts.setdefault(key or "unknown", {})[day] = n
    return {k: tuple(v.get(d, 0) for d in day_list) for k, v in sorted(counts.items())}


def _pairs(db: Database, sql: str, params: list[object]) -> tuple[tuple[str, int], ...]:
    return tuple((str(a), int(b)) for a, b in db.execute(sql, params))


def _top_indicators(db: Database, kinds: tuple[str, ...], top: int) -> tuple[tuple[str, int], ...]:
    marks = ",".join("?" * len(kinds))
    return _pairs(db, f"""
        SELECT i.value, coalesce(c.cases, 0) AS n FROM indicators i
        LEFT JOIN campaigns c ON c.id = CAST(i.campaign_id AS INTEGER)
        WHERE i.verdict = 'scam' AND i.kind IN ({marks})
        ORDER BY n DESC, i.value LIMIT ?""", [*kinds, top])


def _median_hours(db: Database) -> float | None:
    rows = db.execute("""
        SELECT min(d.decided_at), c.first_at FROM decisions d JOIN campaigns c ON c.id = d.campaign_id
        WHERE c.first_at IS NOT NULL GROUP BY d.campaign_id""").fetchall()
    hours = [h for h in (_hours(first, decided) for decided, first in rows) if h is not None]
    return round(statistics.median(hours), 1) if hours else None


def _hours(start: str, end: str) -> float | None:
    try:
        delta = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    except (TypeError, ValueError):
        return None
    return max(delta.total_seconds() / 3600, 0.0)


def _overturned(db: Database, start: str | None, end: str | None) -> tuple[float | None, int]:
    where, params = "", []
    if start and end:
        where, params = "WHERE decided_at >= ? AND decided_at < ?", [start, end]
    total, changed = db.execute(
        f"SELECT count(*), sum(CASE WHEN previous IS NOT NULL AND previous <> verdict THEN 1 ELSE 0 END) "
        f"FROM decisions {where}", params).fetchone()
    return (round((changed or 0) / total, 3) if total else None), int(total or 0)


def _weekly_overturned(db: Database, now: datetime, weeks: int = 8) -> tuple[tuple[str, float | None, int], ...]:
    monday = (now - timedelta(days=now.weekday())).date()
    out = []
    for i in range(weeks - 1, -1, -1):
        start = monday - timedelta(weeks=i)
        share, n = _overturned(db, start.isoformat(), (start + timedelta(weeks=1)).isoformat())
        out.append((start.isoformat(), share, n))
    return tuple(out)
