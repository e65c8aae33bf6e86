"""The Flask app factory: settings, database, intake core, one blueprint per channel, one errorhandler."""
from __future__ import annotations

import logging
import sqlite3
from typing import Mapping

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

import review
from bot.conversation import Checks
from store.db import StoreError
from service import setup
from config.settings import Settings
from webhooks import api, mailgun, security, telegram_bot, try_it, twilio_sms
from webhooks.errors import IntakeError, TooLarge
from webhooks.http import EMAIL_BODY
from service.intake import Intake
from webhooks.ratelimit import RateLimiter
from webhooks.resources import get_db, init_app
from webhooks.senders import Sender, default_senders

log = logging.getLogger("vigie.app")
CHANNELS = (twilio_sms.CHANNEL, telegram_bot.CHANNEL, mailgun.CHANNEL, api.CHANNEL, try_it.CHANNEL)
API_RATE_PER_MINUTE = 60  # per API token, across every worker process
WEB_RATE_PER_MINUTE = 20  # per client address on the try-it page, across every worker process


def create_app(settings: Settings | None = None, *, senders: Mapping[str, Sender] | None = None,
               triage: Checks | None = None) -> Flask:
    """Build the web app; no network call is made here."""
    settings = settings or Settings.from_env()
    intake = build_intake(settings, senders=senders, triage=triage)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key, VIGIE_DB=str(settings.db_path),
        MAX_CONTENT_LENGTH=EMAIL_BODY, SESSION_COOKIE_SECURE=settings.production,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", WTF_CSRF_TIME_LIMIT=None,
    )
    security.init_app(app, settings)
    init_app(app, intake)
    app.extensions["vigie.limits"] = {"api": RateLimiter("api", API_RATE_PER_MINUTE),
                                      "web": RateLimiter("web", WEB_RATE_PER_MINUTE)}
    for channel in CHANNELS:
        reason = channel.off_reason(settings)
        if reason:
            log.warning(reason)
        else:
            app.register_blueprint(channel.blueprint)
    app.add_url_rule("/healthz", "healthz", healthz)
    review.init_app(app, settings)
    app.register_error_handler(IntakeError, _refused)
    app.register_error_handler(RequestEntityTooLarge, lambda exc: _refused(TooLarge("the body is too large")))
    return app


def build_intake(settings: Settings, *, senders: Mapping[str, Sender] | None = None,
                 triage: Checks | None = None) -> Intake:
    """The intake core over a migrated database, with the providers the settings allow unless `senders` is given."""
    return setup.build_intake(settings, default_senders(settings) if senders is None else senders, triage=triage)


def healthz() -> tuple[Response, int]:
    """200 when this process can read its database (worker, SMTP and Telegram do not matter)."""
    try:
        get_db().execute("SELECT count(*) FROM cases").fetchone()
    except (sqlite3.Error, StoreError) as exc:
        log.error("healthz: database unreadable: %s", exc)
        return jsonify({"status": "error", "database": "unreadable"}), 503
    return jsonify({"status": "ok"}), 200


def _refused(exc: IntakeError) -> tuple[Response, int]:
    """The one translation of named intake errors into an HTTP answer with a reason."""
    log.info("refused %s %s: %s %s", request.method, request.path, exc.status, exc.reason)
    if request.path.startswith(("/webhooks/", "/api/", "/healthz")):
        resp = jsonify({"error": exc.reason})
    else:
        resp = Response(exc.reason + "\n", mimetype="text/plain")
    resp.headers.update(exc.headers)
    return resp, exc.status
