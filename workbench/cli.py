"""The `workbench` command line: parses options, opens the store, calls in.

Heavy imports (spaCy, Textual) happen inside the commands that need them, so
`workbench --help` starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import Config, ConfigError, default_config_text, load_config
from .interchange.readers import InputError
from .model import CASUALTY_LABELS, DOC_STATUSES, REVIEWED, SUBMITTED
from .store import DatabaseError, Store, StoreError

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
    except DatabaseError as e:
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
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
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
    from .jobs.importing import find_seeds_dir, import_paths

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
    from .tui.app import run_annotator

    run_annotator(ctx.db_path, ctx.config, ctx.annotator)


@cli.command("import")
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
@click.option("--annotator", "gold_annotator", help="Whose gold --as-gold stores.")
@pass_ctx
def import_(
    ctx: Context,
    paths: tuple[Path, ...],
    skip_invalid: bool,
    as_gold: bool,
    gold_annotator: str | None,
) -> None:
    """Import .txt files, folders, JSONL (interchange, Prodigy or doccano) and brat pairs.

    Spans become pre-annotations, or with --as-gold an annotator's submitted gold, to
    move work labelled elsewhere in. Texts already in the database are skipped and
    counted as duplicates. Examples: workbench import articles/ batch1.jsonl;
    workbench import --as-gold --annotator amira prodigy.jsonl brat_folder/
    """
    from .interchange.readers import find_inputs
    from .jobs.importing import import_paths

    if gold_annotator and not as_gold:
        fail("--annotator goes with --as-gold", EXIT_INPUT)
    with errors_reported(), ctx.open_store() as store:
        files = find_inputs(list(paths))  # folders walked once, for the total and the work
        total = sum(f.stat().st_size for f in files)
        if as_gold:
            _import_gold(store, list(paths), gold_annotator or ctx.annotator, skip_invalid, total)
            return
        with progress(total, "Importing") as advance:
            result = import_paths(
                store,
                files,
                skip_invalid=skip_invalid,
                annotator=ctx.annotator,
                report=advance,
            )
        for problem in result.problems:
            click.echo(f"skipped {problem}", err=True)
        click.echo(
            f"Imported {result.added} document(s) from {result.files} file(s); "
            f"{result.duplicates} already present."
            + (f" {len(result.problems)} invalid line(s) skipped." if result.problems else "")
        )


def _import_gold(
    store: Store, paths: list[Path], annotator: str, skip_invalid: bool, total: int
) -> None:
    from .jobs.export import import_gold

    with progress(total, f"Importing gold of {annotator}") as advance:
        result = import_gold(store, paths, annotator, skip_invalid=skip_invalid, report=advance)
    for problem in result.problems:
        click.echo(f"skipped {problem}", err=True)
    click.echo(
        f"Imported {result.annotations_added} gold annotation(s) of {annotator} from "
        f"{result.files} file(s) ({result.documents_added} new document(s))."
        + (
            f" {result.kept} already annotated by {annotator}, left as they were."
            if result.kept
            else ""
        )
        + (f" {result.not_gold} rejected/ignored record(s) left out." if result.not_gold else "")
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
    from .jobs.suggesting import fill_suggestions, store_suggester

    suggester = store_suggester(store, ctx.config, model)
    total = store.count_to_suggest(suggester.version)
    with progress(total, f"Suggesting ({suggester.version})") as advance:
        return fill_suggestions(
            store, suggester, batch_size=batch_size, n_process=n_process, report=advance
        )


def _suggester(config: Config, model: str | None, gold_patterns: Any = ()) -> Any:
    from .nlp.suggest import suggester_for

    return suggester_for(config, model, gold_patterns)


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
    from .jobs.predict import predict_records, read_predict_input

    with errors_reported():
        records = read_predict_input(source)
        suggester = _suggester(ctx.config, model)
        out = sys.stdout.buffer
        for line in predict_records(records, suggester, batch_size=batch_size, n_process=n_process):
            out.write(line)
        out.flush()


@cli.command()
@click.option(
    "--format",
    "fmt",
    default="jsonl",
    show_default=True,
    type=click.Choice(["jsonl", "spacy", "conll", "doccano", "brat"]),
    help="jsonl: interchange; spacy: DocBin folders for `spacy train`; conll: IOB2 "
    "token per line; doccano: doccano JSONL; brat: .txt/.ann pairs.",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path),
    help="The file to write (a folder for spacy and brat); default: standard output.",
)
@click.option(
    "--gold",
    default="submitted",
    show_default=True,
    type=click.Choice(["submitted", "reviewed", "all", "best"]),
    help="submitted or reviewed work, all of both, or best: one per document "
    "(reviewed if any, else the latest submitted).",
)
@click.option("--annotator", "only_annotator", help="Only this annotator's annotations.")
@click.option("--include-flagged", is_flag=True, help="Also flagged documents.")
@click.option("--include-skipped", is_flag=True, help="Also skipped documents.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(DOC_STATUSES),
    help="Exact annotation statuses to include, repeatable (overrides --gold and the flags).",
)
@click.option(
    "--tokens",
    is_flag=True,
    help="jsonl: add Prodigy-style tokens and token_start/token_end to spans.",
)
@click.option(
    "--split",
    "dev_fraction",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 1, max_open=True),
    help="spacy: the share of documents written to dev/ (the rest to train/).",
)
@click.option("--seed", default=0, show_default=True, help="Seed of the train/dev split.")
@pass_ctx
def export(
    ctx: Context,
    fmt: str,
    out_path: Path | None,
    gold: str,
    only_annotator: str | None,
    include_flagged: bool,
    include_skipped: bool,
    statuses: tuple[str, ...],
    tokens: bool,
    dev_fraction: float,
    seed: int,
) -> None:
    """Write gold annotations as interchange JSONL, spaCy DocBin, CoNLL, doccano or brat.

    JSONL lines carry the document's own keys and meta, its hash, the annotator, the
    status and a timestamp. Spans a format cannot hold (overlapping entities in
    doc.ents or CoNLL) are listed on stderr. Examples: workbench export --out gold.jsonl;
    workbench export --format spacy --split 0.2 --out corpus/
    """
    from .jobs.export import Selection, count_selected
    from .jobs.export import export as run_export

    selection = Selection(gold, only_annotator, include_flagged, include_skipped, statuses)
    with errors_reported(), ctx.open_store() as store:
        total = count_selected(store, selection)
        with progress(total, f"Exporting {fmt}") as advance:
            result = run_export(
                store,
                selection,
                fmt,
                out_path,
                tokens=tokens,
                dev_fraction=dev_fraction,
                seed=seed,
                casualty_labels=ctx.config.casualty_labels or CASUALTY_LABELS,
                report=advance,
            )
        _report_dropped(result.dropped)
        where = f" ({result.train} train, {result.dev} dev)" if fmt == "spacy" else ""
        click.echo(
            f"Exported {result.documents} annotation(s){where}, {result.spans} span(s).", err=True
        )


def _report_dropped(dropped: list[Any], shown: int = 20) -> None:
    """Spans a format could not hold: the count, then where (the first `shown`)."""
    if not dropped:
        return
    click.echo(f"{len(dropped)} span(s) could not be written (overlaps):", err=True)
    for d in dropped[:shown]:
        click.echo(f"  {d}", err=True)
    if len(dropped) > shown:
        click.echo(f"  ... and {len(dropped) - shown} more", err=True)


@cli.command()
@click.argument("gold", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--db",
    "from_db",
    is_flag=True,
    help="Score on the database's own gold (submitted and reviewed annotations).",
)
@click.option("--model", help="A spaCy pipeline name or path (default: from the config).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--errors", is_flag=True, help="Also list missed and spurious spans.")
@pass_ctx
def evaluate(
    ctx: Context, gold: Path | None, from_db: bool, model: str | None, as_json: bool, errors: bool
) -> None:
    """Score suggestions against gold: precision, recall and F1 per label.

    Exact spans, overlapping spans, and the per-document set of (label, value) pairs
    for casualty counts; value accuracy on matched spans. GOLD is interchange JSONL;
    with --db the gold is the database's own. Where the database has gold, the gain
    from suggesting what annotators confirmed (the gold ruler) is shown too.
    Example: workbench evaluate ../shared/casualty-dev/casualties_dev.jsonl
    """
    if (gold is None) == (not from_db):
        fail("give a GOLD file or --db (one of them)", EXIT_INPUT)
    with errors_reported():
        _evaluate(ctx, gold, model, as_json, errors)


def _evaluate(
    ctx: Context, gold: Path | None, model: str | None, as_json: bool, errors: bool
) -> None:
    import orjson
    from rich.console import Console

    from .jobs.evaluating import evaluate_suggester, gold_ruler_folds, read_gold_file
    from .nlp.evaluate import render_table

    casualty_labels = ctx.config.casualty_labels
    runs: list[tuple[str, list[Any], list[tuple[str, str]]]]
    if gold is not None:
        docs = read_gold_file(gold)
        patterns = []
        if ctx.db_path.exists():
            with ctx.open_store() as store:
                patterns = store.confirmed_entities(exclude_labels=casualty_labels)
        runs = [("base", docs, [])] + ([("gold ruler", docs, patterns)] if patterns else [])
    else:
        with ctx.open_store() as store:
            docs = [
                (a.document.text, a.gold_spans())
                for a in store.annotations(statuses=(SUBMITTED, REVIEWED))
            ]
        if not docs:
            fail(f"{ctx.db_path}: no submitted annotations to evaluate on", EXIT_INPUT)
        folds = gold_ruler_folds(docs, casualty_labels)
        runs = [("base", docs, [])]
        if any(p for _, p in folds):
            runs += [(f"gold ruler, fold {i + 1}", half, p) for i, (half, p) in enumerate(folds)]
    results = {}
    for name, run_docs, run_patterns in runs:
        if not run_docs:
            continue
        suggester = _suggester(ctx.config, model, run_patterns)
        with progress(len(run_docs), f"Evaluating ({name})") as advance:
            results[name] = evaluate_suggester(run_docs, suggester, report=advance)
    if as_json:
        out = {name: report.to_dict() for name, report in results.items()}
        if not errors:
            for figures in out.values():
                figures.pop("errors", None)
        click.echo(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())
        return
    console = Console()
    for name, report in results.items():
        table = render_table(report)
        table.title = f"{name}: {report.documents} documents"
        console.print(table)
        if errors:
            for e in report.errors:
                console.print(
                    f"  doc {e.doc} {e.kind:<8} {e.span.label:<8} {e.text!r}",
                    markup=False,
                    highlight=False,
                )


@cli.group()
def review() -> None:
    """Compare annotators, adjudicate their differences, audit who changed what.

    Example: workbench review agreement; workbench review adjudicate 12 --take amira
    """


def _existing_store(ctx: Context) -> Store:
    if not ctx.db_path.exists():
        fail(f"{ctx.db_path}: no such database (run `workbench` to create one)", EXIT_INPUT)
    return ctx.open_store()


@review.command("agreement")
@click.option("--label", help="Only this label's row (e.g. KILLED, CASUALTY, ALL).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@pass_ctx
def review_agreement(ctx: Context, label: str | None, as_json: bool) -> None:
    """Inter-annotator agreement over documents submitted by two or more annotators.

    Per pair of annotators and per label: spans each has, spans both have, exact-span
    F1 and, for casualty labels, F1 on (label, value) pairs per document.
    Example: workbench review agreement --label KILLED
    """
    import orjson
    from rich.console import Console

    from .review import AGREEMENT_CAPTION, agreement, render_agreement

    with errors_reported(), _existing_store(ctx) as store:
        documents, pairs = agreement(store)
    if as_json:
        out = {"documents": documents, "pairs": [p.to_dict(label) for p in pairs]}
        click.echo(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())
        return
    if not pairs:
        click.echo("No document has been submitted by two or more annotators.")
        return
    console = Console(width=min(Console().width, 80))
    console.print(f"{documents} document(s) submitted by two or more annotators.", markup=False)
    for pair in pairs:
        console.print()
        console.print(render_agreement(pair, label))
    console.print(AGREEMENT_CAPTION, markup=False, highlight=False)


@review.command("disagreements")
@click.option(
    "--annotator",
    "annotators",
    multiple=True,
    help="Compare only these annotators; repeat it: --annotator A --annotator B.",
)
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(min=0),
    help="Documents to show (0: all).",
)
@pass_ctx
def review_disagreements(ctx: Context, annotators: tuple[str, ...], limit: int) -> None:
    """List documents whose submitted annotations differ, with the spans that differ.

    Each span line shows label, offsets, the text (literally, control characters made
    visible), a casualty count, and who has it. Example:
    workbench review disagreements --annotator amira --annotator bob --limit 5
    """
    from .review import disagreements, format_disagreement

    if len(annotators) == 1:
        fail("--annotator: give two or more to compare (or none for everyone)", EXIT_INPUT)
    with errors_reported(), _existing_store(ctx) as store:
        for name in annotators:
            if not store.count_annotations(annotator=name, statuses=(SUBMITTED,)):
                fail(f"{name} has no submitted annotations", EXIT_INPUT)
        found = 0
        for d in disagreements(store, annotators):
            found += 1
            if limit and found > limit:
                continue
            click.echo("\n".join(format_disagreement(d)) + "\n")
    if not found:
        click.echo("No differences: submitted annotations agree on every shared document.")
    elif limit and found > limit:
        click.echo(f"Showed {limit} of {found} document(s) with differences (--limit 0: all).")
    else:
        click.echo(f"{found} document(s) with differences.")


@review.command("adjudicate")
@click.argument("doc_id", required=False, type=int)
@click.option("--take", help="The annotator whose accepted spans become the reviewed gold.")
@click.option(
    "--agreed",
    is_flag=True,
    help="Review every document whose submitters (two or more) all agree exactly.",
)
@click.option("--reviewer", help="Who adjudicates (default: --annotator, else your login).")
@pass_ctx
def review_adjudicate(
    ctx: Context, doc_id: int | None, take: str | None, agreed: bool, reviewer: str | None
) -> None:
    """Record an annotator's accepted spans as a document's reviewed gold.

    The reviewer's annotation (status "reviewed") replaces any earlier review of theirs;
    the events table keeps both. Export picks it up with --gold reviewed or best.
    Examples: workbench review adjudicate 12 --take amira --reviewer lead;
    workbench review adjudicate --agreed
    """
    from .review import adjudicate_agreed

    who = reviewer or ctx.annotator
    if agreed == (doc_id is not None or take is not None) or (
        not agreed and (doc_id is None or take is None)
    ):
        fail("give DOC_ID --take ANNOTATOR, or --agreed", EXIT_INPUT)
    with errors_reported(), _existing_store(ctx) as store:
        if agreed:
            result = adjudicate_agreed(store, who)
            click.echo(
                f"Reviewed {len(result.reviewed)} document(s) where all submitters agree"
                f" (reviewer {who}).\n{result.already_reviewed} already reviewed;"
                f" {result.disagreeing} with differences left to adjudicate."
            )
            if result.own_work:
                ids = ", ".join(map(str, result.own_work))
                click.echo(f"Not reviewed: {who} annotated document(s) {ids}; use --reviewer.")
            return
        assert doc_id is not None and take is not None
        earlier = [
            e for e in store.audit_log(doc_id=doc_id, annotator=who) if e["action"] == "adjudicate"
        ]
        annotation = store.adjudicate(doc_id, take, who)
        click.echo(
            f"Document {doc_id}: reviewed gold by {who} is {take}'s"
            f" {len(annotation.spans)} span(s)"
            + (" (replacing an earlier review)." if earlier else ".")
        )


@review.command("log")
@click.option("--doc", "doc_id", type=int, help="Only this document's events.")
@click.option("--annotator", "who", help="Only this annotator's (or reviewer's) events.")
@click.option("--since", help="Only events from this ISO date or date-time on (UTC if no zone).")
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(min=0),
    help="The latest N events (0: all).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the raw events as JSON.")
@pass_ctx
def review_log(
    ctx: Context,
    doc_id: int | None,
    who: str | None,
    since: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Show the audit trail: time, who, action, document and what changed, oldest first.

    Example: workbench review log --doc 12 --since 2025-05-01
    """
    import orjson
    from rich.console import Console

    from .review import parse_since, render_log

    try:
        since_ts = parse_since(since) if since is not None else None
    except ValueError:
        fail(f"--since {since!r}: expected an ISO date such as 2025-05-01", EXIT_INPUT)
    with errors_reported(), _existing_store(ctx) as store:
        if doc_id is not None:
            store.document(doc_id)  # an unknown id is an error, not an empty log
        events = store.audit_log(doc_id=doc_id, annotator=who, since=since_ts, limit=limit or None)
        if as_json:
            click.echo(orjson.dumps(events, option=orjson.OPT_INDENT_2).decode())
            return
        if not events:
            click.echo("No events.")
            return
        texts: dict[int, str] = {}

        def text_of(i: int) -> str:
            if i not in texts:
                try:
                    texts[i] = store.document(i).text
                except StoreError:
                    texts[i] = ""
            return texts[i]

        Console(width=min(Console().width, 80)).print(render_log(events, text_of))


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
    click.echo(
        f"{store.path}: {s.documents} documents, {s.suggested} suggested, {s.annotated} annotated"
    )


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


@cli.command()
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to save the trained pipeline to.",
)
@click.option(
    "--config",
    "train_config",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A spaCy training config (default: the packaged small one).",
)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="SECTION.KEY=VALUE",
    help="Override one config setting, e.g. --set training.patience=200; repeatable.",
)
@click.option("--max-steps", type=int, help="Training steps (default: from the config).")
@click.option(
    "--gold",
    default="best",
    show_default=True,
    type=click.Choice(["submitted", "reviewed", "all", "best"]),
    help="Which gold to train on (best: one per document, reviewed first).",
)
@click.option("--annotator", "only_annotator", help="Only this annotator's gold.")
@click.option(
    "--split",
    "dev_fraction",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0, 1, max_open=True),
    help="The share of documents held out.",
)
@click.option("--seed", default=0, show_default=True, help="Seed of the split and training.")
@click.option(
    "--casualties",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "model", "rules"]),
    help="What finds casualty spans in the saved pipeline: the trained spancat, the "
    "rules, or auto: whichever scores better on the dev split.",
)
@pass_ctx
def train(
    ctx: Context,
    out_path: Path,
    train_config: Path | None,
    settings: tuple[str, ...],
    max_steps: int | None,
    gold: str,
    only_annotator: str | None,
    dev_fraction: float,
    seed: int,
    casualties: str,
) -> None:
    """Train a spaCy pipeline (ner + casualty spancat) on the gold and report dev scores.

    Use it with `workbench suggest --model OUT` or model = "OUT" in workbench.toml.
    Example: workbench train --out models/v1 --max-steps 400
    """
    from .jobs.export import Selection
    from .nlp.train import TrainError
    from .nlp.train import max_steps as configured_steps
    from .nlp.train import train as run_train

    overrides: dict[str, Any] = {}
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep:
            fail(f"--set {item}: expected SECTION.KEY=VALUE", EXIT_INPUT)
        overrides[key] = _config_value(value)
    if max_steps is not None:
        overrides["training.max_steps"] = max_steps
    with errors_reported(), ctx.open_store() as store:
        try:
            total = configured_steps(train_config, overrides)
            with progress(total, "Training") as advance:
                result = run_train(
                    store,
                    out_path,
                    selection=Selection(gold, only_annotator),
                    config_path=train_config,
                    overrides=overrides,
                    dev_fraction=dev_fraction,
                    seed=seed,
                    casualty_labels=ctx.config.casualty_labels or CASUALTY_LABELS,
                    report=advance,
                    casualties=casualties,
                )
        except TrainError as e:
            fail(str(e), EXIT_INPUT)
        click.echo(
            f"Trained on {result.train_docs} document(s), {result.steps} step(s); "
            f"dev: {result.dev_docs} document(s).",
            err=True,
        )
        click.echo(
            f"Casualty spans come from the {result.casualties}"
            + (
                " (they scored better on dev than the trained spancat)."
                if result.casualties == "rules" and casualties == "auto"
                else "."
            ),
            err=True,
        )
        for name, score in result.scores.items():
            click.echo(f"  {name}: {score:.3f}")
        click.echo(f"Saved to {out_path}. Use it: workbench suggest --model {out_path}")


def _config_value(text: str) -> Any:
    """A --set value as spaCy's config would read it (number, bool, list), else a string."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


def main() -> None:
    cli(prog_name="workbench")
