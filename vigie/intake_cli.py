"""CLI commands for the intake: serve, worker, telegram-poll, ingest-email, staff, backup, purge, run."""
from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click

from config.settings import Settings, SettingsError
from service import engine, retention, setup
from store import audit, maintenance, staff
from store.db import StoreError
from vigie import dev_secrets

MAX_EML_BYTES = 10 * 1024 * 1024


def local_settings() -> Settings:
    """Settings from the environment, completed by var/secrets.env (made by `vigie run`) off production."""
    settings = Settings.from_env()
    secrets_file = settings.db_path.parent / "secrets.env"
    if not settings.production and not (settings.secret_key and settings.data_key) and secrets_file.exists():
        values = dev_secrets.load_env_file(secrets_file)
        from dataclasses import replace  # noqa: PLC0415
        settings = replace(settings, secret_key=settings.secret_key or values.get("SECRET_KEY", ""),
                           data_key=settings.data_key or values.get("VIGIE_DATA_KEY", ""))
    return settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the web app with werkzeug (local use; production runs gunicorn)."""
    from vigie.app import create_app  # noqa: PLC0415 - loads the engine

    create_app(local_settings()).run(host=host, port=port, threaded=True, use_reloader=False)


@click.command()
@click.option("--once", is_flag=True, help="One pass over the outbox, then exit.")
def worker(once: bool) -> None:
    """Send queued messages with retries and backoff; purge old data daily."""
    from store.db import connect  # noqa: PLC0415
    from vigie.worker import Worker  # noqa: PLC0415
    from webhooks.senders import default_senders  # noqa: PLC0415

    settings = local_settings()
    setup.require_secrets(settings)
    setup.prepare(settings.db_path).conn.close()
    job = Worker(setup.data_keys(settings), default_senders(settings), settings.retention_days)
    db = connect(settings.db_path)
    if once:
        click.echo(json.dumps(job.run_once(db)))
        return
    job.loop(db, _stop_event())


@click.command("telegram-poll")
def telegram_poll() -> None:
    """Run the Telegram bot by long polling (no public URL needed)."""
    from vigie import telegram_poll as poll  # noqa: PLC0415
    from webhooks.senders import TelegramSender, default_senders  # noqa: PLC0415

    settings = local_settings()
    if not settings.telegram_bot_token:
        raise SettingsError("TELEGRAM_BOT_TOKEN is not set")
    intake = engine.build_intake(settings, default_senders(settings))
    poll.run(intake, settings.db_path, TelegramSender(settings.telegram_api_url, settings.telegram_bot_token),
             _stop_event())


@click.command("ingest-email")
def ingest_email() -> None:
    """Handle one e-mail from stdin (a mail server's pipe), as the Mailgun route does."""
    from store.db import connect  # noqa: PLC0415
    from webhooks.mailgun import receive_email  # noqa: PLC0415
    from webhooks.senders import default_senders  # noqa: PLC0415

    raw = sys.stdin.buffer.read(MAX_EML_BYTES + 1)
    if len(raw) > MAX_EML_BYTES:
        raise StoreError("the e-mail is larger than 10 MB")
    settings = local_settings()
    intake = engine.build_intake(settings, default_senders(settings))
    db = connect(settings.db_path)
    answer = receive_email(intake, db, raw)
    if answer is None:  # a bounce, auto-reply or list mail: never answered (RFC 3834)
        click.echo(json.dumps({"case_id": None, "duplicate": False, "verdict": None, "ignored": True}))
        return
    click.echo(json.dumps({"case_id": answer.case_id, "duplicate": answer.duplicate, "verdict": answer.verdict}))


@click.group("staff")
def staff_group() -> None:
    """Staff accounts of the review desk."""


@staff_group.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(staff.ROLES), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of stdin.")
def staff_add(email: str, role: str, password_stdin: bool) -> None:
    """Create a staff account; without --password-stdin a password is generated and printed once."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else staff.generate_password()
    db = _database()
    staff.add(db, email, role, password)
    audit.record(db, CLI_ACTOR, "staff_add", json.dumps({"email": email.strip().lower(), "role": role}))
    click.echo(f"staff account {email.strip().lower()} ({role}) created", err=True)
    if not password_stdin:
        click.echo(f"password (shown once): {password}")


@click.command("reset-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from one line of stdin.")
def staff_reset_password(email: str, password_stdin: bool) -> None:
    """Set a new password; every session the account has open ends (its session version moves on)."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else staff.generate_password()
    db = _database()
    staff_id = staff.id_of(db, email)
    staff.set_password(db, staff_id, password)
    audit.record(db, CLI_ACTOR, "staff_password", json.dumps({"staff": staff_id}))
    click.echo(f"password of {email.strip().lower()} changed; its sessions are ended", err=True)
    if not password_stdin:
        click.echo(f"password (shown once): {password}")


staff_group.add_command(staff_reset_password)
# The name it had before (README and habits): same command, not listed.
staff_group.add_command(click.Command("password", callback=staff_reset_password.callback,
                                      params=staff_reset_password.params, help=staff_reset_password.help,
                                      hidden=True))


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Copy the live database to PATH (SQLite online backup)."""
    db = _database()
    maintenance.backup(db, path)
    click.echo(f"backup written to {path}", err=True)


@click.command()
def purge() -> None:
    """Delete cases, outbox and conversations older than VIGIE_RETENTION_DAYS; print the counts."""
    settings = Settings.from_env()
    counts = retention.purge(_database(settings), settings.retention_days)
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))


# Who the audit log names for a change made from the command line (whoever can run it has the server).
CLI_ACTOR = "cli"


def _database(settings: Settings | None = None) -> Any:
    """The prepared database, saying which file it is (VIGIE_DB's default is relative to the
    current directory, so the same command run elsewhere opens another file)."""
    path = (settings or Settings.from_env()).db_path
    click.echo(f"database {path.resolve()}", err=True)
    return setup.prepare(path)


def _stop_event() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    logging.getLogger("vigie").setLevel(logging.INFO)
    return stop


COMMANDS = (serve, worker, telegram_poll, ingest_email, staff_group, backup, purge)
