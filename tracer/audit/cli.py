"""``flask audit verify``."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from tracer.audit.services import verify_chain

audit_cli = AppGroup("audit", help="Audit trail.")


@audit_cli.command("verify")
def verify():
    """Check every event's hash and its link to the one before."""
    report = verify_chain()
    if report.intact:
        click.echo(f"audit chain intact: {report.count} events")
        return
    click.echo(
        f"audit chain broken at event seq={report.first_bad_seq} (id={report.first_bad_id}): "
        f"{report.reason}; {report.count} events before it hold",
        err=True,
    )
    raise SystemExit(1)


def register(app: Flask) -> None:
    app.cli.add_command(audit_cli)
