"""The stats command: per-annotator work and the team's agreement figures."""

from __future__ import annotations

import click

from .base import Context, errors_reported, pass_ctx, print_json, say


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@pass_ctx
def stats(ctx: Context, as_json: bool) -> None:
    """Per annotator: documents submitted, skipped, flagged, median seconds per document,
    label counts; per label and overall: pairwise exact-span F1, casualty (label, value)
    F1, and Krippendorff's alpha over token labels (documents annotated by two or more).

    Example: workbench stats --json
    """
    from ..stats import render_stats, team_stats

    with errors_reported(), ctx.existing_store() as store:
        figures = team_stats(store)
    if as_json:
        print_json(figures)
        return
    for line in render_stats(figures):
        say(line)
