"""POST /api/v1/check: bearer tokens, per-token rate limit, verdict JSON."""
from __future__ import annotations

from store import cases
from tests.webhooks.conftest import API_TOKEN, BrokenTriage, SCAM_SMS


def auth(token: str = API_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_check_returns_the_verdict_json(client, db):
    resp = client.post("/api/v1/check", json={"text": SCAM_SMS, "sender": "0621478944", "channel": "sms"}, headers=auth())
    body = resp.json
    assert resp.status_code == 200
    assert body["verdict"] == "scam" and body["reply"].startswith("ARNAQUE")
    assert {"score", "lang", "institution", "reasons", "links", "phones", "sender"} <= set(body)
    assert cases.count(db) == 0


def test_missing_token_gets_401_with_www_authenticate(client):
    resp = client.post("/api/v1/check", json={"text": SCAM_SMS})
    assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_token_gets_401(client):
    resp = client.post("/api/v1/check", json={"text": SCAM_SMS}, headers=auth("api-token-partner-X"))
    assert resp.status_code == 401 and "WWW-Authenticate" in resp.headers


def test_second_configured_token_works(client):
    assert client.post("/api/v1/check", json={"text": SCAM_SMS}, headers=auth("api-token-partner-2")).status_code == 200


def test_malformed_requests_get_400(client):
    for body in ({"text": ""}, {"text": 12}, {"text": "x", "channel": "fax"}, {"sender": "x"}):
        assert client.post("/api/v1/check", json=body, headers=auth()).status_code == 400
    assert client.post("/api/v1/check", data=b"{not json", headers=auth()).status_code == 400


def test_body_over_64_kb_gets_413(client):
    resp = client.post("/api/v1/check", json={"text": "x" * (65 * 1024)}, headers=auth())
    assert resp.status_code == 413


def test_each_token_is_rate_limited(app, client):
    app.extensions["vigie.limits"]["api"].limit = 3
    codes = [client.post("/api/v1/check", json={"text": "Bonjour"}, headers=auth()).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.post("/api/v1/check", json={"text": "Bonjour"}, headers=auth("api-token-partner-2")).status_code == 200


def test_failed_analysis_gets_503_with_a_reason(make_app, triage):
    client = make_app(triage_override=BrokenTriage(triage)).test_client()
    resp = client.post("/api/v1/check", json={"text": SCAM_SMS}, headers=auth())
    assert resp.status_code == 503 and resp.json["error"]


def test_the_api_is_off_without_tokens(make_app):
    assert make_app(api_tokens=()).test_client().post("/api/v1/check", json={}).status_code == 404
