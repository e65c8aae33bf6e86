"""The app factory: production secrets, cookies, proxies, channels off, health, the try-it page."""
from __future__ import annotations

import logging
import re

import pytest

from config import channels
from config.settings import Settings, SettingsError
from store import cases
from tests.webhooks.conftest import SCAM_SMS
from vigie.app import adapters, create_app


def test_every_report_channel_has_an_adapter():
    served = [c for adapter in adapters() for c in adapter.serves]
    assert sorted(served) == sorted(channels.NAMES)


def test_every_row_of_the_channel_table_has_its_adapter_routes_registered(make_app):
    app = make_app()
    routes: dict[str, list[str]] = {}
    for rule in app.url_map.iter_rules():
        routes.setdefault(rule.endpoint.partition(".")[0], []).append(rule.rule)
    by_module = {adapter.blueprint.import_name.rpartition(".")[2]: adapter for adapter in adapters()}
    for row in channels.CHANNELS:
        adapter = by_module[row.adapter]
        assert row.name in adapter.serves
        assert routes.get(adapter.blueprint.name), f"{row.name}: no route of {row.adapter} is registered"
    adapters_registered = {name for name in routes if name in {a.blueprint.name for a in adapters()}}
    assert adapters_registered == {by_module[row.adapter].blueprint.name for row in channels.CHANNELS}
    assert set(routes) - adapters_registered <= {"review", "healthz", "static"}  # the desk and the plumbing


@pytest.mark.parametrize("missing", ["secret_key", "data_key"])
def test_production_without_a_secret_refuses_to_start(settings, triage, missing):
    from dataclasses import replace
    with pytest.raises(SettingsError, match="refusing to start"):
        create_app(replace(settings, **{missing: ""}), triage=triage)


def test_session_cookie_is_secure_only_over_https(make_app):
    assert make_app().config["SESSION_COOKIE_SECURE"] is True
    assert make_app(public_url="http://127.0.0.1:5000").config["SESSION_COOKIE_SECURE"] is False


def test_a_channel_without_its_secret_is_off_with_one_log_line(make_app, caplog):
    with caplog.at_level(logging.WARNING, logger="vigie.app"):
        app = make_app(telegram_webhook_secret="")
    assert [r.getMessage() for r in caplog.records if "telegram" in r.getMessage()] == [
        "telegram channel is off: TELEGRAM_WEBHOOK_SECRET is not set"]
    assert app.test_client().post("/webhooks/telegram", json={}).status_code == 404


def test_healthz_reads_the_database(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_healthz_is_503_when_the_database_is_gone(app, client):
    app.config["VIGIE_DB"] = "/nonexistent/dir/vigie.sqlite3"
    assert client.get("/healthz").status_code == 503


def test_proxyfix_trusts_the_configured_hops(make_app):
    app = make_app(behind_proxy=1)
    with app.test_request_context("/", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}):
        pass
    client = app.test_client()
    seen = {}

    @app.get("/_whoami")
    def whoami():
        from flask import request
        seen.update(ip=request.remote_addr, scheme=request.scheme)
        return ""
    client.get("/_whoami", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert seen == {"ip": "203.0.113.9", "scheme": "https"}


def _csrf(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)


def test_try_page_shows_the_reply_a_patient_gets_and_stores_nothing(client, db, triage):
    page = client.post("/", data={"text": SCAM_SMS, "channel": "sms", "csrf_token": _csrf(client)})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "ARNAQUE" in html
    from bot.report import Report
    from markupsafe import escape
    assert str(escape(triage.check(Report(SCAM_SMS, "sms")).reply)) in html
    assert cases.count(db) == 0


def test_try_page_stores_a_case_for_staff_when_asked(client, db):
    client.post("/", data={"text": SCAM_SMS, "csrf_token": _csrf(client), "send_to_staff": "yes"})
    assert cases.count(db, channel="web", status="needs_review") == 1


def test_try_page_post_without_csrf_token_is_400(client):
    assert client.post("/", data={"text": SCAM_SMS}).status_code == 400


def test_try_page_is_rate_limited_per_ip(app, client):
    app.extensions["vigie.limits"]["web"].limit = 2
    token = _csrf(client)
    codes = [client.post("/", data={"text": "Bonjour", "csrf_token": token}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_try_page_uses_no_external_resource(client):
    html = client.get("/").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert html.index("Vérifier") < html.index("Check")


def test_logs_never_contain_the_phone_number_or_the_text(client, caplog):
    from tests.webhooks.conftest import twilio_form, twilio_post
    with caplog.at_level(logging.DEBUG):
        twilio_post(client, twilio_form(SCAM_SMS, sender="+33698765432"))
    assert "98765432" not in caplog.text and "carte vitale" not in caplog.text


def test_create_app_reads_the_environment_when_given_no_settings(tmp_path, monkeypatch, triage):
    monkeypatch.setenv("VIGIE_DB", str(tmp_path / "env.sqlite3"))
    monkeypatch.setenv("PUBLIC_URL", "http://127.0.0.1:5000")
    app = create_app(triage=triage)
    assert app.config["VIGIE_DB"] == str(tmp_path / "env.sqlite3")
    assert Settings.from_env().db_path == tmp_path / "env.sqlite3"


def test_building_the_app_leaves_no_database_connection_open_so_gunicorn_can_fork_it(settings):
    """The Procfile preloads the app (`--preload`) and forks it: an SQLite connection must not cross a fork."""
    import gc
    import sqlite3

    before = {id(o) for o in gc.get_objects() if isinstance(o, sqlite3.Connection)}
    app = create_app(settings, senders={})  # the real engine, with its refreshers over the database
    gc.collect()
    opened = [o for o in gc.get_objects() if isinstance(o, sqlite3.Connection) and id(o) not in before]
    assert app and not opened
