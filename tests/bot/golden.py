"""The golden cases (tests/data/golden.jsonl) and how a case becomes a Report, shared by the bot tests."""
from __future__ import annotations

import json
from pathlib import Path

from tests.factories import make_report

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden.jsonl"


def load_golden() -> list[dict]:
    return [json.loads(line) for line in GOLDEN.read_text("utf-8").splitlines() if line.strip()]


CASES = load_golden()


def accepted(case: dict) -> list[str]:
    return case["expected"] if isinstance(case["expected"], list) else [case["expected"]]


def golden_report(case: dict):
    return make_report(case["text"], channel=case.get("channel") or "sms", sender=case.get("sender"))
