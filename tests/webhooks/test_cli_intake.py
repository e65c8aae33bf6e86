"""The intake commands: staff add, backup, purge, ingest-email, and what `vigie run` prepares."""
from __future__ import annotations

import json
import sqlite3
import stat

import pytest
from click.testing import CliRunner

from vigie.cli import main
from tests.webhooks.conftest import forwarded_eml


@pytest.fixture
def env(tmp_path, per_test_secrets):
    return {"VIGIE_DB": str(tmp_path / "var" / "vigie.sqlite3"), "PUBLIC_URL": "", **per_test_secrets,
            "TELEGRAM_BOT_TOKEN": "", "SMTP_URL": ""}


@pytest.fixture
def vigie(env):
    def run(*args: str, input=None):
        return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)
    return run


def _db(env) -> sqlite3.Connection:
    return sqlite3.connect(env["VIGIE_DB"])


def test_staff_add_reads_one_password_line_without_its_newline(vigie, env):
    from argon2 import PasswordHasher
    result = vigie("staff", "add", "ana@example.org", "--role", "reviewer", "--password-stdin",
                   input="s3cret passphrase\nignored\n")
    assert result.exit_code == 0 and "s3cret" not in result.output
    stored = _db(env).execute("SELECT password_hash FROM staff").fetchone()[0]
    assert PasswordHasher().verify(stored, "s3cret passphrase")


def test_staff_add_without_a_password_prints_a_generated_one_once(vigie, env):
    from argon2 import PasswordHasher
    result = vigie("staff", "add", "admin@example.org", "--role", "admin")
    password = result.stdout.strip().rsplit(" ", 1)[-1]
    assert PasswordHasher().verify(_db(env).execute("SELECT password_hash FROM staff").fetchone()[0], password)


def test_duplicate_staff_exits_1_with_a_reason(vigie):
    vigie("staff", "add", "ana@example.org", "--role", "reviewer")
    result = vigie("staff", "add", "ana@example.org", "--role", "admin")
    assert result.exit_code == 1 and "already exists" in result.output


def test_backup_writes_a_readable_copy(vigie, tmp_path):
    assert vigie("migrate").exit_code == 0
    assert vigie("backup", str(tmp_path / "copy.sqlite3")).exit_code == 0
    assert sqlite3.connect(tmp_path / "copy.sqlite3").execute("SELECT count(*) FROM institutions").fetchone()[0] > 0


def test_purge_prints_the_counts(vigie):
    result = vigie("purge")
    assert result.exit_code == 0 and "cases=0" in result.output and "conversation=0" in result.output


def test_ingest_email_stores_a_case_and_queues_the_reply_without_smtp(vigie, env):
    result = vigie("ingest-email", input=forwarded_eml())
    out = json.loads(result.stdout)
    assert out["case_id"] == 1 and out["verdict"] in ("scam", "suspicious")
    assert _db(env).execute("SELECT channel, status FROM outbox").fetchall() == [("email", "pending")]
    assert json.loads(vigie("ingest-email", input=forwarded_eml()).stdout)["duplicate"] is True  # same forwarded id
    assert vigie("ingest-email", input=b"").exit_code == 1


def test_run_prepares_secrets_0600_and_one_admin_login(env, tmp_path, monkeypatch):
    from vigie import run
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.delenv("VIGIE_DATA_KEY")
    settings, password = run.prepare_local()
    secrets_file = tmp_path / "var" / "secrets.env"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert settings.secret_key and settings.data_key and password
    assert run.prepare_local()[1] is None  # the login is printed once only
    assert [c[3] for c in run.commands(settings)] == ["serve", "worker"]


def test_production_without_secrets_refuses_to_serve(vigie, env):
    env.update(PUBLIC_URL="https://vigie.example.org", SECRET_KEY="", VIGIE_DATA_KEY="")
    result = vigie("worker", "--once")
    assert result.exit_code == 1 and "refusing to start" in result.output


def test_staff_password_changes_the_password_and_ends_the_sessions(vigie, env):
    from store import staff
    from store.db import get_db

    assert vigie("staff", "add", "ines@vigie.example", "--role", "reviewer", "--password-stdin",
                 input="first passphrase\n").exit_code == 0
    db = get_db(env["VIGIE_DB"])
    account = staff.id_of(db, "ines@vigie.example")
    before = staff.session_version(db, account)
    result = vigie("staff", "password", "ines@vigie.example", "--password-stdin", input="second passphrase\n")
    assert result.exit_code == 0 and "sessions are ended" in result.stderr
    assert staff.session_version(db, account) == before + 1
    assert vigie("staff", "password", "nobody@vigie.example", "--password-stdin", input="x" * 9 + "\n").exit_code == 1


def test_account_changes_from_the_cli_are_in_the_audit_log(vigie, env):
    assert vigie("staff", "add", "lea@vigie.example", "--role", "admin", "--password-stdin",
                 input="first passphrase\n").exit_code == 0
    assert vigie("staff", "reset-password", "lea@vigie.example", "--password-stdin",
                 input="second passphrase\n").exit_code == 0
    rows = _db(env).execute("SELECT actor, action, detail FROM audit ORDER BY id").fetchall()
    assert [(actor, action) for actor, action, _ in rows] == [("cli", "staff_add"), ("cli", "staff_password")]
    assert "passphrase" not in json.dumps(rows)


def test_commands_that_open_the_database_say_which_file(vigie, env, tmp_path):
    from pathlib import Path

    result = vigie("backup", str(tmp_path / "copy.sqlite3"))
    assert result.exit_code == 0
    assert f"database {Path(env['VIGIE_DB']).resolve()}" in result.stderr


def test_an_empty_or_unreadable_eml_file_exits_with_status_1(vigie, tmp_path):
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    for path in (empty, tmp_path / "missing.eml"):
        result = vigie("check", "--eml", str(path))
        assert result.exit_code == 1 and "could not be checked" in result.output
