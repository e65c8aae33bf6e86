"""The "try it" page in a real browser: Debian chromium driven by Playwright, app served on 127.0.0.1."""
from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest
from werkzeug.serving import make_server

from config.settings import Settings
from vigie.app import create_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
SUSPICIOUS = "Votre compte a été suspendu. Connectez-vous sur https://mon-espace-client.net pour le réactiver."
SCAM = ("CPAM : Votre carte vitale arrive à expiration, afin de rester couvert, veuillez remplir "
        "le formulaire de renouvellement : https://assures-amell.fr")


def screenshot_path(name: str, tmp_path: Path) -> str:
    """docs/<name> when VIGIE_UPDATE_SCREENSHOTS=1 (to refresh the README's pictures), else a temp file."""
    if os.environ.get("VIGIE_UPDATE_SCREENSHOTS") == "1":
        return str(ROOT / "docs" / name)
    return str(tmp_path / name)


def _need_chromium() -> str:
    if CHROMIUM:
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but no chromium found: .ci/run must install it (apt-get install -y chromium)")
    pytest.skip("no chromium on this machine: browser tests skipped (apt-get install -y chromium to run them)")


@contextmanager
def browser_page(**page_options: Any) -> Iterator[Any]:
    """A page of Debian chromium driven by Playwright (skipped, or failed on CI, without chromium)."""
    executable = _need_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=ARGS)
        try:
            yield browser.new_page(**page_options)
        finally:
            browser.close()


@pytest.fixture
def live_url(tmp_path, triage):
    """The app served by werkzeug on a free loopback port, in a thread."""
    settings = Settings(db_path=tmp_path / "vigie.sqlite3", secret_key="browser-test", data_key="browser-test")
    server = make_server("127.0.0.1", 0, create_app(settings, senders={}, triage=triage), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_pasting_a_scam_shows_the_verdict_a_patient_gets(live_url, tmp_path):
    with browser_page(viewport={"width": 900, "height": 1100}) as page:
        page.goto(live_url + "/")
        page.fill("#text", SCAM)
        page.fill("#sender", "0621478944")
        page.click("button[type=submit]")
        page.wait_for_selector("#result")
        assert page.get_attribute(".badge", "data-verdict") == "scam"
        assert page.inner_text(".reply").startswith("ARNAQUE probable.")
        page.screenshot(path=screenshot_path("try-it.png", tmp_path), full_page=True)


def test_uploading_a_screenshot_shows_the_verdict_and_the_text_read(live_url, tmp_path):
    from tests.webhooks.picture_files import need_reader, text_png
    need_reader()
    capture = tmp_path / "capture.png"
    capture.write_bytes(text_png())
    with browser_page(viewport={"width": 900, "height": 1100}) as page:
        page.goto(live_url + "/")
        page.set_input_files("#picture", str(capture))
        page.click("button[type=submit]")
        page.wait_for_selector("#result")
        assert page.get_attribute(".badge", "data-verdict") == "scam"
        assert "assures-amell.fr" in page.inner_text("#read-text")


def test_on_a_phone_the_verdict_is_in_view_and_focused_after_submitting(live_url, tmp_path):
    with browser_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True) as page:
        page.goto(live_url + "/")
        page.fill("#text", SCAM)
        page.click("button[type=submit]")
        page.wait_for_selector("#result")
        page.wait_for_function("document.activeElement && document.activeElement.id === 'outcome'")
        box = page.locator(".badge").bounding_box()
        assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 844, box
        assert page.get_attribute(".badge", "data-verdict") == "scam"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        page.screenshot(path=screenshot_path("try-it-phone.png", tmp_path))


@pytest.mark.parametrize("width", [1280, 390])
def test_the_try_page_has_no_serious_accessibility_violation(live_url, width):
    from tests.browser.axe_check import serious_violations
    with browser_page(viewport={"width": width, "height": 900}) as page:
        page.goto(live_url + "/")
        assert serious_violations(page) == []
        for text in (SCAM, SUSPICIOUS, "Bonjour, c'est moi."):  # every badge colour
            page.fill("#text", text)
            page.click("button[type=submit]")
            page.wait_for_selector("#result")
            assert serious_violations(page) == [], text
