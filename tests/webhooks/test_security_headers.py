"""Security headers on every page and answer; HSTS only under https; proxies cannot rewrite redirects."""
from __future__ import annotations

import base64
import hashlib
import re

import pytest

from review.web import _CSP as DESK_CSP
from tests.webhooks.conftest import API_TOKEN, twilio_form, twilio_post

# (method, path, request options) -> every kind of answer the app gives: pages, JSON, TwiML, redirects, errors.
ANSWERS = {
    "try-it page": ("GET", "/", {}),
    "API verdict": ("POST", "/api/v1/check", {"json": {"text": "Bonjour"}, "headers": {"Authorization": f"Bearer {API_TOKEN}"}}),
    "API refusal": ("POST", "/api/v1/check", {"json": {"text": "Bonjour"}}),
    "health": ("GET", "/healthz", {}),
    "desk login": ("GET", "/review/login", {}),
    "desk redirect": ("GET", "/review/", {}),
    "desk stylesheet": ("GET", "/review/static/desk.css", {}),
    "unknown page": ("GET", "/nowhere", {}),
    "wrong method": ("DELETE", "/", {}),
    "forged webhook": ("POST", "/webhooks/twilio", {"data": {"Body": "x"}}),
}


@pytest.mark.parametrize("answer", sorted(ANSWERS))
def test_every_answer_forbids_framing_sniffing_and_referrers(client, answer):
    method, path, options = ANSWERS[answer]
    resp = client.open(path, method=method, **options)
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")  # PUBLIC_URL is https here


def test_a_signed_webhook_answer_carries_the_headers_too(client):
    resp = twilio_post(client, twilio_form("Bonjour"))
    assert resp.status_code == 200 and resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_no_hsts_when_public_url_is_plain_http(make_app):
    client = make_app(public_url="http://127.0.0.1:5000").test_client()
    for path in ("/", "/healthz", "/review/login"):
        resp = client.get(path)
        assert "Strict-Transport-Security" not in resp.headers and resp.headers["X-Frame-Options"] == "DENY"


def test_the_try_it_page_allows_its_own_style_block_and_no_script(client):
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    style = re.search(r"<style>(.*?)</style>", resp.get_data(as_text=True), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp  # the style block as served, not a guess
    assert "script-src" not in csp and "default-src 'none'" in csp and "form-action 'self'" in csp
    assert resp.headers["Cache-Control"] == "no-store"


def test_the_desk_keeps_its_own_policy(client):
    assert client.get("/review/login").headers["Content-Security-Policy"] == DESK_CSP


@pytest.mark.parametrize("header,value", [("X-Forwarded-Host", "evil.example"),
                                          ("X-Forwarded-Prefix", "//evil.example"),
                                          ("X-Forwarded-Port", "8443")])
def test_a_client_proxy_header_cannot_rewrite_a_redirect(make_app, header, value):
    client = make_app(behind_proxy=1).test_client()
    resp = client.get("/review/", headers={header: value, "X-Forwarded-For": "203.0.113.9"})
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert location.startswith("/review/login") and "evil" not in location and "8443" not in location


def test_forwarded_address_and_scheme_are_still_believed_from_the_configured_hops(make_app):
    app = make_app(behind_proxy=1)
    seen = {}

    @app.get("/_whoami")
    def whoami():
        from flask import request, url_for
        seen.update(ip=request.remote_addr, scheme=request.scheme, host=request.host,
                    url=url_for("review.login", _external=True))
        return ""

    app.test_client().get("/_whoami", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9",
                                               "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
    assert seen == {"ip": "203.0.113.9", "scheme": "https", "host": "localhost",
                    "url": "https://localhost/review/login"}
