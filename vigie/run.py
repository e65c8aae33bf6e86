"""`vigie run` (what `make run` starts): secrets, migrations, a one-time admin login, web + worker (+ bot)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import click

from config.settings import Settings
from service import setup
from store import staff
from vigie import dev_secrets

ADMIN_EMAIL = "admin@vigie.local"
HOST, PORT = "127.0.0.1", 5000


def prepare_local() -> tuple[Settings, str | None]:
    """Secrets into var/secrets.env on a first run, migrations, and an admin; (settings, new password)."""
    settings = Settings.from_env()
    if not settings.production:
        values, created = dev_secrets.ensure_dev_secrets(settings.db_path.parent / "secrets.env")
        for key, value in values.items():
            if not os.environ.get(key, "").strip():  # an empty variable counts as missing
                os.environ[key] = value
        if created:
            click.echo(f"development secrets written to {settings.db_path.parent / 'secrets.env'} (mode 0600)")
        settings = Settings.from_env()
    setup.require_secrets(settings)
    db = setup.prepare(settings.db_path)
    password = None
    if staff.count(db, "admin") == 0:
        password = staff.generate_password()
        staff.add(db, ADMIN_EMAIL, "admin", password)
    db.conn.close()
    return settings, password


def commands(settings: Settings) -> list[list[str]]:
    """The processes to start: web app, worker, and Telegram polling when a bot token is set."""
    me = [sys.executable, "-m", "vigie"]
    out = [me + ["serve", "--host", HOST, "--port", str(PORT)], me + ["worker"]]
    if settings.telegram_bot_token:
        out.append(me + ["telegram-poll"])
    return out


def run() -> None:
    """Start everything in this process group; Ctrl-C (or one child dying) stops all."""
    settings, password = prepare_local()
    procs = [subprocess.Popen(cmd) for cmd in commands(settings)]
    click.echo(f"\nVigie is starting on http://{HOST}:{PORT}/ (try-it page), worker running"
               + (", Telegram polling" if settings.telegram_bot_token else "") + ". Ctrl-C stops all.")
    if password:
        click.echo(f"One-time admin login (shown once): {ADMIN_EMAIL} / {password}  ->  http://{HOST}:{PORT}/review/login")
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
