"""``flask import trace-results FILE.csv``: trace results from the command line (SPEC §6, §8)."""
from __future__ import annotations

import click
from flask import current_app

from tracer.auth.services import agency_by_acronym, user_by_username
from tracer.core.import_cli import fail, import_cli, run_import
from tracer.core.translation import gettext as _
from tracer.tracing.results_import import import_trace_results


def _who(username: str | None, acronym: str | None):
    """(liaison user or None, US agency or None) named by --user and --agency."""
    agency = agency_by_acronym(acronym) if acronym else None
    if acronym and (agency is None or not agency.active):
        fail(_("Agency not found: %(acronym)s", acronym=acronym))
    if agency is not None and agency.level != "us":
        fail(_("Trace results come from a US partner office: %(acronym)s is not one.", acronym=agency.acronym))
    user = None
    if username:
        user = user_by_username(username)
        if user is None or not user.active:
            fail(_("User not found or disabled: %(username)s", username=username))
        if user.role != "liaison":
            fail(_("Only liaison officers record trace results."))
        if agency is not None and agency.id != user.agency_id:
            fail(_("%(username)s belongs to %(acronym)s, not to %(other)s.", username=user.username,
                    acronym=user.agency.acronym, other=agency.acronym))
    return user, agency


@import_cli.command("trace-results")
@click.argument("file", type=click.File("rb"))
@click.option("--partial", is_flag=True,
              help="Record the rows without errors and report the rest (by default one bad row rejects the "
                   "file and nothing is written).")
@click.option("--dry-run", is_flag=True, help="Check the file and report what would happen; write nothing.")
@click.option("--user", "username", metavar="USERNAME",
              help="The liaison officer who returns the results: the audit trail names them, and only requests "
                   "addressed to their agency are found. Required for rows that carry the purchaser's details "
                   "(personal data), which are recorded in their name.")
@click.option("--agency", "acronym", metavar="ACRONYM",
              help="Only requests addressed to this US partner office are found.")
@click.option("--lang", type=click.Choice(["es", "en"]), default=None,
              help="Language of the report (default: the user's, otherwise Spanish).")
def import_trace_results_command(file, partial, dry_run, username, acronym, lang):
    """Record trace results from FILE, one row per trace request (by trace_number).

    The file is checked whole before anything is written; a row whose request
    already holds exactly that result changes nothing, so a file may be
    imported again safely.

    \b
    Exit status:
      0  imported, nothing new, or (with --partial) the good rows recorded
      1  rejected: nothing was written (with --dry-run: would be rejected)
      2  wrong arguments (unknown user or agency)
    """
    user, agency = _who(username, acronym)
    locale = lang or getattr(user, "locale", None) or current_app.config["BABEL_DEFAULT_LOCALE"]
    run_import(file, locale, lambda **how: import_trace_results(file, user=user, agency=agency, partial=partial,
                                                                  dry_run=dry_run, **how))
