"""Desk fixtures: a real app on a temp SQLite file, staff accounts, signed-in clients, reports filed through the
real intake core. tests/conftest.py registers them for every directory (`pytest_plugins`); the tests of
tests/store use them too. Test modules import only the constants and helpers (REVIEWER, sign_in...)."""
from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any, Mapping

import pytest

from bot.report import Report
from config.settings import Settings
from service.intake import Inbound
from store import reporters, staff
from store.db import connect
from vigie.app import create_app

PASSWORD = "correct horse battery"
REVIEWER, ADMIN = "reviewer@hopital.example", "admin@hopital.example"
SCAM = ("Assurance Maladie : votre remboursement de 48,20 EUR est en attente. Confirmez vos coordonnees "
        "bancaires avant 48h sur https://remboursement-secu-info.com/dossier")


@dataclass
class RecordingSender:
    """The network edge replaced: remembers what would have been sent."""

    sent: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def send(self, address: str, body: str, meta: Mapping[str, Any]) -> None:
        self.sent.append((address, body, dict(meta)))


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Local (http loopback) settings over a fresh database file, with this test's own secrets."""
    return Settings(db_path=tmp_path / "vigie.sqlite3", secret_key=secrets.token_urlsafe(32),
                    data_key=secrets.token_urlsafe(32))


@pytest.fixture
def app(settings, triage):
    """The whole app with the desk, the session's real engine, no real sender."""
    app = create_app(settings, senders={}, triage=triage)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def db(app):
    """A connection to the app's database."""
    conn = connect(app.config["VIGIE_DB"])
    yield conn
    conn.conn.close()


@pytest.fixture
def accounts(db) -> dict[str, int]:
    """One reviewer and one admin."""
    return {"reviewer": staff.add(db, REVIEWER, "reviewer", PASSWORD), "admin": staff.add(db, ADMIN, "admin", PASSWORD)}


def csrf_token(client) -> str:
    """A CSRF token from the login form (bound to this client's session)."""
    page = client.get("/review/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    """Post the login form the way a browser does."""
    return client.post("/review/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})


@pytest.fixture
def reviewer(app, accounts):
    """A client signed in as a reviewer."""
    client = app.test_client()
    assert sign_in(client, REVIEWER).status_code == 302
    return client


@pytest.fixture
def admin(app, accounts):
    """A client signed in as an admin."""
    client = app.test_client()
    assert sign_in(client, ADMIN).status_code == 302
    return client


def page_token(client, path: str) -> str:
    """The CSRF token embedded in a desk page."""
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture
def file_report(app, db):
    """Factory: a patient forwards a message through the real intake core; returns the case id."""
    intake = app.extensions["vigie.intake"]

    def file(text: str = SCAM, *, address: str | None = None, channel: str = "sms", sender: str | None = None,
             lang: str | None = None) -> int:
        address = address or f"+3361{uuid.uuid4().int % 10**7:07d}"
        report = Report(text=text, channel=channel, sender=sender)
        answer = intake.receive(db, Inbound(channel, uuid.uuid4().hex, address, report, lang_hint=lang))
        if lang:
            reporters.set_lang(db, intake.keys.pseudonym(channel, address), lang)
        assert answer.case_id is not None
        return answer.case_id
    return file
