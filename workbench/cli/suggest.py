"""Commands that run the suggester: suggest (into the database) and predict (to stdout)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from ..jobs.suggesting import Failure
from ..store import Store
from ..visible import visible
from .base import Context, errors_reported, fail, pass_ctx, progress


@click.command()
@click.option("--model", help="A spaCy pipeline name or path (default: from the config).")
@click.option("--batch-size", default=64, show_default=True, help="Texts per nlp.pipe batch.")
@click.option("--n-process", default=1, show_default=True, help="Processes for nlp.pipe.")
@pass_ctx
def suggest(ctx: Context, model: str | None, batch_size: int, n_process: int) -> None:
    """Compute suggestions for documents that lack them from the current model."""
    with errors_reported(), ctx.open_store() as store:
        failures: list[Failure] = []
        n = fill(ctx, store, model, batch_size, n_process, on_failure=failures.append)
        click.echo(f"Suggested spans for {n} document(s).")
        if failures:
            fail(f"{len(failures)} document(s) failed; the others were suggested")


def fill(
    ctx: Context,
    store: Store,
    model: str | None,
    batch_size: int,
    n_process: int,
    on_failure: Callable[[Failure], None] = lambda _: None,
) -> int:
    from ..jobs.suggesting import fill_suggestions, store_suggester

    def failed(f: Failure) -> None:
        report_failure(f)
        on_failure(f)

    suggester = store_suggester(store, ctx.config, model)
    total = store.count_to_suggest(suggester.version)
    with progress(total, f"Suggesting ({suggester.version})") as advance:
        return fill_suggestions(
            store,
            suggester,
            on_failure=failed,
            batch_size=batch_size,
            n_process=n_process,
            report=advance,
        )


def report_failure(f: Failure) -> None:
    """One line on stderr per document that could not be processed (controls made visible)."""
    click.echo(f"workbench: {visible(f.where)}: skipped: {visible(f.error)}", err=True)


@click.command()
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
    from ..jobs.predict import predict_records, read_predict_input
    from ..nlp.suggest import suggester_for

    with errors_reported():
        records = read_predict_input(source)
        suggester = suggester_for(ctx.config, model)
        out = sys.stdout.buffer
        failures: list[Failure] = []

        def failed(f: Failure) -> None:
            report_failure(f)
            failures.append(f)

        lines = predict_records(
            records, suggester, on_failure=failed, batch_size=batch_size, n_process=n_process
        )
        for line in lines:
            out.write(line)
        out.flush()
        if failures:
            fail(f"{len(failures)} record(s) failed; the others were written")
