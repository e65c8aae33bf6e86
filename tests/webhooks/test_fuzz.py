"""Fuzzing each parser through Flask's test client: any input gets an answer below 500, never an exception.

The app propagates exceptions here (PROPAGATE_EXCEPTIONS), so an uncaught one fails the example
instead of hiding behind a 500 page."""
from __future__ import annotations

import io
import itertools
import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from tests.webhooks.conftest import API_TOKEN, PUBLIC_URL, TWILIO_TOKEN, mailgun_form
from webhooks import api
from web.errors import Malformed

FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Form values travel URL-encoded as UTF-8: a lone surrogate cannot be sent, anything else can.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
SHORT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
HEADERS = ["From", "To", "Subject", "Message-ID", "Content-Type", "Content-Transfer-Encoding", "Return-Path",
           "Reply-To", "Auto-Submitted", "Precedence", "List-Id", "List-Unsubscribe", "MIME-Version",
           "Content-Disposition", "Authentication-Results"]
HEADER_VALUES = st.one_of(
    st.binary(max_size=80),
    st.sampled_from([b"multipart/mixed; boundary=B", b"message/rfc822", b"text/plain; charset=idna",
                     b"text/html; charset=undefined", b"multipart/report; report-type=delivery-status",
                     b"base64", b"quoted-printable", b"<>", b"<a@b>", b"=?utf-8?b?AAAA?=", b"Marie <m@example.fr>",
                     b"=?x-unknown?q?=FF?=", b"\"a\\", b"<<@@>>"]),
)
BODY_PIECES = st.sampled_from([b"--B\r\n", b"--B--\r\n", b"\r\n", b"Content-Type: text/plain\r\n\r\n",
                               b"Content-Type: message/rfc822\r\n\r\n", b"> STOP\r\n", b"STOP\r\n",
                               b"---------- Forwarded message ---------\r\nFrom: x@y\r\n",
                               b"https://ameli-remboursement-info.com\r\n", b"\xff\xfe\xed\xa0\x80"])


@pytest.fixture
def fuzz_client(app):
    app.config["PROPAGATE_EXCEPTIONS"] = True
    return app.test_client()


def twilio_signed(client, form: dict[str, str]):
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_URL + "/webhooks/twilio", form)
    return client.post("/webhooks/twilio", data=form, headers={"X-Twilio-Signature": signature})


@FUZZ
@given(body=TEXT, sender=st.one_of(st.just("+33612345678"), st.just("whatsapp:+33612345678"), SHORT),
       sid=st.one_of(st.just(""), SHORT), media=st.one_of(st.just("0"), st.just("1"), SHORT),
       extra=st.dictionaries(SHORT.filter(bool), SHORT, max_size=3))
def test_any_signed_twilio_form_is_answered_below_500(fuzz_client, body, sender, sid, media, extra):
    form = {**extra, "Body": body, "From": sender, "NumMedia": media,
            "MessageSid": sid and f"SM{uuid.uuid4().hex}{sid}"}
    assert twilio_signed(fuzz_client, form).status_code < 500


@st.composite
def mime(draw) -> bytes:
    """Header lines drawn from the ones the parser reads, then a body of MIME-ish pieces and noise."""
    lines = draw(st.lists(st.tuples(st.sampled_from(HEADERS), HEADER_VALUES), max_size=8))
    head = b"".join(name.encode() + b": " + value + b"\r\n" for name, value in lines)
    body = b"".join(draw(st.lists(st.one_of(BODY_PIECES, st.binary(max_size=40)), max_size=12)))
    return draw(st.sampled_from([b"From: Marie <marie@example.fr>\r\n", b""])) + head + b"\r\n" + body


@FUZZ
@given(raw=st.one_of(mime(), st.binary(max_size=300)))
def test_any_mime_bytes_are_answered_below_500(fuzz_client, raw):
    form: dict = {k: v for k, v in mailgun_form(b"x").items() if k != "body-mime"}
    form["body-mime"] = (io.BytesIO(raw), "message.mime")
    resp = fuzz_client.post("/webhooks/email/mime", data=form, content_type="multipart/form-data")
    assert resp.status_code < 500


@FUZZ
@given(fields=st.fixed_dictionaries({}, optional={
    "from": st.one_of(st.just("Marie <marie@example.fr>"), TEXT), "subject": TEXT, "Message-Id": TEXT,
    "body-plain": TEXT, "stripped-text": TEXT, "body-mime": TEXT}))
def test_any_mailgun_form_is_answered_below_500(fuzz_client, fields):
    form = {**{k: v for k, v in mailgun_form(b"x").items() if k != "body-mime"}, **fields}
    assert fuzz_client.post("/webhooks/email", data=form).status_code < 500


JSON = st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=60),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=20)
API_BODY = st.one_of(
    st.fixed_dictionaries({"text": st.one_of(st.text(max_size=300), JSON)},
                          optional={"channel": st.one_of(st.sampled_from(api.API_CHANNELS), JSON), "sender": JSON}),
    JSON,
)
_TOKENS = itertools.cycle([API_TOKEN, "api-token-partner-2"])  # two tokens: 150 examples stay under the rate limit


@FUZZ
@given(body=st.one_of(API_BODY.map(lambda d: json.dumps(d).encode()), st.binary(max_size=200)))
def test_any_api_body_is_answered_below_500(fuzz_client, body):
    resp = fuzz_client.post("/api/v1/check", data=body, content_type="application/json",
                            headers={"Authorization": f"Bearer {next(_TOKENS)}"})
    assert resp.status_code < 500


@FUZZ
@given(data=API_BODY.filter(lambda d: isinstance(d, dict)))
def test_api_parse_gives_a_report_or_malformed(data):
    try:
        report = api.parse(data)
    except Malformed:
        return
    assert report.text.strip() and "\ud800" not in report.text
