"""The dashboard in a real browser (Debian chromium via Playwright): the charts show the seeded counts, with no
CSP violation, and a screenshot goes to docs/dashboard.png."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from store import staff
from store.db import connect
from tests.browser.test_try_page import ARGS, _need_chromium, screenshot_path
from tests.review.seeds import seed_dashboard
from config.settings import Settings
from vigie.app import create_app

ROOT = Path(__file__).resolve().parents[2]
EMAIL, PASSWORD = "cert@chu-exemple.fr", "mot de passe de test"


@pytest.fixture
def dashboard_url(tmp_path, triage):
    """The app on a loopback port, with a reviewer and the seeded week."""
    settings = Settings(db_path=tmp_path / "vigie.sqlite3", secret_key="browser-dash", data_key="browser-dash")
    app = create_app(settings, senders={}, triage=triage)
    db = connect(settings.db_path)
    staff.add(db, EMAIL, "reviewer", PASSWORD)
    seeded = seed_dashboard(db)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seeded
    server.shutdown()
    db.conn.close()


def series_total(page, chart: str, series: str) -> int:
    return sum(int(n) for n in page.eval_on_selector_all(
        f"#{chart} rect[data-series='{series}']", "els => els.map(e => e.getAttribute('data-count'))"))


def test_the_dashboard_charts_show_the_seeded_counts(dashboard_url, tmp_path):
    executable = _need_chromium()
    url, seeded = dashboard_url
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1360, "height": 900})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.goto(url + "/review/dashboard?days=7")
            page.fill("#email", EMAIL)
            page.fill("#password", PASSWORD)
            page.press("#password", "Enter")
            page.wait_for_selector("#chart-verdict")
            assert page.inner_text("#total-reports") == str(seeded.total)
            for verdict, n in seeded.by_verdict.items():
                assert series_total(page, "chart-verdict", verdict) == n, verdict
            for channel, n in seeded.by_channel.items():
                assert series_total(page, "chart-channel", channel) == n, channel
            day_totals = page.eval_on_selector_all("#chart-verdict text.total", "els => els.map(e => +e.textContent)")
            assert sum(day_totals) == seeded.total  # the numbers written above the bars
            institutions = page.text_content("#chart-institutions")
            for name, n in seeded.institutions:
                assert name in institutions and str(n) in institutions
            assert seeded.domain[1] in page.text_content("#chart-domains")
            assert page.get_attribute(f"#chart-domains rect[data-label='{seeded.domain[1]}']", "data-count") == "3"
            assert page.inner_text("#median-hours") == seeded.median_hours
            assert page.inner_text("#overturned-share") == seeded.overturned
            assert page.locator("#chart-overturned rect[data-share]").count() >= 1
            assert not [m for m in problems if "Content Security Policy" in m], problems
            page.screenshot(path=screenshot_path("dashboard.png", tmp_path), full_page=True)
            page.click("text=30 jours")
            page.wait_for_selector("a.current[href$='days=30']")
            assert page.inner_text("#total-reports") == str(seeded.total)
        finally:
            browser.close()
