"""Readers for what `workbench import` takes: .txt files, interchange (and Prodigy-style)
JSONL, doccano JSONL, and brat standoff (a .txt with a .ann beside it).

A reader validates a whole file before anything is written, and names the file
and line of the first problem. Reading is pure: no database here.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from ..model import NewDocument, Span
from .validate import (
    MAX_TEXT_CHARS,
    InputError,
    Labels,
    check_text,
    count_keys,
    duplicate_key,
    interchange_span,
    maybe_duplicates,
)

TEXT_SUFFIXES = {".txt"}
DOCBIN_SUFFIXES = {".spacy"}  # what `export --format spacy` writes
PROGRESS_STEP_BYTES = 1 << 16  # report progress in steps, not per line: it costs
BLANK_LINE = "blank line"
# Keys that carry spans (interchange, doccano, Prodigy): such lines take the full parser.
_SPAN_KEYS = frozenset({"spans", "label", "entities", "tokens", "span_attrs", "relations"})
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
BOM = b"\xef\xbb\xbf"
LOCAL_COPY_MAX_BYTES = 64 << 20  # a local copy past this goes to a temporary file


__all__ = [
    "MAX_TEXT_CHARS",
    "InputError",
    "find_inputs",
    "iter_file",
    "local_copy",
    "parse_record",
]


def find_inputs(paths: list[Path]) -> list[Path]:
    """The importable files under `paths` (folders recursively), in a stable order.

    A folder that cannot be read is an error, not a silent gap in the import.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(_walk(path)))
        elif path.exists():
            found.append(path)
        else:
            raise InputError(path, None, "no such file or folder")
    return found


def _walk(folder: Path) -> Iterator[Path]:
    def refuse(e: OSError) -> None:
        raise InputError(e.filename or folder, None, f"cannot read folder: {e.strerror}")

    for root, _, files in os.walk(folder, onerror=refuse):
        for name in files:
            p = Path(root, name)
            if _importable(p) and p.is_file():
                yield p


def _importable(path: Path) -> bool:
    suffixes = TEXT_SUFFIXES | JSONL_SUFFIXES | DOCBIN_SUFFIXES
    return path.suffix.lower() in suffixes and not path.name.startswith(".")


def iter_file(
    path: Path,
    *,
    skip_invalid: bool = False,
    problems: list[InputError] | None = None,
    on_bytes: Callable[[int], None] | None = None,
    labels: Labels = None,
    stream: IO[bytes] | None = None,
) -> Iterator[NewDocument]:
    """The documents of one input file, by its suffix (.txt: one; .jsonl: one per line).

    Raises InputError at the first bad line; with `skip_invalid`, bad lines are
    appended to `problems` instead. Consumers write inside one transaction and roll
    back on InputError, so a file is imported whole or not at all. `labels` is the
    label set spans may use (None: any well-formed label). A JSONL file's lines may
    come from `stream` (its `local_copy`); `path` still names it.
    """
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        from .prodigy import merged  # Prodigy answers on one input are one document

        yield from merged(
            iter_jsonl(
                path,
                skip_invalid=skip_invalid,
                problems=problems,
                on_bytes=on_bytes,
                labels=labels,
                stream=stream,
            )
        )
    elif suffix in DOCBIN_SUFFIXES:
        from .spacy_docbin import read_docbin  # loads spaCy: only for .spacy files

        yield from read_docbin(path, labels)
        if on_bytes:
            on_bytes(path.stat().st_size)
    elif suffix in TEXT_SUFFIXES and path.with_suffix(".ann").is_file():
        from .brat import read_brat

        yield read_brat(path, labels)
        if on_bytes:
            on_bytes(path.stat().st_size)
    elif suffix in TEXT_SUFFIXES:
        yield read_text(path)
        if on_bytes:
            on_bytes(path.stat().st_size)
    else:
        raise InputError(path, None, "unknown file type (expected .txt, .jsonl, .ndjson or .spacy)")


def read_text(path: Path) -> NewDocument:
    """A plain-text file as one document; its meta records where it came from."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(path, line, f"invalid UTF-8 (byte {e.start})") from None
    text = text.removeprefix("\ufeff")
    check_text(text, path, _line_of_nul(text), MAX_TEXT_CHARS)
    source = path.as_posix()
    return NewDocument(text=text, meta={"meta": {"source": source}}, source=source)


def _line_of_nul(text: str) -> int | None:
    at = text.find("\x00")
    return None if at < 0 else text.count("\n", 0, at) + 1


@contextlib.contextmanager
def local_copy(path: Path, on_bytes: Callable[[int], None] | None = None) -> Iterator[IO[bytes]]:
    """The bytes of `path` in a private temporary file (in memory up to
    LOCAL_COPY_MAX_BYTES, then on disk), read to the end before it is handed over:
    whatever waits on the source (a FIFO, a network mount) waits here, so reading the
    copy afterwards costs CPU only."""
    with tempfile.SpooledTemporaryFile(LOCAL_COPY_MAX_BYTES) as copy:
        with path.open("rb") as f:
            while chunk := f.read(PROGRESS_STEP_BYTES):
                copy.write(chunk)
                if on_bytes:
                    on_bytes(len(chunk))
        copy.seek(0)
        yield copy


def iter_jsonl(
    path: Path,
    *,
    skip_invalid: bool = False,
    problems: list[InputError] | None = None,
    on_bytes: Callable[[int], None] | None = None,
    labels: Labels = None,
    stream: IO[bytes] | None = None,
) -> Iterator[NewDocument]:
    """Every line of a JSONL file, in the interchange or doccano format; the lines
    come from `stream` if given (a local copy of `path`).

    A UTF-8 byte-order mark before the first line is skipped (offsets count from
    the text, so the mark moves nothing).
    """
    problems = [] if problems is None else problems
    found = number = 0
    name = str(path)  # once: formatting a Path per line is a measurable cost
    loads, special, limit, keys = orjson.loads, _SPAN_KEYS, MAX_TEXT_CHARS, count_keys
    with contextlib.nullcontext(stream) if stream is not None else path.open("rb") as f:
        # A block of lines at a time: progress is told per block, not counted per line.
        while block := f.readlines(PROGRESS_STEP_BYTES):
            if on_bytes:
                on_bytes(sum(map(len, block)))
            if number == 0 and block[0].startswith(BOM):
                block[0] = block[0][3:]
            for raw in block:
                number += 1
                # Fast path for the common line, {"text": ..., other keys}: the same
                # checks as parse_record, inlined; anything else goes the long way round.
                try:
                    record = loads(raw)
                except orjson.JSONDecodeError:
                    record = None
                if type(record) is dict:
                    text = record.get("text")
                    if (
                        type(text) is str
                        and 0 < len(text) <= limit
                        and special.isdisjoint(record)
                        and not text.isspace()
                        and "\x00" not in text
                        and raw.count(b'":') == keys(record)  # no key repeated
                    ):
                        del record["text"]
                        found += 1
                        yield NewDocument(text, record, f"{name}:{number}")
                        continue
                try:
                    doc = parse_record(raw, name, number, labels)
                except InputError as e:
                    if e.reason == BLANK_LINE:
                        continue
                    if not skip_invalid:
                        raise
                    problems.append(e)
                    continue
                found += 1
                yield doc
    if not found and not problems:
        raise InputError(path, None, "no documents in file")


def parse_record(raw: bytes, path: Path | str, line: int, labels: Labels = None) -> NewDocument:
    """One JSONL line as a document with its spans as pre-annotations."""
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        if not raw.strip():
            raise InputError(path, line, BLANK_LINE) from None
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as u:
            raise InputError(path, line, f"invalid UTF-8 (column {u.start + 1})") from None
        raise InputError(path, line, f"malformed JSON: {e}") from None
    if type(record) is not dict:
        raise InputError(path, line, 'expected a JSON object with a "text" key')
    if maybe_duplicates(raw, record):
        key = duplicate_key(raw)
        if key is not None:  # orjson keeps the last silently; the first may be the intended
            raise InputError(path, line, f"key {key!r} appears twice in one object")
    text = record.pop("text", None)
    if type(text) is not str:
        raise InputError(path, line, 'missing or non-string "text"')
    check_text(text, path, line, MAX_TEXT_CHARS)
    spans: tuple[Span, ...] = ()
    # doccano's relation form: relations name entities by id.
    entities = record.get("entities") if "spans" not in record else None
    if "spans" in record or "label" in record or "entities" in record:
        spans = tuple(_spans(record, text, path, line, labels))
        record.pop("spans", None)
        if isinstance(record.get("label"), list):
            record.pop("label")
        if isinstance(record.get("entities"), list):
            record.pop("entities")
        record.pop("span_attrs", None)  # doccano's carrier of casualty attributes
        from .relations import with_embedded_links  # a link written on the span itself

        spans = tuple(with_embedded_links(spans, text, path, line, labels))
    if "relations" in record:  # Prodigy's (head_span, child_span) or doccano's (from_id, to_id)
        items = record.pop("relations")
        spans = tuple(_relations(items, entities, spans, text, path, line, labels))
    # Prodigy's tokens are derived from the text; an export with tokens recomputes them.
    record.pop("tokens", None)
    return NewDocument(text, record, f"{path}:{line}", spans)


def _relations(
    items: Any,
    entities: Any,
    spans: tuple[Span, ...],
    text: str,
    path: Path | str,
    line: int,
    labels: Labels,
) -> list[Span]:
    """The spans with the record's relations set as links on their head spans."""
    if isinstance(entities, list):
        from .doccano import doccano_relations

        return doccano_relations(items, entities, spans, text, path, line)
    from .relations import with_relations

    return with_relations(items, spans, text, path, line, labels)


def _spans(
    record: dict[str, Any], text: str, path: Path | str, line: int, labels: Labels
) -> list[Span]:
    if "spans" in record:  # the interchange format (Prodigy-style)
        items = record["spans"]
        if not isinstance(items, list):
            raise InputError(path, line, '"spans" must be a list')
        return [interchange_span(item, text, path, line, labels) for item in items]
    if isinstance(record.get("label"), list) or isinstance(record.get("entities"), list):
        from .doccano import doccano_spans  # [[start, end, "LABEL"], ...] or entity objects

        return doccano_spans(record, text, path, line, labels)
    return []
