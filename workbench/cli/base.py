"""What every command module shares: the context, one-line errors, safe output, progress.

Nothing here imports the store, spaCy or Textual at module level: `workbench --help`
loads only click and the pure core. Every string that may come from a file or the
database is printed through `say`/`fail`, which map control characters to visible
glyphs (`workbench.visible`), so an imported label cannot drive the terminal.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click

from ..visible import CONTROL_TABLE, visible

if TYPE_CHECKING:
    from ..config import Config
    from ..store import Store

EXIT_RUNTIME = 1
EXIT_INPUT = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a Unix tool killed by `| head` returns


class Context:
    """What every command gets: the configuration, the database path, and who you are.

    `account` is the person: the operating-system account running the process (from
    the user database, never $USER), or the name `ssh-entry` was given. `requested` is
    the global `--annotator` (or WORKBENCH_ANNOTATOR, or the config's `annotator`).
    `annotator`, the name annotations and events are recorded under, is settled by
    `authorize` before each command runs (`guard_commands`).
    """

    def __init__(
        self,
        config: Config,
        db_path: Path,
        annotator: str,
        *,
        requested: str | None = None,
        read_only: bool = False,
    ) -> None:
        self.config, self.db_path, self.annotator = config, db_path, annotator
        self.account, self.requested, self.read_only = annotator, requested, read_only
        self.role: str | None = None  # None: a database without users, or not a user

    def open_store(self) -> Store:
        """The store, creating the database if it does not exist (commands that write);
        read-only (SQLite's mode=ro) with --read-only and for an auditor."""
        _import_sqlite_utils_without_numpy()
        from ..store import Store

        if self.read_only:
            self.require_database()
            store = Store(self.db_path, read_only=True)
            if store.immutable_note:
                say(f"note: {store.immutable_note}", err=True)
            return store
        return Store(self.db_path)

    def existing_store(self) -> Store:
        """The store of a database that must exist: read-only commands never create one."""
        self.require_database()
        return self.open_store()

    def require_database(self) -> None:
        if not self.db_path.exists():
            fail(f"no database at {self.db_path}; workbench init creates one", EXIT_INPUT)

    def authorize(self, command: str) -> None:
        """Settle who runs `command` and refuse it (one line, exit 2) unless their role
        allows it (workbench/roles.py). A database with no users allows everything."""
        from ..roles import ANYONE, AUDITOR, COMMANDS, Refused, check, is_read_only, may_act_as

        if COMMANDS.get(command) is ANYONE:
            self.annotator = self.requested or self.account
            return
        _import_sqlite_utils_without_numpy()
        from ..store import DatabaseError
        from ..store.users import read_roles

        try:
            roles = read_roles(self.db_path)
        except DatabaseError:  # not a database: the command itself says so
            return
        try:
            if roles.roles:
                self.role = roles.role(self.account)
                check(self.account, self.role, command)
                if self.requested and self.requested != self.account:
                    may_act_as(self.account, self.role, self.requested)
                if self.role == AUDITOR:
                    self.read_only = True
            self.annotator = self.requested or self.account
            if self.read_only and not is_read_only(command):
                raise Refused(f"{command} writes the database; it cannot run read-only")
        except Refused as e:
            fail(str(e), EXIT_INPUT)

    def act_as(self, other: str) -> None:
        """Refuse (one line, exit 2) recording work under `other`'s name unless allowed."""
        from ..roles import Refused, may_act_as

        if self.role is None:  # no users: a single-person install, as before roles
            return
        try:
            may_act_as(self.account, self.role, other)
        except Refused as e:
            fail(str(e), EXIT_INPUT)


# The name `workbench ssh-entry NAME` was given, for the command it runs in-process;
# set only by ssh_entry after its checks (no option or variable can set it).
_SSH_IDENTITY: list[str] = []


def ssh_identity() -> str | None:
    """The person ssh-entry vouched for, or None outside ssh-entry."""
    return _SSH_IDENTITY[-1] if _SSH_IDENTITY else None


def os_account() -> str:
    """The operating-system account running this process, from the user database:
    $USER and $LOGNAME are whatever the caller set, so they are never asked."""
    import pwd

    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # a uid with no entry (some containers)
        return f"uid{os.getuid()}"


def guard_commands(group: click.Group, prefix: str = "") -> None:
    """Wrap every command under `group` so that `Context.authorize` runs first: the one
    place role checks happen, against roles.COMMANDS by the command's path."""
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            guard_commands(command, f"{path} ")
        elif command.callback is not None:
            command.callback = _guarded(path, command.callback)


def _guarded(path: str, callback: Any) -> Any:
    import functools

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        click.get_current_context().find_object(Context).authorize(path)  # type: ignore[union-attr]
        return callback(*args, **kwargs)

    return run


pass_ctx = click.make_pass_decorator(Context)


def _import_sqlite_utils_without_numpy() -> None:
    """Import sqlite-utils with numpy and pandas hidden, then unhide them.

    sqlite-utils imports both when installed only to map their scalar types when it
    creates columns from values; the store never passes it numpy or pandas values.
    numpy alone was about two thirds of `workbench status`'s start-up. spaCy, loaded
    later by the commands that need it, imports numpy as usual.
    """
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        return
    hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            del sys.modules[name]


def one_line(text: object) -> str:
    """Untrusted text as one visible line: control characters and newlines as glyphs."""
    return visible(str(text)).replace("\n", "\u2424")


def say(text: object, *, err: bool = False) -> None:
    """Print a line that may hold file or database strings, control characters visible."""
    click.echo(visible(str(text)), err=err)


def print_json(value: Any) -> None:
    """Indented JSON on stdout; C1 controls escaped too (orjson leaves them raw)."""
    import orjson

    click.echo(escape_c1(orjson.dumps(value, option=orjson.OPT_INDENT_2)).decode())


_C1 = re.compile(rb"\xc2([\x80-\x9f])")  # U+0080-U+009F in UTF-8: C2 then 80-9F


def escape_c1(data: bytes) -> bytes:
    """UTF-8 JSON with each C1 control written as a \\u escape: the same JSON value,
    and no byte a terminal could take for CSI/OSC/DCS (ESC is already escaped)."""
    if b"\xc2" not in data:
        return data
    return _C1.sub(lambda m: b"\\u%04x" % m[1][0], data)


# Control characters other than tab and newline, which CoNLL's columns and lines need.
_CONLL_TABLE = {k: v for k, v in CONTROL_TABLE.items() if k != 0x09}


class TerminalSafe:
    """Standard output for export and predict: nothing in it can drive a terminal.

    JSONL and doccano lines keep their value (C1 controls become JSON escapes; orjson
    escapes ESC already). CoNLL is text, so its control characters are written as
    visible glyphs, one for one, as the annotator shows them; --out keeps them.
    """

    def __init__(self, sink: IO[bytes], fmt: str) -> None:
        self.sink, self.conll = sink, fmt == "conll"

    def write(self, data: bytes) -> int:
        if self.conll:
            data = data.decode("utf-8").translate(_CONLL_TABLE).encode("utf-8")
        else:
            data = escape_c1(data)
        return self.sink.write(data)

    def flush(self) -> None:
        self.sink.flush()


def fail(message: str, code: int = EXIT_RUNTIME) -> NoReturn:
    """One line on stderr, `workbench: error: ...`, and exit with `code`."""
    click.echo(f"workbench: error: {one_line(message)}", err=True)
    sys.exit(code)


def quiet_broken_pipe() -> NoReturn:
    """The reader went away (`| head`): stop quietly, as Unix tools do."""
    try:  # Python flushes stdout at exit; point it at /dev/null so that cannot fail
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests' CliRunner)
        pass
    sys.exit(EXIT_BROKEN_PIPE)


class WorkbenchGroup(click.Group):
    """The top-level group: a reader that goes away (`| head`) ends any command quietly,
    also where the output is written outside `errors_reported`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            quiet_broken_pipe()


def _known(e: Exception) -> tuple[str, int] | None:
    """The one-line message and exit code of a failure users can act on, else None.

    The error classes are imported here, not at module level, so that the store
    (sqlite-utils) loads only for commands that use it.
    """
    from ..config import ConfigError
    from ..interchange.readers import InputError
    from ..store import DatabaseError, DatabaseUnavailable, StoreError

    if isinstance(e, DatabaseUnavailable):  # busy, read-only, disk full: not bad input
        return str(e), EXIT_RUNTIME
    if isinstance(e, (InputError, ConfigError, StoreError)):
        return str(e), EXIT_INPUT
    if isinstance(e, DatabaseError):
        return f"database: {e}", EXIT_RUNTIME
    if isinstance(e, OSError):
        return f"{e.filename or ''}: {e.strerror or e}".lstrip(": "), EXIT_RUNTIME
    return None


@contextmanager
def errors_reported() -> Iterator[None]:
    """Turn known failures into one line on stderr and the documented exit code."""
    try:
        yield
    except BrokenPipeError:
        quiet_broken_pipe()
    except click.exceptions.ClickException:
        raise
    except Exception as e:
        known = _known(e)
        if known is None:
            raise
        fail(*known)


@contextmanager
def progress(total: int | None, description: str) -> Iterator[Any]:
    """Yield `advance(n)` and draw a Rich progress bar on stderr while the work runs.

    Only on a terminal: into a pipe or a log file a bar is noise (a blank line at the
    end, before any error message).
    """
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda n: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("{task.description}", markup=False),  # names from files: never markup
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    with bar:
        task = bar.add_task(one_line(description), total=total)
        yield lambda n: bar.advance(task, n)


# ---- options several commands share: one wording, one meaning --------------------------

MODEL_HELP = "A spaCy pipeline name or path (default: from the config)."
WHOSE_HELP = "Only this annotator's {what}."
