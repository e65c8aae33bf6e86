"""The dashboard shows the seeded counts, in SVG drawn on the server, readable without colour and without script."""
from __future__ import annotations

import re

from review import svgcharts

import pytest

from tests.review.seeds import seed_dashboard


def chart(html: str, chart_id: str) -> str:
    start = html.index(f'<svg id="{chart_id}"')
    return html[start:html.index("</svg>", start)]


def counts(svg: str, attribute: str, value: str) -> int:
    return sum(int(n) for n in re.findall(rf'{attribute}="{re.escape(value)}"[^>]*data-count="(\d+)"', svg))


@pytest.fixture
def seeded(db):
    return seed_dashboard(db)


def test_the_dashboard_shows_the_seeded_reports_by_verdict_and_by_channel(reviewer, seeded):
    html = reviewer.get("/review/dashboard?days=7").get_data(as_text=True)
    assert re.search(r'id="total-reports">\s*6\s*<', html)
    for verdict, n in seeded.by_verdict.items():
        assert counts(chart(html, "chart-verdict"), "data-series", verdict) == n, verdict
    for channel, n in seeded.by_channel.items():
        assert counts(chart(html, "chart-channel"), "data-series", channel) == n, channel


def test_the_dashboard_ranks_institutions_and_confirmed_indicators_with_their_numbers(reviewer, seeded):
    html = reviewer.get("/review/dashboard").get_data(as_text=True)
    institutions = chart(html, "chart-institutions")
    for name, n in seeded.institutions:
        assert f'data-label="{name}" data-count="{n}"' in institutions
    value, shown, n = seeded.domain
    assert f'data-label="{shown}" data-count="{n}"' in chart(html, "chart-domains")
    assert value not in chart(html, "chart-domains")  # defanged: never a live domain on the page
    assert f'data-count="{seeded.phone[1]}"' in chart(html, "chart-phones") and seeded.phone[0] in html
    assert f'data-label="{seeded.sender[0]}" data-count="{seeded.sender[1]}"' in chart(html, "chart-senders")
    assert "ameli[.]fr\"" not in html  # an allowlisted (legitimate) domain is not on the malicious charts


def test_the_dashboard_gives_time_to_decision_and_the_machine_error_rate_with_its_trend(reviewer, seeded):
    html = reviewer.get("/review/dashboard").get_data(as_text=True)
    assert seeded.median_hours in html and seeded.overturned in html
    trend = chart(html, "chart-overturned")
    assert re.search(r">\d+% \(\d+\)</text>", trend)  # each week with decisions: its share and how many


def test_the_period_selector_offers_7_30_and_90_days_and_ignores_other_values(reviewer, seeded):
    for days in (7, 30, 90):
        html = reviewer.get(f"/review/dashboard?days={days}").get_data(as_text=True)
        assert f'days={days}" aria-current="page"' in html
    html = reviewer.get("/review/dashboard?days=100000").get_data(as_text=True)
    assert 'days=30" aria-current="page"' in html


def test_the_dashboard_needs_no_script_no_cdn_and_no_inline_style(reviewer, seeded):
    resp = reviewer.get("/review/dashboard")
    html = resp.get_data(as_text=True)
    assert "<script>" not in html and "cdn" not in html.lower() and " style=" not in html
    assert not re.findall(r'(?:src|href)="https?://', html)
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp


def test_charts_carry_patterns_as_well_as_colours(reviewer, seeded):
    html = reviewer.get("/review/dashboard").get_data(as_text=True)
    fills = set(re.findall(r'data-series="[^"]+"', chart(html, "chart-verdict")))
    patterns = set(re.findall(r'fill="url\(#(vp-[a-z]+)\)"', chart(html, "chart-verdict")))
    assert len(patterns) >= len(fills) == 4  # one pattern per verdict shown
    shapes = {name: svgcharts.STYLES[name][1] for name in ("scam", "suspicious", "unknown", "legitimate")}
    assert len(set(shapes.values())) == 4  # and the verdicts' patterns differ in shape, not only in colour


def test_an_empty_dashboard_still_renders(reviewer):
    html = reviewer.get("/review/dashboard").get_data(as_text=True)
    assert re.search(r'id="total-reports">\s*0\s*<', html) and 'id="median-hours">—' in html
