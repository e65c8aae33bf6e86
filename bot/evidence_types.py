"""One piece of rule evidence, and the hand-set weights of the signs of legitimacy (shared by bot/evidence.py
and bot/contacts.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LEGIT_FACTORS = {"sender_official": 0.75, "link_official": 0.5, "phone_official": 0.4,
                 "advice": 0.4}


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: a reason code, its weight and where it is in the text."""

    code: str
    weight: float
    span: tuple[int, int] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    rule: str = ""
    strong: bool = False
    legit: bool = False
