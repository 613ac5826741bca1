"""``flask import seizures FILE.csv``: the seizure import from the command line."""
from __future__ import annotations

import click
from flask import Flask, current_app

from tracer.auth.services import agency_by_acronym, user_by_username
from tracer.cases.services import CASE_WRITERS
from tracer.core.demo import add_demo_step
from tracer.core.import_cli import fail, import_cli, run_import
from tracer.core.translation import gettext as _
from tracer.seizures.importing import AgencyActor, import_seizures


def _actor(username: str | None, acronym: str | None):
    """The user named by --user, or the agency named by --agency acting on its own."""
    if not username and not acronym:
        fail(_("Say who imports: --user USERNAME (an officer, analyst or supervisor) or --agency ACRONYM."))
    agency = agency_by_acronym(acronym) if acronym else None
    if acronym and (agency is None or not agency.active):
        fail(_("Agency not found: %(acronym)s", acronym=acronym))
    if not username:
        if agency.level == "us":
            fail(_("Seizures are imported by Mexican agencies."))
        return AgencyActor(agency)
    user = user_by_username(username)
    if user is None or not user.active:
        fail(_("User not found or disabled: %(username)s", username=username))
    if user.role not in CASE_WRITERS:
        fail(_("Only officers, analysts and supervisors import seizures."))
    if agency is not None and agency.id != user.agency_id:
        fail(_("%(username)s belongs to %(acronym)s, not to %(other)s.", username=user.username,
                acronym=user.agency.acronym, other=agency.acronym))
    return user


@import_cli.command("seizures")
@click.argument("file", type=click.File("rb"))
@click.option("--user", "username", metavar="USERNAME",
              help="The officer, analyst or supervisor who imports: the audit trail names them, their agency "
                   "owns the new cases and their scope decides which case references may be used.")
@click.option("--agency", "acronym", metavar="ACRONYM",
              help="The importing agency. Alone (without --user) the import acts for the agency itself: new "
                   "cases are the agency's, without a lead officer, and the audit trail names the agency and "
                   "no user. With --user it must be the user's agency.")
@click.option("--partial", is_flag=True,
              help="Write the seizures whose rows are all good and report the rest (by default one bad row "
                   "rejects the file and nothing is written).")
@click.option("--dry-run", is_flag=True, help="Check the file and report what would happen; write nothing.")
@click.option("--lang", type=click.Choice(["es", "en"]), default=None,
              help="Language of the report (default: the user's, otherwise Spanish).")
def import_seizures_command(file, username, acronym, partial, dry_run, lang):
    """Import seizures and their firearms from FILE, one row per firearm.

    The file is checked whole before anything is written; rows already
    imported (same external_id in the agency) are counted and left alone.
    One of --user or --agency is required.

    \b
    Exit status:
      0  imported, nothing new, or (with --partial) the good seizures imported
      1  rejected: nothing was written (with --dry-run: would be rejected)
      2  wrong arguments (unknown user or agency)
    """
    actor = _actor(username, acronym)
    locale = lang or getattr(actor, "locale", None) or current_app.config["BABEL_DEFAULT_LOCALE"]
    run_import(file, locale, lambda **how: import_seizures(actor, file, partial=partial, dry_run=dry_run, **how))


def seed_demo_seizures(firearms: int, seed: int) -> None:
    """The demo seizures and their firearms (``flask seed-demo``)."""
    from tracer.seizures.demo import seed_seizures

    summary = seed_seizures(firearms, seed)
    for problem in summary.problems:
        click.echo(problem, err=True)
    click.echo(summary.line())


def register(app: Flask) -> None:
    add_demo_step(app, seed_demo_seizures, order=30)
    app.cli.add_command(import_cli)
