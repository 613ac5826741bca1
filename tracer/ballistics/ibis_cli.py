"""``flask import ibis-leads FILE.csv``: IBIS correlation leads from the command line (SPEC §6, §8)."""
from __future__ import annotations

import click
from flask import current_app

from tracer.auth.services import user_by_username
from tracer.ballistics.ibis_import import import_ibis_leads
from tracer.ballistics.services import EXAMINERS
from tracer.core.import_cli import fail, import_cli, run_import
from tracer.core.translation import gettext as _


def _examiner(username: str | None):
    """The examiner named by --user, or None (the system, which sees every item)."""
    if not username:
        return None
    user = user_by_username(username)
    if user is None or not user.active:
        fail(_("User not found or disabled: %(username)s", username=username))
    if user.role not in EXAMINERS:
        fail(_("Only examiners (analysts) record ballistic evidence and decide leads."))
    return user


@import_cli.command("ibis-leads")
@click.argument("file", type=click.File("rb"))
@click.option("--partial", is_flag=True,
              help="Create the leads without errors and report the rest (by default one bad row rejects the "
                   "file and nothing is written).")
@click.option("--dry-run", is_flag=True, help="Check the file and report what would happen; write nothing.")
@click.option("--user", "username", metavar="USERNAME",
              help="The examiner (analyst) who imports: the audit trail names them, and only the items of "
                   "their scope are found. Without it, every item is found.")
@click.option("--lang", type=click.Choice(["es", "en"]), default=None,
              help="Language of the report (default: the user's, otherwise Spanish).")
def import_ibis_leads_command(file, partial, dry_run, username, lang):
    """Create leads from an IBIS correlation list in FILE: ibis_ref_a, ibis_ref_b, rank, score
    (and optional notes), one row per pair of acquisitions.

    The file is checked whole before anything is written; a pair already joined
    changes nothing, so a file may be imported again safely.

    \b
    Exit status:
      0  imported, nothing new, or (with --partial) the good rows written
      1  rejected: nothing was written (with --dry-run: would be rejected)
      2  wrong arguments (unknown user, or not an examiner)
    """
    user = _examiner(username)
    locale = lang or getattr(user, "locale", None) or current_app.config["BABEL_DEFAULT_LOCALE"]
    run_import(file, locale, lambda **how: import_ibis_leads(file, user=user, partial=partial, dry_run=dry_run,
                                                               **how))
