"""Commands about documents: init, import, status, and opening the annotator."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from .base import EXIT_INPUT, Context, errors_reported, fail, pass_ctx, progress, say
from .suggest import fill

if TYPE_CHECKING:
    from ..store import Store


@click.command()
@pass_ctx
def annotate(ctx: Context) -> None:
    """Open the annotator (creating and seeding the database on first run)."""
    _init_if_new(ctx)
    _open_annotator(ctx)


@click.command()
@pass_ctx
def init(ctx: Context) -> None:
    """Create the database, import seeds/ and suggest spans (what a first run does)."""
    if not _init_if_new(ctx):
        say(f"{ctx.db_path} exists; nothing to do.", err=True)
    with ctx.open_store() as store:
        _print_status(store)


def _init_if_new(ctx: Context) -> bool:
    """Create and seed the database if it does not exist yet; True if it did not."""
    with errors_reported():
        if ctx.db_path.exists():
            return False
        with ctx.open_store() as store:
            _seed(ctx, store)
        return True


def _seed(ctx: Context, store: Store) -> None:
    from ..jobs.importing import find_seeds_dir, import_paths

    seeds = find_seeds_dir()
    say(f"Created {ctx.db_path}.", err=True)
    if seeds is None:
        click.echo("No seeds/ folder here: import documents with `workbench import`.", err=True)
        return
    result = import_paths(store, [seeds], annotator=ctx.annotator, keep_going=True)
    say(f"Imported {result.added} document(s) from {seeds.name}/.", err=True)
    for problem in result.failed:
        say(f"  skipped {problem}", err=True)
    fill(ctx, store, model=None, batch_size=64, n_process=1)


def _open_annotator(ctx: Context) -> None:
    from ..tui.app import run_annotator

    with errors_reported():  # a database that cannot be opened or written: one line
        run_annotator(ctx.db_path, ctx.config, ctx.annotator)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the good lines of a JSONL file and report the bad ones (default: a bad line "
    "stops that file and nothing of it is written).",
)
@click.option(
    "--as-gold",
    is_flag=True,
    help="The spans are finished work: store them as --annotator's submitted gold "
    "(documents that annotator already has are left as they are).",
)
@click.option(
    "--annotator",
    "gold_annotator",
    help="With --as-gold: whose work the files hold (default: the global --annotator).",
)
@click.option(
    "--add-labels",
    is_flag=True,
    help="Accept span labels that are not in the configuration (labels holding control "
    "characters are refused even so).",
)
@pass_ctx
def import_(
    ctx: Context,
    paths: tuple[Path, ...],
    skip_invalid: bool,
    as_gold: bool,
    gold_annotator: str | None,
    add_labels: bool,
) -> None:
    """Import .txt files, folders, JSONL (interchange, Prodigy or doccano) and brat pairs.

    Spans become pre-annotations, or with --as-gold an annotator's submitted gold, to
    move work labelled elsewhere in. Texts already in the database are skipped and
    counted as duplicates. Examples: workbench import articles/ batch1.jsonl;
    workbench import --as-gold --annotator amira prodigy.jsonl brat_folder/
    """
    from ..interchange.readers import find_inputs
    from ..jobs.importing import import_paths

    if gold_annotator and not as_gold:
        fail("--annotator goes with --as-gold", EXIT_INPUT)
    labels = None if add_labels or not ctx.config.labels else frozenset(ctx.config.labels)
    with errors_reported(), ctx.open_store() as store:
        files = find_inputs(list(paths))  # folders walked once, for the total and the work
        total = sum(f.stat().st_size for f in files)
        if as_gold:
            annotator = gold_annotator or ctx.annotator
            _import_gold(ctx, store, list(paths), annotator, skip_invalid, total, labels)
            return
        with progress(total, "Importing") as advance:
            result = import_paths(
                store,
                files,
                skip_invalid=skip_invalid,
                annotator=ctx.annotator,
                report=advance,
                labels=labels,
                relation_labels=ctx.config.relations,
                casualty_labels=ctx.config.casualty_labels,
            )
        for problem in result.problems:
            say(f"skipped {problem}", err=True)
        for line in result.notices.lines():
            say(line, err=True)
        click.echo(
            f"Imported {result.added} document(s) from {result.files} file(s); "
            f"{result.duplicates} already present."
            + (f" {len(result.problems)} invalid line(s) skipped." if result.problems else "")
        )


def _import_gold(
    ctx: Context,
    store: Store,
    paths: list[Path],
    annotator: str,
    skip_invalid: bool,
    total: int,
    labels: frozenset[str] | None,
) -> None:
    from ..jobs.importing import import_gold

    with progress(total, f"Importing gold of {annotator}") as advance:
        result = import_gold(
            store,
            paths,
            annotator,
            skip_invalid=skip_invalid,
            report=advance,
            labels=labels,
            relation_labels=ctx.config.relations,
            casualty_labels=ctx.config.casualty_labels,
        )
    for problem in result.problems:
        say(f"skipped {problem}", err=True)
    for line in result.notices.lines():
        say(line, err=True)
    say(
        f"Imported {result.annotations_added} gold annotation(s) of {annotator} from "
        f"{result.files} file(s) ({result.documents_added} new document(s))."
        + (
            f" {result.kept} already annotated by {annotator}, left as they were."
            if result.kept
            else ""
        )
        + (f" {result.not_gold} rejected/ignored record(s) left out." if result.not_gold else "")
    )


@click.command()
@pass_ctx
def status(ctx: Context) -> None:
    """Show how many documents there are, suggested and annotated, and your own progress."""
    with errors_reported(), ctx.existing_store() as store:
        _print_status(store)
        if ctx.role is not None:  # a team database: each person also sees their own
            mine = store.progress(ctx.annotator)
            say(f"{ctx.annotator}: {mine.done} done ({mine.today} today) of {mine.total}")


def _print_status(store: Store) -> None:
    s = store.status()
    say(f"{store.path}: {s.documents} documents, {s.suggested} suggested, {s.annotated} annotated")
