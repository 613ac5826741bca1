"""``flask agencies create``, ``flask users create|token|disable`` and ``flask seed-demo``."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from tracer.auth import services, tokens
from tracer.auth.models import AGENCY_LEVELS
from tracer.core.access import ROLES
from tracer.core.demo import add_demo_step, demo_steps
from tracer.core.errors import ValidationFailed
from tracer.extensions import db

agencies_cli = AppGroup("agencies", help="Agencies.")
users_cli = AppGroup("users", help="User accounts.")


def _fail(failure: ValidationFailed) -> None:
    for field, messages in failure.fields.items():
        for message in messages:
            click.echo(f"{field}: {message}", err=True)
    raise SystemExit(2)


def _user_or_exit(username: str):
    user = services.user_by_username(username)
    if user is None:
        click.echo(f"user not found: {username}", err=True)
        raise SystemExit(2)
    return user


@agencies_cli.command("create")
@click.argument("acronym")
@click.option("--name", required=True)
@click.option("--level", required=True, type=click.Choice(AGENCY_LEVELS))
@click.option("--state-code", default=None, help="INEGI state code, for state agencies.")
@click.option("--contact-name", default=None)
@click.option("--contact-phone", default=None)
@click.option("--contact-email", default=None)
def create_agency(acronym, name, level, state_code, contact_name, contact_phone, contact_email):
    """Create an agency."""
    values = {"acronym": acronym, "name": name, "level": level,
              "state_code": state_code.zfill(2) if state_code else None,
              "contact_name": contact_name, "contact_phone": contact_phone, "contact_email": contact_email}
    try:
        agency = services.save_agency(values)
    except ValidationFailed as failure:
        _fail(failure)
    db.session.commit()
    click.echo(f"agency {agency.acronym} created (id {agency.id})")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--agency", "acronym", required=True, help="Acronym of the user's agency.")
@click.option("--name", "full_name", default=None, help="Full name (defaults to the username).")
@click.option("--email", default=None)
@click.option("--locale", default="es", type=click.Choice(["es", "en"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(username, role, acronym, full_name, email, locale, password_stdin):
    """Create a user; without --password-stdin a strong password is generated and
    printed once, and the user must change it at first sign-in."""
    agency = services.agency_by_acronym(acronym)
    if agency is None:
        click.echo(f"agency not found: {acronym}", err=True)
        raise SystemExit(2)
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    values = {"username": username, "full_name": full_name or username, "email": email,
              "role": role, "agency": agency, "locale": locale}
    try:
        user, generated = services.create_user(values, password)
    except ValidationFailed as failure:
        _fail(failure)
    db.session.commit()
    click.echo(f"user {user.username} created ({user.role}, {agency.acronym})")
    if generated:
        click.echo(f"password (shown once): {generated}")


@users_cli.command("token")
@click.argument("username")
@click.option("--name", "label", default="API", help="A label saying what the token is for.")
def create_token(username, label):
    """Print a new API token for USERNAME (shown once, stored hashed)."""
    user = _user_or_exit(username)
    _, raw = tokens.issue_token(user, label)
    db.session.commit()
    click.echo(raw)


@users_cli.command("disable")
@click.argument("username")
def disable_user(username):
    """Disable USERNAME: sessions end and tokens stop working."""
    user = _user_or_exit(username)
    try:
        services.set_active(user, False)
    except ValidationFailed as failure:
        _fail(failure)
    db.session.commit()
    click.echo(f"user {user.username} disabled")


@click.command("seed-demo")
@click.option("--firearms", default=200, show_default=True, type=click.IntRange(0, 2_000_000),
              help="How many seized firearms to generate, once seizures exist.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Random seed.")
def seed_demo(firearms, seed):
    """Create demo agencies, one user of every role, seizures, trace requests and results
    (idempotent); print the logins."""
    from flask import current_app

    if current_app.config.get("ENV_NAME") == "production":
        # Demo accounts share a published password: never in a real deployment.
        click.echo("seed-demo refuses to run with the production configuration", err=True)
        raise SystemExit(2)
    for step in demo_steps():
        step(firearms, seed)


def seed_demo_accounts(firearms: int, seed: int) -> None:
    """The demo agencies and one user of every role; print the logins."""
    from tracer.auth.demo import DEMO_PASSWORD, seed_accounts

    accounts = seed_accounts()
    db.session.commit()
    click.echo("Demo logins (password for all: %s):" % DEMO_PASSWORD)
    for user in accounts:
        click.echo(f"  {user.username:<22} {user.role:<11} {user.agency.acronym}")


def register(app: Flask) -> None:
    app.cli.add_command(agencies_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_demo)
    add_demo_step(app, seed_demo_accounts, order=20)
