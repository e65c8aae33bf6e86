"""The demo `make run` shows until the web app exists: real verdicts on a few messages."""
from __future__ import annotations

import click

from bot.report import Report

SAMPLES = (
    Report("CPAM : Votre carte vitale arrive à expiration, afin de rester couvert, veuillez remplir "
           "le formulaire de renouvellement : https://assures-amell.fr", "sms", "0621478944"),
    Report("Vous n'avez pas utilisé votre chèque énergie. RDV sur https://chequeenergie.gouv.fr "
           "ou appelez le n° vert 0805204805. Le Chèque énergie.", "sms", "38455"),
    Report("Coucou maman, c'est mon nouveau numéro, écris-moi sur WhatsApp", "sms"),
)


def demo(triage) -> None:
    """Print the verdict and reply for each sample, then how to check your own message."""
    for report in SAMPLES:
        verdict = triage.check(report)
        click.echo(f"\n> {report.text}\n  (from {report.sender or 'unknown'})")
        click.echo(f"= {verdict.verdict.upper()} ({verdict.score:.2f})")
        click.echo("  " + verdict.reply.replace("\n", "\n  "))
    click.echo(
        "\nCheck your own message:\n"
        "  .venv/bin/vigie check \"texte du message\" --sender 0612345678\n"
        "  .venv/bin/vigie check --eml message.eml --json\n"
        "  .venv/bin/vigie eval ../shared/corpus/dev.jsonl\n"
    )
