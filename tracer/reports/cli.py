"""``flask reports verify FILE.pdf``."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from tracer.reports.verify import verify_report_file

reports_cli = AppGroup("reports", help="Case reports.")


@reports_cli.command("verify")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--lang", type=click.Choice(["es", "en"]), default=None,
              help="Language of the answer (default: the installation's).")
def verify(file, lang):
    """Whether FILE.pdf, a printed case report, matches a stored report version (exit 0) or not (exit 1)."""
    with force_locale(lang or current_app.config["BABEL_DEFAULT_LOCALE"]):
        verdict = verify_report_file(file)
        click.echo(verdict.message, err=not verdict.matches)
    raise SystemExit(0 if verdict.matches else 1)


def register(app: Flask) -> None:
    app.cli.add_command(reports_cli)
