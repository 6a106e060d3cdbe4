"""The config group: write the default configuration, show the one in effect."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import default_config_text
from .base import EXIT_INPUT, Context, fail, pass_ctx, say


@click.group()
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
    say(f"Wrote {path}.")


@config.command("show")
@pass_ctx
def config_show(ctx: Context) -> None:
    """Print the configuration in effect and where it came from."""
    c = ctx.config
    say(f"config file: {c.path or '(defaults)'}")
    say(f"database:    {ctx.db_path}")
    say(f"annotator:   {ctx.annotator}")
    say(f"model:       {c.model} (fallbacks: {', '.join(c.model_fallbacks) or 'none'})")
    routing = f"{c.overlap} annotator(s) per document" if c.overlap else "0 (everyone, every one)"
    say(f"overlap:     {routing}; claims expire after {c.claim_minutes:g} min")
    learns = "reviewed gold only" if c.ruler_reviewed_only else "submitted and reviewed gold"
    say(f"gold ruler:  learns from {learns} (ruler_learns_from = {c.ruler_learns_from})")
    say(f"relations:   {', '.join(c.relations)} (casualty span -> the span it links to)")
    for spec in c.labels.values():
        say(f"  [{spec.key}] {spec.name:<8} {spec.kind:<8} {spec.color}  {spec.description}")
