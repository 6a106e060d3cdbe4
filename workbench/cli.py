"""The `workbench` command line: parses options, opens the store, calls in.

Heavy imports (spaCy, Textual) happen inside the commands that need them, so
`workbench --help` starts fast.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import Config, ConfigError, default_config_text, load_config
from .interchange.readers import InputError
from .model import DOC_STATUSES, SUBMITTED
from .store import Store, StoreError

EXIT_RUNTIME = 1
EXIT_INPUT = 2


class Context:
    """What every command gets: the configuration and where the database is."""

    def __init__(self, config: Config, db_path: Path, annotator: str) -> None:
        self.config, self.db_path, self.annotator = config, db_path, annotator

    def open_store(self) -> Store:
        return Store(self.db_path)


pass_ctx = click.make_pass_decorator(Context)


def fail(message: str, code: int = EXIT_RUNTIME) -> None:
    click.echo(f"workbench: error: {message}", err=True)
    sys.exit(code)


@contextmanager
def errors_reported() -> Iterator[None]:
    """Turn known failures into one line on stderr and the documented exit code."""
    try:
        yield
    except InputError as e:
        fail(str(e), EXIT_INPUT)
    except (ConfigError, StoreError) as e:
        fail(str(e), EXIT_INPUT)
    except sqlite3.DatabaseError as e:
        fail(f"database: {e}", EXIT_RUNTIME)
    except OSError as e:
        fail(f"{e.filename or ''}: {e.strerror or e}".lstrip(": "), EXIT_RUNTIME)


@contextmanager
def progress(total: int | None, description: str) -> Iterator[Any]:
    """Yield `advance(n)` and draw a Rich progress bar on stderr while the work runs."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=Console(stderr=True), transient=True,
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db", "db", type=click.Path(dir_okay=False, path_type=Path), envvar="WORKBENCH_DB",
    help="The annotations database (default: ./annotations.db, or WORKBENCH_DB).",
)
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
    help="A workbench.toml (default: ./workbench.toml if present, or WORKBENCH_CONFIG).",
)
@click.option(
    "--annotator", envvar="WORKBENCH_ANNOTATOR",
    help="Who is annotating (default: from the config, else your login name).",
)
@click.version_option(__version__, prog_name="workbench")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, config_path: Path | None, annotator: str | None):
    """Annotate news text: named entities and casualty counts, in the terminal.

    Run with no command to open the annotator on ./annotations.db; on first run the
    database is created, seeded from seeds/ and given suggestions.
    """
    with errors_reported():
        config = load_config(config_path)
    db_path = db or Path(config.database)
    ctx.obj = Context(config, db_path, annotator or config.annotator_name())
    if ctx.invoked_subcommand is None:
        ctx.invoke(annotate)


@cli.command()
@pass_ctx
def annotate(ctx: Context) -> None:
    """Open the annotator (creating and seeding the database on first run)."""
    _init_if_new(ctx)
    _open_annotator(ctx)


@cli.command()
@pass_ctx
def init(ctx: Context) -> None:
    """Create the database, import seeds/ and suggest spans (what a first run does)."""
    if not _init_if_new(ctx):
        click.echo(f"{ctx.db_path} exists; nothing to do.", err=True)
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
    from .jobs import find_seeds_dir, import_paths

    seeds = find_seeds_dir()
    click.echo(f"Created {ctx.db_path}.", err=True)
    if seeds is None:
        click.echo("No seeds/ folder here: import documents with `workbench import`.", err=True)
        return
    result = import_paths(store, [seeds], annotator=ctx.annotator, keep_going=True)
    click.echo(f"Imported {result.added} document(s) from {seeds.name}/.", err=True)
    for problem in result.failed:
        click.echo(f"  skipped {problem}", err=True)
    _fill(ctx, store, model=None, batch_size=64, n_process=1)


def _open_annotator(ctx: Context) -> None:
    try:
        from .tui.app import run_annotator
    except ImportError:  # the annotator is not built yet: say where things stand
        with ctx.open_store() as store:
            _print_status(store)
        return
    run_annotator(ctx.db_path, ctx.config, ctx.annotator)


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--skip-invalid", is_flag=True,
    help="Import the good lines of a JSONL file and report the bad ones (default: a bad line "
    "stops that file and nothing of it is written).",
)
@pass_ctx
def import_(ctx: Context, paths: tuple[Path, ...], skip_invalid: bool) -> None:
    """Import .txt files, folders of them, and JSONL (interchange or doccano).

    Spans in JSONL become pre-annotations. Texts already in the database are skipped
    and counted as duplicates. Example: workbench import articles/ batch1.jsonl
    """
    from .jobs import import_paths, input_size

    with errors_reported(), ctx.open_store() as store:
        total = input_size(list(paths))
        with progress(total, "Importing") as advance:
            result = import_paths(
                store, list(paths), skip_invalid=skip_invalid, annotator=ctx.annotator,
                report=advance,
            )
        for problem in result.problems:
            click.echo(f"skipped {problem}", err=True)
        click.echo(
            f"Imported {result.added} document(s) from {result.files} file(s); "
            f"{result.duplicates} already present."
            + (f" {len(result.problems)} invalid line(s) skipped." if result.problems else "")
        )


@cli.command()
@click.option("--model", help="A spaCy pipeline name or path (default: from the config).")
@click.option("--batch-size", default=64, show_default=True, help="Texts per nlp.pipe batch.")
@click.option("--n-process", default=1, show_default=True, help="Processes for nlp.pipe.")
@pass_ctx
def suggest(ctx: Context, model: str | None, batch_size: int, n_process: int) -> None:
    """Compute suggestions for documents that lack them from the current model."""
    with errors_reported(), ctx.open_store() as store:
        n = _fill(ctx, store, model=model, batch_size=batch_size, n_process=n_process)
        click.echo(f"Suggested spans for {n} document(s).")


def _fill(ctx: Context, store: Store, model: str | None, batch_size: int, n_process: int) -> int:
    from .jobs import fill_suggestions

    suggester = _suggester(ctx.config, model)
    total = store.count_to_suggest(suggester.version)
    with progress(total, f"Suggesting ({suggester.version})") as advance:
        return fill_suggestions(
            store, suggester, batch_size=batch_size, n_process=n_process, report=advance
        )


def _suggester(config: Config, model: str | None) -> Any:
    from .suggest import ModelError, suggester_for

    try:
        return suggester_for(config, model)
    except ModelError as e:
        fail(str(e), EXIT_INPUT)


@cli.command()
@click.argument("source", default="-", type=click.Path(allow_dash=True, path_type=Path))
@click.option("--model", help="A spaCy pipeline name or path (default: from the config).")
@click.option("--batch-size", default=64, show_default=True, help="Texts per nlp.pipe batch.")
@click.option("--n-process", default=1, show_default=True, help="Processes for nlp.pipe.")
@click.pass_obj
def predict(ctx: Context, source: Path, model: str | None, batch_size: int, n_process: int):
    """Print suggested spans as interchange JSONL, without a database.

    SOURCE is JSONL ({"text": ...} per line, other keys kept) or plain text (one
    document), or - for standard input. Example: workbench predict seeds/article.txt
    """
    from .predict import predict_records, read_predict_input

    with errors_reported():
        records = read_predict_input(source)
        suggester = _suggester(ctx.config, model)
        out = sys.stdout.buffer
        for line in predict_records(records, suggester, batch_size=batch_size, n_process=n_process):
            out.write(line)
        out.flush()


@cli.command()
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.option("--annotator", "only_annotator", help="Only this annotator's annotations.")
@click.option(
    "--status", "statuses", multiple=True, type=click.Choice(DOC_STATUSES),
    help="Annotation status to include; repeat for several (default: submitted).",
)
@pass_ctx
def export(ctx: Context, out_path: Path | None, only_annotator: str | None, statuses):
    """Write gold annotations as interchange JSONL, one document per line.

    Each line carries the document's own keys and meta, its hash, the annotator,
    the status and a timestamp. Example: workbench export --out gold.jsonl
    """
    import orjson

    from .interchange.jsonl import annotation_record

    with errors_reported(), ctx.open_store() as store:
        annotations = store.annotations(
            annotator=only_annotator, statuses=statuses or (SUBMITTED,)
        )
        out = out_path.open("wb") if out_path else sys.stdout.buffer
        n = 0
        try:
            for annotation in annotations:
                out.write(orjson.dumps(annotation_record(annotation)) + b"\n")
                n += 1
        finally:
            if out_path:
                out.close()
        click.echo(f"Exported {n} annotation(s).", err=True)


@cli.command()
@pass_ctx
def status(ctx: Context) -> None:
    """Show how many documents there are, suggested and annotated."""
    if not ctx.db_path.exists():
        fail(f"{ctx.db_path}: no such database (run `workbench` to create one)", EXIT_INPUT)
    with errors_reported(), ctx.open_store() as store:
        _print_status(store)


def _print_status(store: Store) -> None:
    s = store.status()
    click.echo(f"{store.path}: {s.documents} documents, {s.suggested} suggested, "
               f"{s.annotated} annotated")


@cli.group()
def config() -> None:
    """Show or create the configuration file."""


@config.command("init")
@click.argument("path", default="workbench.toml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def config_init(path: Path, force: bool) -> None:
    """Write the default configuration to PATH (default: ./workbench.toml) to edit."""
    if path.exists() and not force:
        fail(f"{path}: exists (use --force to overwrite)", EXIT_INPUT)
    path.write_text(default_config_text(), encoding="utf-8")
    click.echo(f"Wrote {path}.")


@config.command("show")
@pass_ctx
def config_show(ctx: Context) -> None:
    """Print the configuration in effect and where it came from."""
    c = ctx.config
    click.echo(f"config file: {c.path or '(defaults)'}")
    click.echo(f"database:    {ctx.db_path}")
    click.echo(f"annotator:   {ctx.annotator}")
    click.echo(f"model:       {c.model} (fallbacks: {', '.join(c.model_fallbacks) or 'none'})")
    for spec in c.labels.values():
        click.echo(f"  [{spec.key}] {spec.name:<8} {spec.kind:<8} {spec.color}  {spec.description}")


def main() -> None:
    cli(prog_name="workbench")
