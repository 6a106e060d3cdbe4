"""Commands that run the suggester: suggest (into the database) and predict (to stdout)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..store import Store
from .base import Context, errors_reported, pass_ctx, progress


@click.command()
@click.option("--model", help="A spaCy pipeline name or path (default: from the config).")
@click.option("--batch-size", default=64, show_default=True, help="Texts per nlp.pipe batch.")
@click.option("--n-process", default=1, show_default=True, help="Processes for nlp.pipe.")
@pass_ctx
def suggest(ctx: Context, model: str | None, batch_size: int, n_process: int) -> None:
    """Compute suggestions for documents that lack them from the current model."""
    with errors_reported(), ctx.open_store() as store:
        n = fill(ctx, store, model=model, batch_size=batch_size, n_process=n_process)
        click.echo(f"Suggested spans for {n} document(s).")


def fill(ctx: Context, store: Store, model: str | None, batch_size: int, n_process: int) -> int:
    from ..jobs.suggesting import fill_suggestions, store_suggester

    suggester = store_suggester(store, ctx.config, model)
    total = store.count_to_suggest(suggester.version)
    with progress(total, f"Suggesting ({suggester.version})") as advance:
        return fill_suggestions(
            store, suggester, batch_size=batch_size, n_process=n_process, report=advance
        )


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
        for line in predict_records(records, suggester, batch_size=batch_size, n_process=n_process):
            out.write(line)
        out.flush()
