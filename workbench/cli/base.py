"""What every command module shares: the context, one-line errors, the progress bar."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..config import Config, ConfigError
from ..interchange.readers import InputError
from ..store import DatabaseError, Store, StoreError

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


def existing_store(ctx: Context) -> Store:
    if not ctx.db_path.exists():
        fail(f"{ctx.db_path}: no such database (run `workbench` to create one)", EXIT_INPUT)
    return ctx.open_store()
