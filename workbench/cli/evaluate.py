"""Commands about models: train a pipeline, evaluate suggestions against gold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..jobs import GOLD_CHOICES
from ..model import CASUALTY_LABELS
from .base import (
    EXIT_INPUT,
    Context,
    errors_reported,
    fail,
    one_line,
    pass_ctx,
    print_json,
    progress,
)


@click.command()
@click.argument("gold", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--db",
    "from_db",
    is_flag=True,
    help="Score on the database's own gold (submitted and reviewed annotations).",
)
@click.option("--model", help="A spaCy pipeline name or path (default: from the config).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--errors", is_flag=True, help="Also list missed and spurious spans.")
@click.option(
    "--include-trained",
    is_flag=True,
    help="Score the documents the model was trained on too (with a warning); by default "
    "they are left out.",
)
@pass_ctx
def evaluate(
    ctx: Context,
    gold: tuple[Path, ...],
    from_db: bool,
    model: str | None,
    as_json: bool,
    errors: bool,
    include_trained: bool,
) -> None:
    """Score suggestions against gold: precision, recall and F1 per label.

    Exact spans, overlapping spans, and the per-document set of (label, value) pairs
    for casualty counts; value accuracy on matched spans. Where the gold's casualty spans
    carry a `source`, who reported each figure is scored too: attribution accuracy on the
    exactly found casualty spans and claim-level P/R/F1. GOLD is interchange JSONL;
    several GOLD files are scored each and in total (all their documents pooled).
    With --db the gold is the database's own. Where the database has gold, the gain
    from suggesting what annotators confirmed (the gold ruler) is shown too.
    The documents a model trained by `workbench train` learnt from are left out (the
    output says how many); --include-trained scores them too, with a warning.
    Example: workbench evaluate ../shared/casualty-dev/casualties_dev.jsonl
    """
    from ..jobs.evaluating import (
        database_gold,
        database_runs,
        evaluate_files,
        evaluate_suggester,
        file_runs,
        leave_out_trained,
        read_gold_file,
    )
    from ..nlp.suggest import suggester_for

    if bool(gold) == from_db:
        fail("give a GOLD file or --db (one of them)", EXIT_INPUT)
    if len(set(gold)) < len(gold):
        fail("a GOLD file is given twice", EXIT_INPUT)
    casualty_labels = ctx.config.casualty_labels
    with errors_reported():
        files = [(str(path), read_gold_file(path)) for path in gold]
        if not gold:
            with ctx.existing_store() as store:
                files = [(str(ctx.db_path), database_gold(store))]
            if not files[0][1]:
                fail(f"{ctx.db_path}: no submitted annotations to evaluate on", EXIT_INPUT)
        scored = suggester_for(ctx.config, model)  # its meta names what it was trained on
        files, trained = leave_out_trained(files, scored.nlp.meta, include=include_trained)
        docs = [doc for _, file_docs in files for doc in file_docs]
        if trained is not None and trained.documents and not docs:
            fail(
                f"all {trained.documents} document(s) are ones the model was trained on: "
                "nothing left to score (--include-trained scores them anyway)",
                EXIT_INPUT,
            )
        if not gold:
            runs = database_runs(docs, casualty_labels)
        elif ctx.db_path.exists():  # the gold ruler learns from the database, if there is one
            with ctx.open_store() as store:
                runs = file_runs(docs, store, casualty_labels)
        else:
            runs = file_runs(docs, None, casualty_labels)
        results: dict[str, Any] = {}  # an EvalReport per run, or a FilesReport
        for run in runs:
            suggester = suggester_for(ctx.config, model, run.patterns)
            with progress(len(run.gold), f"Evaluating ({run.name})") as advance:
                if len(files) > 1:
                    results[run.name] = evaluate_files(files, suggester, report=advance)
                else:
                    results[run.name] = evaluate_suggester(run.gold, suggester, report=advance)
        extra: dict[str, Any] = {}
        if trained is not None and (trained.left_out or trained.documents):
            click.echo(trained.line(), err=as_json)  # JSON keeps stdout for the figures
            extra = trained.to_dict()
        if len(files) > 1:
            _print_files(results, as_json, errors, extra)
        else:
            _print_results(results, as_json, errors, extra)


def _print_files(
    results: dict[str, Any], as_json: bool, errors: bool, extra: dict[str, Any]
) -> None:
    """Several gold files: each file's figures per run, then the total per run."""
    sections: dict[str, dict[str, Any]] = {}
    for run, files_report in results.items():
        for name, report in files_report.files.items():
            sections.setdefault(name, {})[run] = report
    totals = {run: r.total for run, r in results.items()}
    if as_json:
        figures = {name: _figures(reports, errors) for name, reports in sections.items()}
        print_json({"files": figures, "total": _figures(totals, errors), **extra})
        return
    for name, reports in [*sections.items(), ("total", totals)]:
        titled = {f"{one_line(name)}, {run}": r for run, r in reports.items()}
        _print_results(titled, False, errors, {})


def _figures(reports: dict[str, Any], errors: bool) -> dict[str, Any]:
    out = {run: report.to_dict() for run, report in reports.items()}
    if not errors:
        for figures in out.values():
            figures.pop("errors", None)
    return out


def _print_results(
    results: dict[str, Any], as_json: bool, errors: bool, extra: dict[str, Any]
) -> None:
    from rich.console import Console

    from ..nlp.evaluate import render_sources, render_table

    if as_json:
        out = {name: report.to_dict() for name, report in results.items()}
        if not errors:
            for figures in out.values():
                figures.pop("errors", None)
        print_json({**out, **extra})
        return
    console = Console()
    for name, report in results.items():
        table = render_table(report)
        table.title = f"{name}: {report.documents} documents"
        console.print(table)
        if (sources := render_sources(report)) is not None:
            console.print(sources, markup=False, highlight=False)
        if errors:
            for e in report.errors:
                line = f"  doc {e.doc} {e.kind:<8} {one_line(e.span.label):<8} {one_line(e.text)!r}"
                console.print(line, markup=False, highlight=False)
            for d in report.sources.disagreements if report.sources else ():
                gold, suggested = (
                    "none" if d[k] is None else repr(one_line(d[k])) for k in ("gold", "predicted")
                )
                line = f"  doc {d['doc']} source   {one_line(d['figure'])!r}: gold {gold}, "
                console.print(line + f"suggested {suggested}", markup=False, highlight=False)


@click.command()
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
    type=click.Choice(GOLD_CHOICES),
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
@click.option(
    "--from-scratch",
    is_flag=True,
    help="Train a new ner + casualty spancat from a blank pipeline (the old way; implied "
    "by --config, --set and --max-steps) instead of fine-tuning the base model's ner.",
)
@click.option(
    "--epochs", default=10, show_default=True, type=click.IntRange(1), help="Fine-tuning epochs."
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
    from_scratch: bool,
    epochs: int,
) -> None:
    """Fine-tune the base model's ner on the gold; keep it only if it does better.

    By default the configured model's ner is fine-tuned on the gold, rehearsing on the
    base model's own predictions for unlabelled documents so it does not forget, and
    both are scored per label on the held-out split: the model is saved to OUT only
    where its entity F1 is higher. --from-scratch trains a new ner + casualty spancat.
    Use it with `workbench suggest --model OUT` or model = "OUT" in workbench.toml.
    Example: workbench train --out models/v1
    """
    from ..jobs.export import Selection

    if not (from_scratch or train_config or settings or max_steps is not None):
        _fine_tune(ctx, out_path, Selection(gold, only_annotator), dev_fraction, seed, epochs)
        return
    from ..nlp.train import TrainError
    from ..nlp.train import max_steps as configured_steps
    from ..nlp.train import train as run_train

    overrides: dict[str, Any] = {}
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep:
            fail(f"--set {item}: expected SECTION.KEY=VALUE", EXIT_INPUT)
        overrides[key] = _config_value(value)
    if max_steps is not None:
        overrides["training.max_steps"] = max_steps
    with errors_reported(), ctx.existing_store() as store:
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


def _fine_tune(
    ctx: Context, out_path: Path, selection: Any, dev_fraction: float, seed: int, epochs: int
) -> None:
    from ..nlp.finetune import FineTuneError, fine_tune

    base = (ctx.config.model, *ctx.config.model_fallbacks)
    with errors_reported(), ctx.existing_store() as store:
        try:
            with progress(epochs, "Fine-tuning") as advance:
                result = fine_tune(
                    store,
                    out_path,
                    base=base,
                    selection=selection,
                    dev_fraction=dev_fraction,
                    seed=seed,
                    epochs=epochs,
                    report=advance,
                )
        except FineTuneError as e:
            fail(str(e), EXIT_INPUT)
    click.echo(
        f"Fine-tuned {result.base}'s ner on {result.train_docs} document(s), "
        f"{result.epochs} epoch(s), rehearsing on {result.rehearsal_docs} unlabelled "
        f"document(s); held out: {result.dev_docs}.",
        err=True,
    )
    click.echo(f"{'label':<8} {'base P/R/F1':>17}  {'trained P/R/F1':>17}")
    for label in sorted(
        result.before.keys() | result.after.keys(), key=lambda k: (k == "ENTITY", k)
    ):
        b, a = (r.get(label, (0.0, 0.0, 0.0)) for r in (result.before, result.after))
        click.echo(f"{label:<8} {b[0]:.2f}/{b[1]:.2f}/{b[2]:.2f}  {a[0]:.2f}/{a[1]:.2f}/{a[2]:.2f}")
    if result.kept:
        click.echo(
            f"Saved to {out_path}: it scored better than {result.base} on the held-out split."
        )
        click.echo(f"Use it: workbench suggest --model {out_path}")
    else:
        click.echo(
            f"Not saved: it did not score better than {result.base} on the held-out split; "
            "keep suggesting with the base model (more gold, or --epochs, may help)."
        )


def _config_value(text: str) -> Any:
    """A --set value as spaCy's config would read it (number, bool, list), else a string."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text
