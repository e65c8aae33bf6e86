"""The `vigie` command line: thin commands over the core; errors become one-line reasons."""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from bot.report import Report
from config import channels
from config.settings import Settings, SettingsError
from service import setup
from nlp.analyse import AnalysisError
from store import StoreError
from store.crypto import CryptoError
from store.refusal import Refusal
from vigie import evaluate
from vigie.intake_cli import COMMANDS as INTAKE_COMMANDS
from vigie.learn_cli import COMMANDS as LEARN_COMMANDS
from vigie.registry_cli import registry
from web.errors import IntakeError
from webhooks.mime import EmailParseError, parse_eml

MAX_TEXT_BYTES = 1024 * 1024
log = logging.getLogger("vigie")


class _Group(click.Group):
    """Translates named errors into a one-line reason and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (AnalysisError, EmailParseError, StoreError, SettingsError, evaluate.CorpusError,
                Refusal, CryptoError, IntakeError) as exc:
            # The command line speaks English, like its help: a refusal is said in English too.
            click.echo(f"vigie: {exc.say('en') if isinstance(exc, Refusal) else exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Group)
@click.option("-v", "--verbose", is_flag=True, help="Log more (to stderr).")
def main(verbose: bool) -> None:
    """Vigie: is this message from my hospital, Doctolib or ameli really from them?"""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


main.add_command(registry)
for _command in (*INTAKE_COMMANDS, *LEARN_COMMANDS):
    main.add_command(_command)


def _triage():
    from service.engine import triage_from_env  # noqa: PLC0415 - the models load only for the commands that check

    return triage_from_env()


def _read_text(text: str | None) -> str:
    if text is None or text == "-":
        if text is None and sys.stdin.isatty():
            raise AnalysisError("give the message as an argument, or '-' to read it from stdin")
        raw = sys.stdin.buffer.read(MAX_TEXT_BYTES + 1)
        if len(raw) > MAX_TEXT_BYTES:
            raise AnalysisError("the message is larger than 1 MB")
        if b"\x00" in raw:
            raise AnalysisError("the input is binary data, not text")
        return raw.decode("utf-8", errors="replace")
    if len(text.encode("utf-8", errors="replace")) > MAX_TEXT_BYTES:
        raise AnalysisError("the message is larger than 1 MB")
    return text


@main.command()
@click.argument("args", nargs=-1)
@click.option("--sender", help="Who sent it: SMS sender ID, phone number or e-mail address.")
@click.option("--channel", type=click.Choice(channels.received_on()), help="sms (default), whatsapp, telegram, email.")
@click.option("--eml", is_flag=True, help="The arguments are raw e-mail files (.eml).")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict JSON (one object per line).")
def check(args: tuple[str, ...], sender: str | None, channel: str | None, eml: bool,
          as_json: bool) -> None:
    """Check one message: TEXT, '-' for stdin, or --eml FILE... ."""
    if eml:
        if not args:
            raise AnalysisError("--eml needs at least one file")
        triage = _triage()
        failed = [p for p in args if not _check_eml(triage, Path(p), channel or "email", as_json)]
        if failed:  # every file was still checked; the status says not all of them could be
            raise EmailParseError(f"{len(failed)} of {len(args)} e-mail files could not be checked")
        return
    if len(args) > 1:
        raise AnalysisError("give the message as one argument (quote it), or '-' to read stdin")
    text = _read_text(args[0] if args else None)
    triage = _triage()
    report = Report(text=text, channel=channel or "sms", sender=sender)
    _print(triage.check(report), as_json, None)


def _check_eml(triage: Any, path: Path, channel: str, as_json: bool) -> bool:
    """Print the verdict of one .eml file (or its one-line error); False when it could not be checked."""
    try:
        parsed = parse_eml(path.read_bytes())
        verdict = triage.check(Report(**{**parsed.report.__dict__, "channel": channel}))
    except (OSError, EmailParseError, AnalysisError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if as_json:
            click.echo(json.dumps({"file": str(path), "error": reason}, ensure_ascii=False))
        else:
            click.echo(f"{path}: error: {reason}", err=True)
        return False
    _print(verdict, as_json, str(path))
    return True


def _print(verdict: Any, as_json: bool, file: str | None) -> None:
    if as_json:
        out = verdict.to_dict()
        if file:
            out = {"file": file, **out}
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    if file:
        click.echo(f"== {file}")
    click.echo(f"{verdict.verdict.upper()} (score {verdict.score:.2f})")
    for reason in verdict.reasons:
        click.echo(f"  - [{reason.code}] {reason.message}")
    click.echo("\n" + verdict.reply + "\n")


@main.command()
def migrate() -> None:
    """Create or migrate the database at VIGIE_DB and load the seed registry."""
    path = Settings.from_env().db_path
    setup.prepare_db(path)
    click.echo(f"database {path} is up to date", err=True)


@main.command()
def run() -> None:
    """What `make run` starts: secrets, migrations, admin login, web app, worker (and Telegram polling)."""
    from vigie.run import run as run_all  # noqa: PLC0415 - only this command needs it

    run_all()
