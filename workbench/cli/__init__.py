"""The `workbench` command line: parses options, opens the store, calls in.

One module per command group (documents, suggest, export, evaluate, review,
settings, serve), each a thin layer that parses options, calls jobs/, store/,
review.py or tui/, and prints; shared helpers (the context, one-line errors, output
with control characters made visible, the progress bar) in base.py.

May import every other floor; nothing imports cli/. At module level only click and
the pure core: the store, spaCy and Textual are imported inside the commands that
use them, so `workbench --help` loads none of them (tests/test_cli.py checks it in a
fresh interpreter). To add a command, write it in the module of its group (or a new
one) with `@click.command()`, add it to `cli` below and to the README's Commands
table with its options (tests/test_docs_cover_cli.py checks that too).
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import __version__
from ..config import load_config
from . import documents, evaluate, export, review, serve, settings, stats, suggest, users
from .base import Context, WorkbenchGroup, errors_reported, guard_commands, os_account, ssh_identity


@click.group(
    cls=WorkbenchGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="WORKBENCH_DB",
    help="The annotations database (default: ./annotations.db, or WORKBENCH_DB).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A workbench.toml (default: ./workbench.toml if present, or WORKBENCH_CONFIG).",
)
@click.option(
    "--annotator",
    envvar="WORKBENCH_ANNOTATOR",
    help="Record work under this name (default: from the config, else your operating-system "
    "account; $USER is not read). Once the database has users, only an admin may name "
    "someone else. After a command, --annotator instead names whose work it reads.",
)
@click.option(
    "--read-only",
    is_flag=True,
    help="Open the database with SQLite's read-only mode: nothing can be written "
    "(always so for an auditor).",
)
@click.version_option(__version__, prog_name="workbench")
@click.pass_context
def cli(
    ctx: click.Context,
    db: Path | None,
    config_path: Path | None,
    annotator: str | None,
    read_only: bool,
):
    """Annotate news text: named entities and casualty counts, in the terminal.

    Run with no command to open the annotator on ./annotations.db; on first run the
    database is created, seeded from seeds/ and given suggestions.
    """
    with errors_reported():
        config = load_config(config_path)
    db_path = db or Path(config.database)
    account = ssh_identity() or os_account()
    requested = annotator or config.annotator or None
    ctx.obj = Context(config, db_path, account, requested=requested, read_only=read_only)
    if ctx.invoked_subcommand is None:
        ctx.invoke(documents.annotate)


for command in (
    documents.annotate,
    documents.init,
    documents.import_,
    documents.status,
    suggest.suggest,
    suggest.predict,
    export.export,
    evaluate.train,
    evaluate.evaluate,
    review.review,
    settings.config,
    serve.serve,
    stats.stats,
    users.users,
    users.ssh_entry,
):
    cli.add_command(command)
guard_commands(cli)  # every command's role check, in one place (workbench/roles.py)


def main() -> None:
    cli(prog_name="workbench")
