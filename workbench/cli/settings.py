"""The config group: write the default configuration, show the one in effect."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import default_config_text
from .base import EXIT_INPUT, Context, fail, pass_ctx


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
