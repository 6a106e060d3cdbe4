"""The export command: gold annotations out in each format."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any, cast

import click

from ..jobs import FORMATS, GOLD_CHOICES
from ..model import CASUALTY_LABELS, DOC_STATUSES
from .base import (
    Context,
    TerminalSafe,
    errors_reported,
    pass_ctx,
    progress,
    say,
)


@click.command()
@click.option(
    "--format",
    "fmt",
    default="jsonl",
    show_default=True,
    type=click.Choice(FORMATS),
    help="jsonl: interchange; spacy: DocBin folders for `spacy train`; conll: IOB2 "
    "token per line; doccano: doccano JSONL; brat: .txt/.ann pairs; claims: a CSV "
    "table, one row per casualty figure with its source.",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path),
    help="The file to write (a folder for spacy and brat); default: standard output.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite an existing --out (never the database's own files).",
)
@click.option(
    "--gold",
    default="submitted",
    show_default=True,
    type=click.Choice(GOLD_CHOICES),
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
@click.option(
    "--doccano-relations",
    is_flag=True,
    help="doccano: write doccano's relation form (entities with ids, and relations) for a"
    " project with relation labelling, instead of label pairs.",
)
@click.option(
    "--jsonl",
    "claims_jsonl",
    is_flag=True,
    help="claims: JSON lines (one claim per line) instead of CSV.",
)
@pass_ctx
def export(
    ctx: Context,
    fmt: str,
    out_path: Path | None,
    force: bool,
    gold: str,
    only_annotator: str | None,
    include_flagged: bool,
    include_skipped: bool,
    statuses: tuple[str, ...],
    tokens: bool,
    dev_fraction: float,
    seed: int,
    doccano_relations: bool,
    claims_jsonl: bool,
) -> None:
    """Write gold annotations as interchange JSONL, spaCy DocBin, CoNLL, doccano, brat,
    or a claims table.

    JSONL lines carry the document's own keys and meta, its hash, the annotator, the
    status and a timestamp, and each casualty figure's source as a relation. Spans a
    format cannot hold (overlapping entities in doc.ents or CoNLL) are listed on
    stderr. Examples: workbench export --out gold.jsonl; workbench export --format
    spacy --split 0.2 --out corpus/; workbench export --format claims --gold best
    --out claims.csv
    """
    from ..jobs.export import Selection, count_selected
    from ..jobs.export import export as run_export

    if claims_jsonl and fmt != "claims":
        raise click.UsageError(
            "--jsonl is for --format claims (the jsonl format is --format jsonl)"
        )
    if doccano_relations and fmt != "doccano":
        raise click.UsageError("--doccano-relations is for --format doccano")
    selection = Selection(gold, only_annotator, include_flagged, include_skipped, statuses)
    with errors_reported(), ctx.existing_store() as store:
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
                force=force,
                # A CSV is text like CoNLL: control characters shown as glyphs on a terminal.
                stdout=None
                if out_path
                else _terminal_safe_stdout(
                    "conll" if fmt == "claims" and not claims_jsonl else fmt
                ),
                relation_labels=ctx.config.relations,
                doccano_relations=doccano_relations,
                claims_jsonl=claims_jsonl,
            )
        _report_dropped(result.dropped)
        _warn_conflicts(result.conflicts)
        if result.thinned:
            say(
                f"warning: {result.thinned} span(s) overlap another: a doccano project that"
                " does not allow overlapping spans drops them on import.",
                err=True,
            )
        if fmt == "claims":
            click.echo(
                f"Exported {result.claims} claim(s) from {result.documents} annotation(s).",
                err=True,
            )
            return
        where = f" ({result.train} train, {result.dev} dev)" if fmt == "spacy" else ""
        click.echo(
            f"Exported {result.documents} annotation(s){where}, {result.spans} span(s).", err=True
        )


def _terminal_safe_stdout(fmt: str) -> IO[bytes]:
    """Standard output wrapped so nothing in the export can drive a terminal."""
    return cast("IO[bytes]", TerminalSafe(sys.stdout.buffer, fmt))


def _report_dropped(dropped: list[Any], shown: int = 20) -> None:
    """Spans a format could not hold: the count, then where (the first `shown`)."""
    if not dropped:
        return
    click.echo(f"{len(dropped)} span(s) could not be written (overlaps):", err=True)
    for d in dropped[:shown]:
        say(f"  {d}", err=True)
    if len(dropped) > shown:
        click.echo(f"  ... and {len(dropped) - shown} more", err=True)


def _warn_conflicts(conflicts: int) -> None:
    """Two or more annotators' versions of one document: say so, and how to choose."""
    if conflicts:
        click.echo(
            f"warning: {conflicts} document(s) exported with more than one annotation"
            " (several annotators' versions); for one per document use --gold best,"
            " or settle them with `workbench review adjudicate`.",
            err=True,
        )
