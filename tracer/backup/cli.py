"""``flask backup PATH`` and ``flask restore PATH``."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from tracer.backup.archive import BackupError
from tracer.backup.services import create_backup, restore_backup
from tracer.core.translation import gettext as _

LANG = click.option("--lang", type=click.Choice(["es", "en"]), default=None,
                    help="Language of the messages (default: the installation's).")


def _locale(lang: str | None) -> str:
    return lang or current_app.config["BABEL_DEFAULT_LOCALE"]


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@LANG
@with_appcontext
def backup_command(path, force, lang):
    """Write the database and every stored photo and document to PATH, one tar archive
    with a manifest (revision, rows per table, audit head, SHA-256 of every member).

    \b
    Exit status:
      0  written
      1  not written (the reason is printed); no partial file is left
    """
    with force_locale(_locale(lang)):
        try:
            done = create_backup(path, force=force)
        except BackupError as error:
            click.echo(_("Backup not written: %(reason)s", reason=error.message), err=True)
            raise SystemExit(1)
        manifest = done.manifest
        click.echo(_("Backup written: %(path)s (%(size)s bytes)", path=done.path, size=done.size))
        click.echo(_("database: %(kind)s, revision %(revision)s, %(rows)s rows in %(tables)s tables",
                     kind=manifest.database, revision=manifest.revision, rows=sum(manifest.tables.values()),
                     tables=len(manifest.tables)))
        click.echo(_("stored files: %(count)s", count=len(manifest.members) - 1))
        if manifest.audit_head:
            click.echo(_("audit head: %(head)s", head=manifest.audit_head))
        click.echo(f"sha256: {done.sha256}")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True,
              help="Restore into a database or upload folder that is not empty, replacing what the backup holds.")
@LANG
@with_appcontext
def restore_command(path, force, lang):
    """Restore the backup PATH into an empty database and upload folder (TRACER_DATABASE_URL,
    TRACER_UPLOAD_FOLDER). The archive is checked whole first; then the files and the
    database are restored, the rows counted and the audit chain verified.

    \b
    Exit status:
      0  restored and verified
      1  not restored, or restored but not verified (the reason is printed)
    """
    with force_locale(_locale(lang)):
        try:
            done = restore_backup(path, force=force)
        except BackupError as error:
            click.echo(_("Restore failed: %(reason)s", reason=error.message), err=True)
            raise SystemExit(1)
        manifest = done.manifest
        click.echo(_("Backup of %(created)s restored: %(rows)s rows in %(tables)s tables, %(files)s stored files.",
                     created=manifest.created_at, rows=sum(manifest.tables.values()), tables=len(manifest.tables),
                     files=done.files))
        if done.needs_upgrade:
            click.echo(_("The backup's schema is revision %(revision)s, older than this release's: run flask db "
                         "upgrade, then flask audit verify.", revision=manifest.revision))
            if manifest.audit_head:
                click.echo(_("audit head: %(head)s", head=manifest.audit_head))
            return
        click.echo(f"audit chain intact: {done.chain.count} events")
        if manifest.audit_head:
            click.echo(_("the backup's audit head is in the restored chain: %(head)s", head=manifest.audit_head))


def register(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
