"""Response headers every page and answer carries, and which proxy headers are believed."""
from __future__ import annotations

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

from config.settings import Settings

# Answers that are not pages (JSON, TwiML, redirects) load nothing; a blueprint serving pages sets its own CSP.
DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = "max-age=31536000"  # one year; set only when PUBLIC_URL is https


def trust_proxy(app: Flask, hops: int) -> None:
    """Believe X-Forwarded-For and -Proto from `hops` proxies; never -Host, -Prefix or -Port (they rewrite redirects)."""
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=0, x_port=0, x_prefix=0)


def init_app(app: Flask, settings: Settings) -> None:
    """Security headers on every response (a page's own CSP wins); HSTS under https only."""
    hsts = HSTS if settings.production else None

    def headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        if hsts:
            resp.headers["Strict-Transport-Security"] = hsts
        return resp

    app.after_request(headers)
    trust_proxy(app, settings.behind_proxy)
