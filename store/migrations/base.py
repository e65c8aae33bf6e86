"""The ordered list every migration registers on."""
from __future__ import annotations

from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("vigie")
