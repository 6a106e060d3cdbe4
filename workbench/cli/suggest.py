"""Commands that run the suggester: suggest (into the database) and predict (to stdout)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..visible import visible
from .base import EXIT_INPUT, Context, TerminalSafe, errors_reported, fail, pass_ctx, progress

if TYPE_CHECKING:  # loaded by the commands that run, not by --help
    from ..jobs.suggesting import Failure
    from ..store import Store

CLUSTER_HELP = "Run on Dask: a scheduler's address, or local[:N] for N local worker processes."


@click.command()
@click.option(
    "--model",
    help="A spaCy pipeline name or path; it becomes the database's model, which the"
    " annotator and later runs use (default: the one made current before, else the config's).",
)
@click.option(
    "--configured-model",
    is_flag=True,
    help="Go back to the configured model (forget the one --model made current).",
)
@click.option("--batch-size", default=64, show_default=True, help="Texts per nlp.pipe batch.")
@click.option("--n-process", default=1, show_default=True, help="Processes for nlp.pipe.")
@click.option("--cluster", metavar="ADDRESS|local[:N]", help=CLUSTER_HELP)
@pass_ctx
def suggest(
    ctx: Context,
    model: str | None,
    configured_model: bool,
    batch_size: int,
    n_process: int,
    cluster: str | None,
) -> None:
    """Compute suggestions for documents that lack them from the current model.

    One model's suggestions at a time: --model makes that pipeline the database's
    model (the annotator's background suggester uses it too), so documents not yet
    started get its suggestions in place of the old ones; documents an annotator has
    opened keep the suggestions they were opened with.

    With --cluster, the documents are processed on a Dask cluster in batches and
    written back here as each batch returns: a run stopped half-way and started
    again redoes only what is missing. See docs/cluster.md.
    """
    if model and configured_model:
        raise click.UsageError("--model and --configured-model choose two different models")
    with errors_reported(), ctx.open_store() as store:
        if model and Path(model).exists():  # the annotator may start elsewhere
            model = str(Path(model).resolve())
        if configured_model:
            store.set_current_model(None, ctx.annotator)
        current = store.current_model()
        if current and not model:
            click.echo(f"Model: {visible(current)} (made current by suggest --model)", err=True)
        failures: list[Failure] = []
        if cluster:
            n = fill_on_cluster(ctx, store, cluster, model, batch_size, failures.append)
        else:
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
    if model:  # it loaded: from now on it is the database's model
        store.set_current_model(model, ctx.annotator)
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


def fill_on_cluster(
    ctx: Context,
    store: Store,
    target: str,
    model: str | None,
    batch_size: int,
    on_failure: Callable[[Failure], None],
) -> int:
    from ..jobs import cluster, cluster_client

    def failed(f: Failure) -> None:
        report_failure(f)
        on_failure(f)

    with cluster_errors(), cluster_client.connect(target) as client:
        click.echo(cluster_client.describe_cluster(client), err=True)
        remote = cluster.install_suggester(
            client, cluster.SuggesterSpec.for_store(store, ctx.config, model)
        )
        if model:  # it loaded on the workers: from now on it is the database's model
            store.set_current_model(model, ctx.annotator)
        total = store.count_to_suggest(remote.version)
        with progress(total, f"Suggesting on the cluster ({remote.version})") as advance:
            return cluster.suggest_on_cluster(
                store, remote, batch_size=batch_size, on_failure=failed, report=advance
            )


@contextmanager
def cluster_errors() -> Iterator[None]:
    """A cluster's failure as one line: exit 2 when Dask is missing, else 1."""
    from ..jobs.cluster_client import ClusterError

    try:
        yield
    except ClusterError as e:
        fail(str(e), e.code)


def report_failure(f: Failure) -> None:
    """One line on stderr per document that could not be processed (controls made visible)."""
    click.echo(f"workbench: {visible(f.where)}: skipped: {visible(f.error)}", err=True)


@click.command()
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option("--model", help="A spaCy pipeline name or path (default: from the config).")
@click.option("--batch-size", default=64, show_default=True, help="Texts per nlp.pipe batch.")
@click.option("--n-process", default=1, show_default=True, help="Processes for nlp.pipe.")
@click.option("--cluster", metavar="ADDRESS|local[:N]", help=CLUSTER_HELP)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="With --cluster: shards here."
)
@click.option("--partition-size", default=500, show_default=True, help="With --cluster.")
@click.option("--skip-invalid", is_flag=True, help="With --cluster: skip and list bad lines.")
@click.pass_obj
def predict(
    ctx: Context,
    sources: tuple[str, ...],
    model: str | None,
    batch_size: int,
    n_process: int,
    cluster: str | None,
    out: Path | None,
    partition_size: int,
    skip_invalid: bool,
):
    """Print suggested spans as interchange JSONL, without a database.

    SOURCE is JSONL ({"text": ...} per line, other keys kept) or plain text (one
    document), or - for standard input. Example: workbench predict seeds/article.txt

    With --cluster and --out DIR, SOURCEs are files, folders or quoted globs
    ('wire/2025-*.jsonl'), processed on Dask: one shard per partition of
    --partition-size documents in DIR, and DIR/manifest.json. See docs/cluster.md.
    """
    if cluster or out or skip_invalid:
        return predict_on_cluster(
            ctx,
            sources,
            model,
            batch_size,
            cluster,
            out,
            partition_size=partition_size,
            skip_invalid=skip_invalid,
        )
    if len(sources) > 1:
        fail("predict takes one SOURCE (several go with --cluster and --out)", EXIT_INPUT)
    source = Path(sources[0] if sources else "-")
    from ..jobs.predict import predict_records, read_predict_input
    from ..nlp.suggest import suggester_for

    with errors_reported():
        records = read_predict_input(source)
        suggester = suggester_for(ctx.config, model)
        sink = TerminalSafe(sys.stdout.buffer, "jsonl")  # C1 controls as JSON escapes
        failures: list[Failure] = []

        def failed(f: Failure) -> None:
            report_failure(f)
            failures.append(f)

        lines = predict_records(
            records, suggester, on_failure=failed, batch_size=batch_size, n_process=n_process
        )
        for line in lines:
            sink.write(line)
        sink.flush()
        if failures:
            fail(f"{len(failures)} record(s) failed; the others were written")


def predict_on_cluster(
    ctx: Context,
    sources: tuple[str, ...],
    model: str | None,
    batch_size: int,
    target: str | None,
    out: Path | None,
    *,
    partition_size: int,
    skip_invalid: bool,
) -> None:
    from ..jobs import cluster, cluster_client, cluster_inputs

    if not (target and out and sources):
        fail("--cluster, --out and at least one SOURCE go together", EXIT_INPUT)
    with errors_reported(), cluster_errors():
        cluster.require()
        # Every input is read before the cluster starts: a bad line stops here, with
        # nothing written (or, with --skip-invalid, is listed in the manifest).
        files = cluster_inputs.check_inputs(
            cluster_inputs.expand_inputs(sources), skip_invalid=skip_invalid
        )
        cluster_inputs.check_out(out)
        for item in files:
            for problem in item.invalid:
                click.echo(f"workbench: {visible(problem)}: skipped", err=True)
        failures: list[Failure] = []

        def failed(f: Failure) -> None:
            report_failure(f)
            failures.append(f)

        with cluster_client.connect(target) as client:
            click.echo(cluster_client.describe_cluster(client), err=True)
            remote = cluster.install_suggester(client, cluster.SuggesterSpec(ctx.config, model))
            total = sum(item.documents for item in files)
            with progress(total, f"Predicting on the cluster ({remote.version})") as advance:
                run = cluster.predict_on_cluster(
                    remote,
                    files,
                    out,
                    partition_size=partition_size,
                    batch_size=batch_size,
                    skip_invalid=skip_invalid,
                    on_failure=failed,
                    report=advance,
                )
        click.echo(
            f"Wrote {run.written} of {run.documents} document(s) in {len(run.shards)} shard(s)"
            f" to {out}, with {cluster_inputs.MANIFEST}."
        )
        if failures:
            fail(f"{len(failures)} record(s) failed; the others were written")
