"""axe-core (shipped inside axe-playwright-python) run on the page in the browser: WCAG 2.2 A/AA rules."""
from __future__ import annotations

from typing import Any

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
        "resultTypes": ["violations"]}


def serious_violations(page: Any) -> list[str]:
    """The serious or critical WCAG violations on the page, one line each (rule and where)."""
    from axe_playwright_python.sync_playwright import Axe  # noqa: PLC0415 - only the browser tests need it

    results = Axe().run(page, options=WCAG)
    out = []
    for v in results.response["violations"]:
        if v.get("impact") in ("serious", "critical"):
            targets = [" ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])][:3]
            out.append(f"{v['id']} ({v['impact']}): {v.get('help', '')} at {targets}")
    return out
