"""`vigie registry ...`: importing the national establishment files."""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Callable

import click

from config.settings import Settings, SettingsError
from store.db import StoreError, get_db
from store.imports import ImportFileError, ImportReport

MAX_SHOWN = 20  # line messages echoed to stderr; the report keeps the count


@click.group("registry")
def registry() -> None:
    """Manage the official contact registry."""


def _common(func: Callable[..., None]) -> Callable[..., None]:
    options = [
        click.argument("file", type=click.Path(dir_okay=False, path_type=Path)),
        click.option("--partial", is_flag=True,
                     help="The file is a subset: do not close entries absent from it."),
        click.option("--source", default=None, help="Page to cite for the imported contacts."),
        click.option("--date", "checked", default=None, help="Extract date (YYYY-MM-DD) if the file lacks it."),
        click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@registry.command("import-finess")
@_common
def import_finess_command(file: Path, partial: bool, source: str | None, checked: str | None,
                          as_json: bool) -> None:
    """Import a FINESS extract: the legacy `;` file or the FINESS+ JSON feed (.gz accepted)."""
    from store.finess import import_finess

    _run(import_finess, "finess", file, partial, source, checked, as_json)


@registry.command("import-annuaire")
@_common
def import_annuaire_command(file: Path, partial: bool, source: str | None, checked: str | None,
                            as_json: bool) -> None:
    """Import the Annuaire Santé extract (ps-libreacces-personne-activite, `|`-separated)."""
    from store.annuaire import import_annuaire

    _run(import_annuaire, "annuaire", file, partial, source, checked, as_json)


def _run(importer: Callable[..., ImportReport], kind: str, file: Path, partial: bool,
         source: str | None, checked: str | None, as_json: bool) -> None:
    shown = [0]

    def echo(message: str) -> None:
        shown[0] += 1
        if shown[0] <= MAX_SHOWN:
            click.echo(f"\n{file.name}: {message}" if sys.stderr.isatty() else f"{file.name}: {message}",
                       err=True)

    try:
        db = get_db(Settings.from_env().db_path)
        report = ImportReport(kind, str(file), on_message=echo)
        importer(db, file, partial=partial, source=source, checked=checked, report=report)
    except (ImportFileError, StoreError, SettingsError, OSError, sqlite3.Error) as exc:
        raise click.ClickException(str(exc).splitlines()[0]) from None
    hidden = report.error_count + report.warning_count - min(shown[0], MAX_SHOWN)
    if hidden > 0:
        click.echo(f"{file.name}: … and {hidden:,} more line messages", err=True)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        click.echo(report.summary())
