"""Inputs and outputs of a cluster `predict`: find and check the inputs on the driver,
cut them into partitions, and write shards and the manifest atomically.

No Dask here: everything in this module runs on the driver.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..interchange.readers import JSONL_SUFFIXES, InputError, find_inputs, parse_record

if TYPE_CHECKING:
    from .predict import PredictInput

MANIFEST = "manifest.json"
SHARD_PREFIX = "part-"
PARTITION_SIZE = 500  # documents per partition: seconds of work each, so overhead stays small


@dataclass
class InputFile:
    """An input found and checked: how many documents, and its bad lines (--skip-invalid)."""

    path: Path
    documents: int
    invalid: list[str] = field(default_factory=list)


def expand_inputs(args: Iterable[str]) -> list[Path]:
    """Files, folders (their .txt and .jsonl, recursively) and globs, in order, once each."""
    paths: list[Path] = []
    for arg in args:
        if any(c in arg for c in "*?["):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                raise InputError(arg, None, "no file matches")
            paths.extend(Path(m) for m in matches)
        else:
            paths.append(Path(arg))
    found = find_inputs(paths)
    return list(dict.fromkeys(found))


def read_inputs(path: Path, *, skip_invalid: bool = False) -> Iterator[PredictInput | InputError]:
    """The records of one input as serial `predict` reads them; with `skip_invalid`, bad
    lines come as InputErrors in their place instead of stopping the read."""
    from .predict import PredictInput, read_predict_input

    if not skip_invalid:
        yield from read_predict_input(path)
        return
    if path.suffix.lower() not in JSONL_SUFFIXES:
        try:
            yield from read_predict_input(path)
        except InputError as e:
            yield e
        return
    # Lines numbered as read_predict_input numbers them (bytes.splitlines).
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            read = parse_record(raw, path, number)
        except InputError as e:
            yield e
            continue
        yield PredictInput(f"{path}:{number}", {**read.meta, "text": read.text})


def check_inputs(paths: Iterable[Path], *, skip_invalid: bool = False) -> list[InputFile]:
    """Read every input once before anything runs: the first bad line raises InputError
    (file:line), unless `skip_invalid`, which lists it instead."""
    checked = []
    for path in paths:
        item = InputFile(path, 0)
        for read in read_inputs(path, skip_invalid=skip_invalid):
            if isinstance(read, InputError):
                item.invalid.append(str(read))
            else:
                item.documents += 1
        checked.append(item)
    return checked


@dataclass
class Partition:
    """A block of one input's records, and the bad lines skipped among them."""

    index: int
    path: Path
    inputs: list[PredictInput]
    invalid: list[str]

    @property
    def shard(self) -> str:
        return f"{SHARD_PREFIX}{self.index:05d}.jsonl"


def partitions(
    files: Iterable[InputFile], size: int = PARTITION_SIZE, *, skip_invalid: bool = False
) -> Iterator[Partition]:
    """Blocks of at most `size` records, file by file, read again lazily (so only the
    partitions in flight are held in memory); numbered in input order."""
    index = 0
    for item in files:
        block: list[PredictInput] = []
        invalid: list[str] = []
        for read in read_inputs(item.path, skip_invalid=skip_invalid):
            if isinstance(read, InputError):
                invalid.append(str(read))
                continue
            block.append(read)
            if len(block) == size:
                yield Partition(index, item.path, block, invalid)
                index += 1
                block, invalid = [], []
        if block or invalid:
            yield Partition(index, item.path, block, invalid)
            index += 1


def prepare_out(out: Path) -> None:
    """Create the output folder; refuse one that already holds a run's output."""
    check_out(out)
    out.mkdir(parents=True, exist_ok=True)


def check_out(out: Path) -> None:
    """Refuse an output folder that is a file or already holds a run's output."""
    if out.exists() and not out.is_dir():
        raise InputError(out, None, "not a folder")
    if out.is_dir() and ((out / MANIFEST).exists() or any(out.glob(f"{SHARD_PREFIX}*.jsonl"))):
        raise InputError(out, None, "already holds predict output: choose an empty folder")


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary name beside `path`, then rename: `path` is whole or absent."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
