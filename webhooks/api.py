"""POST /api/v1/check: verdict JSON for hospital websites and partners (bearer tokens)."""
from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, current_app, jsonify, request

from bot import replies
from bot.conversation import has_visible
from bot.report import Report
from config import channels
from config.logsafe import failure
from service import clean, picture
from web.errors import Malformed, RateLimited, Unauthenticated, Unavailable, UnreadablePicture
from web.http import PICTURE_BODY, SMALL_BODY, json_object, limit_body
from web.ratelimit import limit
from web.resources import get_intake
from webhooks.channel import Channel

bp = Blueprint("api", __name__)
API_CHANNELS = channels.received_on() + ("api",)  # where the message came from; this API itself by default
MAX_TEXT = 20_000


@bp.post("/api/v1/check")
def check():
    """Authenticate, rate-limit per token, check the text, return the verdict JSON (nothing stored)."""
    upload = request.mimetype == "multipart/form-data"
    limit_body(PICTURE_BODY if upload else SMALL_BODY)  # only a screenshot upload may be large
    intake = get_intake()
    token = bearer_token(intake.settings.api_tokens)
    if not limit("api").allow(hashlib.sha256(token.encode()).hexdigest()):
        raise RateLimited("too many requests for this token; wait a minute")
    report = parse_upload() if upload else parse(json_object())
    try:
        verdict = intake.triage.check(report)
    except Exception as exc:  # noqa: BLE001 - one named answer for any analysis failure
        current_app.logger.error("api: analysis failed: %s", failure(exc))  # never the message: it may quote the text
        raise Unavailable("the analysis failed; try again later") from exc
    return jsonify(verdict.to_dict())


def bearer_token(tokens: tuple[str, ...]) -> str:
    """The presented bearer token when it is one of `tokens` (compared in constant time)."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer" or not given:
        raise Unauthenticated("a bearer token is required")
    matches = [hmac.compare_digest(given.encode(), t.encode()) for t in tokens]  # no early exit
    if not any(matches):
        raise Unauthenticated("the bearer token is not valid")
    return given


def parse_upload() -> Report:
    """The Report of a multipart request: an `image` file (a screenshot), optional text, channel, sender.

    The picture is read here; one that cannot be read is a 422 whose reason starts with its code."""
    image = request.files.get("image")
    if image is None:
        raise Malformed("a multipart request needs an 'image' file (or send JSON with 'text')")
    data, form = image.read(picture.UPLOAD_BYTES + 1), request.form
    text = form.get("text", "")
    if len(text) > MAX_TEXT:
        raise Malformed(f"'text' is longer than {MAX_TEXT} characters")
    channel, sender = fields(form.get("channel") or "api", form.get("sender"))
    read = picture.read(Report(text=text, channel=channel, sender=sender), lambda: data, picture.UPLOAD_BYTES)
    if read.error:
        raise UnreadablePicture(f"{read.error}: {replies.t('en', 'conversation', read.error)}")
    return clean.report(read.report)


def parse(data: dict) -> Report:
    """The Report of an API request `{text, channel?, sender?}`."""
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise Malformed("'text' must be a non-empty string")
    if not has_visible(clean.text(text)):
        raise Malformed("'text' is an empty message (only spaces or control characters)")
    if len(text) > MAX_TEXT:
        raise Malformed(f"'text' is longer than {MAX_TEXT} characters")
    channel, sender = fields(data.get("channel") or "api", data.get("sender"))
    return clean.report(Report(text=text, channel=channel, sender=sender))


def fields(channel: object, sender: object) -> tuple[str, str | None]:
    """The checked channel and sender of a request."""
    if not isinstance(channel, str) or channel not in API_CHANNELS:
        raise Malformed(f"'channel' must be one of {', '.join(API_CHANNELS)}")
    if sender is not None and (not isinstance(sender, str) or len(sender) > 500):
        raise Malformed("'sender' must be a string")
    return channel, sender or None


CHANNEL = Channel("api", ("api",), bp, "VIGIE_API_TOKENS", lambda s: s.api_tokens)
