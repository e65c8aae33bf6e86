"""Web plumbing shared by the channel adapters and the desk: the database per request, the client
address behind proxies, body limits, named errors and their one translation, security headers,
rate limits held across worker processes. Knows Flask and the service layer, never a channel."""
from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from config.settings import Settings
from service.intake import Intake
from web import ratelimit, resources, security
from web.errors import IntakeError, TooLarge
from web.http import EMAIL_BODY

log = logging.getLogger("vigie.app")


def init_app(app: Flask, settings: Settings, intake: Intake) -> None:
    """Everything a blueprint may count on: config, headers, resources, limits, /healthz, the error translation."""
    app.config.update(
        SECRET_KEY=settings.secret_key, VIGIE_DB=str(settings.db_path),
        MAX_CONTENT_LENGTH=EMAIL_BODY, SESSION_COOKIE_SECURE=settings.production,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", WTF_CSRF_TIME_LIMIT=None,
    )
    security.init_app(app, settings)
    resources.init_app(app, intake)
    ratelimit.init_app(app)
    app.add_url_rule("/healthz", "healthz", resources.healthz)
    app.register_error_handler(IntakeError, refused)
    app.register_error_handler(RequestEntityTooLarge, lambda exc: refused(TooLarge("the body is too large")))


def refused(exc: IntakeError) -> tuple[Response, int]:
    """The one translation of named intake errors into an HTTP answer with a reason."""
    log.info("refused %s %s: %s %s", request.method, request.path, exc.status, exc.reason)
    if request.path.startswith(("/webhooks/", "/api/", "/healthz")):
        resp = jsonify({"error": exc.reason})
    else:
        resp = Response(exc.reason + "\n", mimetype="text/plain")
    resp.headers.update(exc.headers)
    return resp, exc.status
