"""`opendata user ...` and `opendata token ...`: accounts, roles, reset links and API tokens
from the shell.

These run as the trusted command-line actor, so the first site administrator can be made
before anyone can sign in. Passwords are never taken as arguments (they would stay in shell
history): they are prompted for twice, hidden, or read from standard input for scripts.
"""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from catalog.accounts.password_resets import lifetime_in_words, reset_link_issue
from catalog.accounts.tokens import token_create
from catalog.accounts.users import account_create, find_account, membership_set
from catalog.errors import CatalogError
from catalog.permissions import ROLES, Actor
from catalog.publishing.groups import get_organisation
from catalog.transactions import all_or_nothing
from catalog.uk_time import end_of_uk_day
from opendata.web.password_reset import reset_lifetime, reset_url

CLI_ACTOR = Actor.system("command line")


def _session():
    return current_app.extensions["catalog"]["sessions"]()


def _refuse(error: CatalogError) -> click.ClickException:
    where = f" ({error.field})" if error.field else ""
    return click.ClickException(f"{error.message}{where}")


@click.group("user")
def user_group() -> None:
    """Publisher accounts and their roles."""


@user_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name, shown in the audit log.")
@click.option("--sysadmin", is_flag=True, help="A site administrator: may do anything.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def user_create_command(email: str, name: str, sysadmin: bool, password_stdin: bool) -> None:
    """Create an account; the password is asked for twice unless --password-stdin is given."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _session() as session, all_or_nothing(session):
        try:
            account = account_create(
                session,
                actor=CLI_ACTOR,
                email=email,
                name=name,
                password=password,
                sysadmin=sysadmin,
            )
        except CatalogError as error:
            raise _refuse(error) from error
    kind = "site administrator" if sysadmin else "account"
    click.echo(f"Created the {kind} {account.name} <{account.email}>.")


@user_group.command("reset-link")
@click.argument("email")
@with_appcontext
def user_reset_link_command(email: str) -> None:
    """Print a one-time link that lets someone set a new password (give it to them privately)."""
    lifetime = reset_lifetime()
    with _session() as session, all_or_nothing(session):
        try:
            account, token = reset_link_issue(
                session,
                actor=CLI_ACTOR,
                email=email,
                secret=current_app.config["SECRET_KEY"],
                lifetime=lifetime,
            )
        except CatalogError as error:
            raise _refuse(error) from error
    click.echo(
        f"A link for {account.name} to set a new password, working once for "
        f"{lifetime_in_words(lifetime)}:",
        err=True,
    )
    click.echo(reset_url(token))


@user_group.command("role")
@click.argument("email")
@click.argument("organisation")
@click.argument("role", type=click.Choice([*ROLES, "none"]))
@with_appcontext
def user_role_command(email: str, organisation: str, role: str) -> None:
    """Give someone a role in an organisation (its URL name), or take it away with 'none'."""
    with _session() as session, all_or_nothing(session):
        try:
            account = find_account(session, email)
            membership_set(
                session,
                actor=CLI_ACTOR,
                account=account,
                organisation=get_organisation(session, organisation),
                role=None if role == "none" else role,
            )
        except CatalogError as error:
            raise _refuse(error) from error
    click.echo(f"{account.name} now has {'no role' if role == 'none' else role} in {organisation}.")


@click.group("token")
def token_group() -> None:
    """API tokens."""


@token_group.command("create")
@click.argument("email")
@click.argument("name")
@click.option("--expires", type=click.DateTime(["%Y-%m-%d"]), help="Last day it works (UK).")
@with_appcontext
def token_create_command(email: str, name: str, expires: datetime | None) -> None:
    """Create an API token and print its secret: the only time it is ever shown."""
    with _session() as session, all_or_nothing(session):
        try:
            _token, secret = token_create(
                session,
                actor=CLI_ACTOR,
                account=find_account(session, email),
                name=name,
                expires_at=end_of_uk_day(expires.date()) if expires else None,
            )
        except CatalogError as error:
            raise _refuse(error) from error
    click.echo(f"Token '{name}' created. Copy it now: it will not be shown again.", err=True)
    click.echo(secret)


def init_app(app: Flask) -> None:
    app.cli.add_command(user_group)
    app.cli.add_command(token_group)
