"""Where an export may write, and writing it so that a failure leaves the old file whole.

Every export goes to a hidden temporary name beside its target (`.NAME.*.tmp`), is
flushed and fsynced, then renamed over the target: a killed or disk-full export
leaves the previous file (or folder) as it was, never a truncated one. Folders
(spacy, brat) are built beside the target and swapped in whole, so shards of an
earlier run cannot linger (no stale dev shard duplicating train).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from .validate import InputError

DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


class TargetError(InputError):
    """An export target that must not be written: the database, or an existing file."""


def database_files(db: Path) -> list[Path]:
    """The database file and the files SQLite keeps beside it."""
    return [db.with_name(db.name + s) for s in DATABASE_SUFFIXES]


def check_target(
    out: Path,
    db: Path | None,
    *,
    force: bool,
    folder: bool,
    ours: Callable[[Path], bool] = lambda _: False,
) -> None:
    """Refuse a target that is the database's, or exists without `force`.

    A folder with `force` is replaced only if everything in it is something this
    export writes (`ours`): a mistyped --out never removes someone's other files.
    """
    target = out.resolve()
    protected = [p.resolve() for p in database_files(db)] if db is not None else []
    if target in protected:
        raise TargetError(out, None, "is the database's own file: choose another --out")
    if folder and any(target in p.parents for p in protected):
        raise TargetError(out, None, "holds the database: choose another --out")
    if not (out.exists() or out.is_symlink()):
        return
    if folder != out.is_dir():
        raise TargetError(out, None, "is a folder" if out.is_dir() else "is a file, not a folder")
    if folder and not any(out.iterdir()):
        return  # an empty folder made for the export
    if not force:
        raise TargetError(out, None, "exists: use --force to replace it")
    if folder:
        stray = next((p for p in sorted(out.rglob("*")) if not ours(p.relative_to(out))), None)
        if stray is not None:
            raise TargetError(
                out,
                None,
                f"holds {stray.relative_to(out)}, which an export does not write: not replacing it",
            )


def _temporary(out: Path, kind: str) -> Path:
    return out.parent / f".{out.name}.{os.getpid()}-{os.urandom(4).hex()}.{kind}"


@contextlib.contextmanager
def atomic_file(out: Path) -> Iterator[IO[bytes]]:
    """A binary file that becomes `out` only when the block ends without an error."""
    tmp = _temporary(out, "tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    f = os.fdopen(fd, "wb", buffering=1 << 20)
    try:
        yield f
        f.flush()
        os.fsync(f.fileno())
        f.close()
        os.replace(tmp, out)
        fsync_folder(out.parent)
    except BaseException:
        with contextlib.suppress(OSError):  # closing flushes, which fails again on a full disk
            f.close()
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """A folder to fill that replaces `out` whole when the block ends without an error."""
    stage = _temporary(out, "tmp")
    stage.mkdir()
    try:
        yield stage
        for root, _, files in os.walk(stage):
            for name in files:
                fsync_file(Path(root, name))
            fsync_folder(Path(root))
        if out.exists():
            _swap(stage, out)  # stage now holds the old folder
            shutil.rmtree(stage)
        else:
            os.rename(stage, out)
        fsync_folder(out.parent)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _swap(a: Path, b: Path) -> None:
    """Exchange two folders: atomically where Linux offers it, else by two renames."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        renameat2 = None
    if renameat2 is not None:
        at_fdcwd, rename_exchange = -100, 2
        if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
            return
    old = _temporary(b, "old")
    os.rename(b, old)  # a kill here leaves the old export whole at `old`
    os.rename(a, b)
    os.rename(old, a)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(path: Path) -> None:
    """Make a rename in `path` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on a folder; the rename still happened
    finally:
        os.close(fd)
