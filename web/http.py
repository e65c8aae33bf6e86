"""Request helpers shared by the channel adapters: body limits, JSON bodies, constant-time compare."""
from __future__ import annotations

import hmac
from typing import Any

from flask import request

from web.errors import Malformed, TooLarge

SMALL_BODY = 64 * 1024  # SMS, Telegram and API requests
EMAIL_BODY = 10 * 1024 * 1024
PICTURE_BODY = 9 * 1024 * 1024  # a screenshot upload (try-it page, API): under the app's EMAIL_BODY cap
MAX_JSON_DEPTH = 32  # a Telegram update nests about 8 deep; 1,000 deep only exhausts the stack


def limit_body(max_bytes: int) -> None:
    """Refuse a body over `max_bytes` (413) before it is parsed."""
    length = request.content_length
    if length is not None and length > max_bytes:
        raise TooLarge(f"the body is larger than {max_bytes // 1024} KB")
    if length is None and len(request.get_data(cache=True)) > max_bytes:
        raise TooLarge(f"the body is larger than {max_bytes // 1024} KB")


def json_object() -> dict[str, Any]:
    """The body as a JSON object nested at most MAX_JSON_DEPTH deep, or Malformed."""
    try:
        data = request.get_json(silent=True, force=True)
    except RecursionError:
        raise Malformed(f"the JSON is nested more than {MAX_JSON_DEPTH} deep") from None
    if not isinstance(data, dict):
        raise Malformed("the body is not a JSON object")
    if depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise Malformed(f"the JSON is nested more than {MAX_JSON_DEPTH} deep")
    return data


def depth(data: Any, limit: int) -> int:
    """How deep lists and objects nest in `data` (walked without recursion, stops past `limit`)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if deepest > limit:
                break
            stack.extend((v, level + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented secret with the configured one."""
    return bool(expected) and hmac.compare_digest((given or "").encode("utf-8"), expected.encode("utf-8"))


def client_ip() -> str:
    """The client address (ProxyFix has already applied X-Forwarded-For when configured)."""
    return request.remote_addr or "unknown"
