"""The review desk in a real browser: sign in, work the queue with the keyboard, decide a campaign, follow-ups queued."""
from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from bot.report import Report
from store import staff
from store.db import connect
from tests.browser.test_try_page import ARGS, _need_chromium, screenshot_path
from config.settings import Settings
from vigie.app import create_app
from service.intake import Inbound

ROOT = Path(__file__).resolve().parents[2]
EMAIL, PASSWORD = "relecture@chu-exemple.fr", "mot de passe de test"
CAMPAIGN = [
    ("Bonjour Madame Claire MOREAU, votre dossier patient du service de radiologie est disponible sur "
     "https://dossier-radiologie-patient.com/d/8841 merci de le consulter avant le 05/12.", "fr"),
    ("Bonjour Monsieur Alain ROUX, votre dossier patient du service de radiologie est disponible sur "
     "https://dossier-radiologie-patient.com/d/1207 merci de le consulter avant le 09/12.", "fr"),
    ("Bonjour Madame Sarah LEE, votre dossier patient du service de radiologie est disponible sur "
     "https://resultats-radiologie-suivi.net/x/55 merci de le consulter avant le 11/12.", "en"),
]
LONE = "Vous êtes là ?"  # too thin to judge either way: it waits for a person


@pytest.fixture
def desk_url(tmp_path, triage):
    """The app served on a loopback port, with a reviewer and one campaign reported by three patients."""
    settings = Settings(db_path=tmp_path / "vigie.sqlite3", secret_key="browser-desk", data_key="browser-desk")
    app = create_app(settings, senders={}, triage=triage)
    db = connect(settings.db_path)
    staff.add(db, EMAIL, "reviewer", PASSWORD)
    intake = app.extensions["vigie.intake"]
    for i, (text, lang) in enumerate(CAMPAIGN):
        intake.receive(db, Inbound("sms" if lang == "fr" else "telegram", uuid.uuid4().hex, f"+336000000{i:02d}",
                                   Report(text, "sms" if lang == "fr" else "telegram"), lang_hint=lang))
    intake.receive(db, Inbound("whatsapp", uuid.uuid4().hex, "+33699999999", Report(LONE, "whatsapp")))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", db
    server.shutdown()
    db.conn.close()


def test_a_reviewer_works_the_queue_with_the_keyboard_and_settles_a_campaign(desk_url, tmp_path):
    executable = _need_chromium()
    url, db = desk_url
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1360, "height": 820})
            page.goto(url + "/review/")
            assert "/review/login" in page.url
            page.fill("#email", EMAIL)
            page.fill("#password", PASSWORD)
            page.press("#password", "Enter")
            page.wait_for_selector("#queue")
            assert int(page.inner_text("#waiting-count")) >= 1
            assert "MOREAU" not in page.content() and "[nom]" in page.content()
            page.screenshot(path=screenshot_path("desk-queue.png", tmp_path), full_page=True)
            page.keyboard.press("j")
            page.keyboard.press("k")
            assert page.get_attribute("tr.sel", "data-href") == page.get_attribute("tr[data-href]", "data-href")
            for _ in range(8):  # down the rows to a report of the campaign (first when the engine deferred it)
                if "radiologie" in page.inner_text("tr.sel"):
                    break
                page.keyboard.press("j")
            page.keyboard.press("Enter")
            page.wait_for_selector("#decide")
            assert "par 3 patients" in page.inner_text("#campaign-reports")
            message = page.inner_text("#message")
            assert "radiologie" in message and "hxxps://" in message and "[.]" in message  # defanged
            assert page.locator("#message a").count() == 0  # nothing in the message is clickable
            page.keyboard.press("1")  # scam
            assert page.is_checked("#decide input[name=verdict] >> nth=0")
            page.keyboard.press("n")  # to the note: the key itself is never typed there
            assert page.evaluate("document.activeElement.id") == "note" and page.input_value("#note") == ""
            page.keyboard.type("Faux portail : le service de radiologie n'envoie pas de lien vers ce site.")
            page.keyboard.press("Control+Enter")
            page.wait_for_selector("#decided")
            assert "3 suivi(s)" in page.inner_text("#decided")
            page.screenshot(path=screenshot_path("desk-case.png", tmp_path), full_page=True)
        finally:
            browser.close()
    queued = db.execute("SELECT channel FROM outbox WHERE meta LIKE '%followup%' ORDER BY channel").fetchall()
    assert [r[0] for r in queued] == ["sms", "sms", "telegram"]
    blocked = {r[0] for r in db.execute("SELECT value FROM indicators WHERE verdict = 'scam'")}
    assert blocked == {"dossier-radiologie-patient.com", "resultats-radiologie-suivi.net"}
