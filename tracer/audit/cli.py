"""``flask audit verify`` and ``flask audit seal``."""
from __future__ import annotations

import re
import signal
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from tracer.audit.sealer import Sealer
from tracer.audit.services import verify_chain
from tracer.extensions import db

audit_cli = AppGroup("audit", help="Audit trail.")

_HEAD = re.compile(r"^(\d+):([0-9a-fA-F]{64})$")


def _head(value: str | None) -> tuple[int, str] | None:
    """``SEQ:HASH``, or the path of a file holding it (the sealer's ``--head-file``)."""
    if not value:
        return None
    text = value.strip()
    if not _HEAD.match(text):
        path = Path(value)
        try:
            text = path.read_text(encoding="ascii").strip() if path.is_file() else ""
        except (OSError, UnicodeDecodeError) as error:
            raise click.BadParameter(f"cannot read {value}: {error}", param_hint="--expect-head")
        if not _HEAD.match(text):
            raise click.BadParameter("use SEQ:HASH as printed on the head line, or a file holding it",
                                     param_hint="--expect-head")
    seq, digest = _HEAD.match(text).groups()
    return int(seq), digest.lower()


@audit_cli.command("verify")
@click.option("--expect-head", default=None, metavar="SEQ:HASH|FILE",
              help="A head printed by an earlier run, or the sealer's head file, kept outside the "
                   "database: it must still be there.")
def verify(expect_head):
    """Check every sealed event's hash and its link to the one before, and count the
    events still waiting for the sealer. The last line printed is the chain's head;
    keeping it elsewhere lets a later run with --expect-head show that no newest event
    was removed."""
    report = verify_chain(expect_head=_head(expect_head))
    if report.intact:
        click.echo(f"audit chain intact: {report.count} events")
        click.echo(f"unsealed: {report.unsealed} events waiting for the sealer")
        click.echo(f"head: {report.head_seq}:{report.head_hash}")
        return
    click.echo(
        f"audit chain broken at event seq={report.first_bad_seq} (id={report.first_bad_id}): "
        f"{report.reason}; {report.count} events before it hold; "
        f"{report.unsealed} events wait for the sealer",
        err=True,
    )
    raise SystemExit(1)


@audit_cli.command("seal")
@click.option("--once", is_flag=True, help="Seal what waits now, then stop.")
@click.option("--interval", default=0.5, show_default=True, type=click.FloatRange(min=0.01, max=3600),
              metavar="SECONDS", help="Pause between passes.")
@click.option("--head-file", default=None, type=click.Path(dir_okay=False, writable=True),
              help="Where to publish the chain head (SEQ:HASH), outside the database.")
@click.option("--batch", default=1000, show_default=True, type=click.IntRange(min=1, max=100_000),
              help="Events sealed per transaction.")
def seal(once, interval, head_file, batch):
    """Chain the audit events requests appended unsealed, in the order they were
    appended. Run one beside the application servers; a second one waits and takes
    over when the first stops."""
    def say(line: str) -> None:
        click.echo(line)
        sys.stdout.flush()

    sealer = Sealer(db.engine, batch=batch, head_file=head_file, log=say)
    if not once:
        for number in (signal.SIGTERM, signal.SIGINT):  # finish or undo the batch under way, then stop
            signal.signal(number, lambda *_: sealer.stop.set())
    sealed = sealer.run(once=once, interval=interval)
    if once and sealed is not None:
        click.echo(f"sealed {sealed} events")


def register(app: Flask) -> None:
    app.cli.add_command(audit_cli)
