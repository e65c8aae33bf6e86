"""Request helpers shared by the channel adapters: body limits, JSON bodies, constant-time compare."""
from __future__ import annotations

import hmac
from typing import Any

from flask import request

from webhooks.errors import Malformed, TooLarge

SMALL_BODY = 64 * 1024  # SMS, Telegram and API requests
EMAIL_BODY = 10 * 1024 * 1024


def limit_body(max_bytes: int) -> None:
    """Refuse a body over `max_bytes` (413) before it is parsed."""
    length = request.content_length
    if length is not None and length > max_bytes:
        raise TooLarge(f"the body is larger than {max_bytes // 1024} KB")
    if length is None and len(request.get_data(cache=True)) > max_bytes:
        raise TooLarge(f"the body is larger than {max_bytes // 1024} KB")


def json_object() -> dict[str, Any]:
    """The body as a JSON object, or Malformed."""
    data = request.get_json(silent=True, force=True)
    if not isinstance(data, dict):
        raise Malformed("the body is not a JSON object")
    return data


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented secret with the configured one."""
    return bool(expected) and hmac.compare_digest((given or "").encode("utf-8"), expected.encode("utf-8"))


def client_ip() -> str:
    """The client address (ProxyFix has already applied X-Forwarded-For when configured)."""
    return request.remote_addr or "unknown"
