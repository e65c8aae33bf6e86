"""Backups hold every reporter's data: only the owner may read them, from the first byte."""
from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from store import maintenance
from store.db import StoreError, get_db


@pytest.fixture
def db(tmp_path):
    conn = get_db(tmp_path / "vigie.sqlite3")
    yield conn
    conn.conn.close()


def test_a_backup_is_readable_by_its_owner_only_even_with_a_permissive_umask(db, tmp_path):
    previous = os.umask(0o000)  # the most permissive umask a cron job could run with
    try:
        target = maintenance.backup(db, tmp_path / "backups" / "copy.sqlite3")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sqlite3.connect(target).execute("SELECT count(*) FROM staff").fetchone() == (0,)  # a working copy


def test_a_backup_never_overwrites_an_existing_file(db, tmp_path):
    target = tmp_path / "copy.sqlite3"
    target.write_bytes(b"keep me")
    with pytest.raises(StoreError, match="already exists"):
        maintenance.backup(db, target)
    assert target.read_bytes() == b"keep me"
