"""The users group (who may do what, workbench/roles.py) and ssh-entry, the forced
command of the service-account deployment (docs/server.md)."""

from __future__ import annotations

import os

import click

from ..roles import ROLES
from .base import (
    _SSH_IDENTITY,
    EXIT_INPUT,
    Context,
    errors_reported,
    fail,
    os_account,
    pass_ctx,
    say,
)


@click.group()
def users() -> None:
    """Manage who may use the database and with what role.

    Roles: annotator (their own work), reviewer (also reads everyone's and
    adjudicates), admin (also imports, suggests, trains, manages users), auditor
    (reads everything, read-only). Example: workbench users add amira --role annotator
    """


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The user's role.")
@pass_ctx
def users_add(ctx: Context, name: str, role: str) -> None:
    """Add a user. On a database with no users, you (who run it) become its admin first.

    Example: workbench users add amira --role annotator
    """
    with errors_reported(), ctx.open_store() as store:
        for user in store.add_user(name, role, ctx.account):
            if user.name == ctx.account and user.role == "admin" and user.name != name:
                say(f"{user.name} is the first user and so this database's admin.")
            elif user.name == name and user.role == "admin" and role != "admin":
                say(f"Added {name} as admin: the first user of a database is its admin.")
            else:
                say(f"Added {user.name} as {user.role}.")


@users.command("list")
@click.option("--all", "show_removed", is_flag=True, help="Also removed users.")
@pass_ctx
def users_list(ctx: Context, show_removed: bool) -> None:
    """List the users and their roles (and the SSH service account, if one is set)."""
    from ..store.users import read_roles

    with errors_reported(), ctx.existing_store() as store:
        found = store.users(removed=show_removed)
    if not found:
        click.echo("No users: anyone who can open the file may do anything (single-person).")
    for user in found:
        gone = f"  removed {user.removed_at[:10]}" if user.removed_at else ""
        say(f"{user.name:<20} {user.role:<10} added {user.added_at[:10]}{gone}")
    account = read_roles(ctx.db_path).service_account
    if account:
        say(f"service account: {account}")


@users.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@pass_ctx
def users_set_role(ctx: Context, name: str, role: str) -> None:
    """Change a user's role. Example: workbench users set-role bob reviewer"""
    with errors_reported(), ctx.open_store() as store:
        old = store.set_role(name, role, ctx.account)
    say(f"{name}: {old} -> {role}.")


@users.command("remove")
@click.argument("name")
@pass_ctx
def users_remove(ctx: Context, name: str) -> None:
    """Take a user's access away; their annotations and events stay in the database."""
    with errors_reported(), ctx.open_store() as store:
        store.remove_user(name, ctx.account)
    say(f"Removed {name}; their work and history stay.")


@users.command("service-account")
@click.argument("account")
@pass_ctx
def users_service_account(ctx: Context, account: str) -> None:
    """Record the OS account everyone logs in to over SSH (ssh-entry trusts only it).

    Example: workbench users service-account workbench
    """
    with errors_reported(), ctx.open_store() as store:
        store.set_service_account(account, ctx.account)
    say(
        f"Service account: {account}. Give each person a key with"
        ' command="workbench ssh-entry NAME" (docs/server.md).'
    )


@click.command("ssh-entry")
@click.argument("name")
@pass_ctx
def ssh_entry(ctx: Context, name: str) -> None:
    """The forced command of a person's key in the service account's authorized_keys.

    Runs what SSH_ORIGINAL_COMMAND asks (annotate by default; review, stats,
    export ..., review log ...) as NAME, only when this process runs as the service
    account recorded with `users service-account`. Nothing else runs; no shell.
    """
    from ..roles import Refused, ssh_command
    from ..store.users import read_roles

    with errors_reported():
        roles = read_roles(ctx.db_path)
    account = os_account()
    if roles.service_account is None:
        fail("no service account is recorded: workbench users service-account ACCOUNT", EXIT_INPUT)
    if account != roles.service_account:
        fail(
            f"ssh-entry runs only as the service account {roles.service_account};"
            f" this process runs as {account}",
            EXIT_INPUT,
        )
    if roles.role(name) is None:
        fail(f"{name} is not a user of this database", EXIT_INPUT)
    try:
        words = ssh_command(os.environ.get("SSH_ORIGINAL_COMMAND", ""))
    except Refused as e:
        fail(f"{name}: {e}", EXIT_INPUT)
    from . import cli

    # The command runs with this entry's database, mode and configuration (a forced
    # command may name them: `workbench --config team.toml ssh-entry NAME`).
    given = ["--db", str(ctx.db_path), *(["--read-only"] if ctx.read_only else [])]
    if ctx.config.path is not None:
        given += ["--config", str(ctx.config.path)]
    _SSH_IDENTITY.append(name)
    try:
        cli.main(args=[*given, *words], prog_name="workbench")
    finally:
        _SSH_IDENTITY.pop()
