"""Named HTTP-facing errors; `create_app` translates them in one errorhandler."""
from __future__ import annotations


class IntakeError(Exception):
    """A request refused before any work, with the HTTP status and a reason."""

    status = 400
    headers: dict[str, str] = {}

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Malformed(IntakeError):
    """The payload cannot be parsed (400)."""

    status = 400


class Unauthenticated(IntakeError):
    """No or a wrong bearer token (401)."""

    status = 401
    headers = {"WWW-Authenticate": 'Bearer realm="vigie"'}


class Forged(IntakeError):
    """A signature or secret does not match (403)."""

    status = 403


class NotAcceptable(IntakeError):
    """A stale or replayed signed request (406: Mailgun does not retry it)."""

    status = 406


class UnreadablePicture(IntakeError):
    """An uploaded picture that cannot be read (422); the reason starts with its code."""

    status = 422


class TooLarge(IntakeError):
    """The body is over the route's limit (413)."""

    status = 413


class RateLimited(IntakeError):
    """Too many requests from one client (429)."""

    status = 429
    headers = {"Retry-After": "60"}


class Unavailable(IntakeError):
    """The analysis failed for this request (503); webhooks never use it, they store an error case."""

    status = 503
