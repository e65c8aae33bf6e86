"""Ordered schema migrations. Never edit one after release: add a new one at the end of `later.py`.

They register in import order: `first` (0001–0010), then `later` (0011 onwards).
"""
from __future__ import annotations

from store.migrations import first, later  # noqa: F401 - registering, in this order
from store.migrations.base import MIGRATIONS

__all__ = ["MIGRATIONS"]
