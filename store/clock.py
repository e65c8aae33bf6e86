"""Timestamps as sortable UTC ISO strings (the form every intake table stores)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


def now() -> datetime:
    """The current time, UTC."""
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """`moment` as 'YYYY-MM-DDTHH:MM:SSZ' (UTC), which sorts as text."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text: str) -> datetime:
    """The datetime of an `iso` string."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def ago(moment: datetime, **delta: float) -> str:
    """The ISO string of `moment` minus a timedelta(**delta)."""
    return iso(moment - timedelta(**delta))
