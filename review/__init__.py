"""The staff desk (a Flask blueprint): login, queue, case, decide, campaigns, staff and proposals."""
from __future__ import annotations

from typing import Any


def init_app(app: Any, settings: Any = None) -> None:
    """Register the desk on `app` (CSRF, sign-in, pages under /review/)."""
    # Imported here so that importing a desk helper does not register routes or load the pages.
    from review.web import register  # noqa: PLC0415

    register(app, settings)
