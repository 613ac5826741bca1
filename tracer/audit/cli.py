"""``flask audit verify``."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from tracer.audit.services import verify_chain

audit_cli = AppGroup("audit", help="Audit trail.")


def _head(value: str | None) -> tuple[int, str] | None:
    if not value:
        return None
    seq, _, digest = value.partition(":")
    if not (seq.isdigit() and len(digest) == 64):
        raise click.BadParameter("use SEQ:HASH as printed on the head line", param_hint="--expect-head")
    return int(seq), digest.lower()


@audit_cli.command("verify")
@click.option("--expect-head", default=None, metavar="SEQ:HASH",
              help="A head printed by an earlier run and kept outside the database: it must still be there.")
def verify(expect_head):
    """Check every event's hash and its link to the one before. The last line
    printed is the chain's head; keeping it elsewhere lets a later run with
    --expect-head show that no newest event was removed."""
    report = verify_chain(expect_head=_head(expect_head))
    if report.intact:
        click.echo(f"audit chain intact: {report.count} events")
        click.echo(f"head: {report.head_seq}:{report.head_hash}")
        return
    click.echo(
        f"audit chain broken at event seq={report.first_bad_seq} (id={report.first_bad_id}): "
        f"{report.reason}; {report.count} events before it hold",
        err=True,
    )
    raise SystemExit(1)


def register(app: Flask) -> None:
    app.cli.add_command(audit_cli)
