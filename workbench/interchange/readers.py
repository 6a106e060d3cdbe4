"""Readers for what `workbench import` takes: .txt files, interchange JSONL, doccano JSONL.

A reader validates a whole file before anything is written, and names the file
and line of the first problem. Reading is pure: no database here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..model import QUALIFIERS, Span
from ..store import NewDocument

# A document larger than this is almost certainly a mistake (a whole dump in one line).
MAX_TEXT_CHARS = 5_000_000
TEXT_SUFFIXES = {".txt"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


class InputError(Exception):
    """Bad input: the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")


@dataclass
class FileRead:
    """What one file gave: its documents, and (with skip_invalid) the lines left out."""

    path: Path
    documents: list[NewDocument]
    problems: list[InputError]


def find_inputs(paths: list[Path]) -> list[Path]:
    """The importable files under `paths` (folders recursively), in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and _importable(p))
            )
        elif path.exists():
            found.append(path)
        else:
            raise InputError(path, None, "no such file or folder")
    return found


def _importable(path: Path) -> bool:
    return path.suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES and not path.name.startswith(".")


def read_file(
    path: Path, *, skip_invalid: bool = False, on_bytes: Callable[[int], None] | None = None
) -> FileRead:
    """Read one input file, by its suffix (.txt is one document; .jsonl one per line)."""
    if path.suffix.lower() in JSONL_SUFFIXES:
        return read_jsonl(path, skip_invalid=skip_invalid, on_bytes=on_bytes)
    if path.suffix.lower() in TEXT_SUFFIXES:
        doc = read_text(path)
        if on_bytes:
            on_bytes(path.stat().st_size)
        return FileRead(path, [doc], [])
    raise InputError(path, None, "unknown file type (expected .txt, .jsonl or .ndjson)")


def read_text(path: Path) -> NewDocument:
    """A plain-text file as one document; its meta records where it came from."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(path, line, f"invalid UTF-8 (byte {e.start})") from None
    text = text.removeprefix("\ufeff")
    _check_text(text, path, None)
    return NewDocument(text=text, meta={"meta": {"source": path.as_posix()}}, source=path.as_posix())


def read_jsonl(
    path: Path, *, skip_invalid: bool = False, on_bytes: Callable[[int], None] | None = None
) -> FileRead:
    """Every line of a JSONL file, in the interchange or doccano format."""
    docs: list[NewDocument] = []
    problems: list[InputError] = []
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            if on_bytes:
                on_bytes(len(raw))
            if not raw.strip():
                continue
            try:
                docs.append(parse_record(raw, path, number))
            except InputError as e:
                if not skip_invalid:
                    raise
                problems.append(e)
    if not docs and not problems:
        raise InputError(path, None, "no documents in file")
    return FileRead(path, docs, problems)


def parse_record(raw: bytes, path: Path, line: int) -> NewDocument:
    """One JSONL line as a document with its spans as pre-annotations."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(path, line, f"invalid UTF-8 (column {e.start + 1})") from None
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise InputError(path, line, f"malformed JSON: {e}") from None
    if not isinstance(record, dict):
        raise InputError(path, line, "expected a JSON object with a \"text\" key")
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError(path, line, "missing or non-string \"text\"")
    _check_text(text, path, line)
    spans = _spans(record, text, path, line)
    extra = {k: v for k, v in record.items() if k not in ("text", "spans", "label")}
    return NewDocument(
        text=text, meta=extra, source=f"{path.as_posix()}:{line}", spans=tuple(spans)
    )


def _check_text(text: str, path: Path, line: int | None) -> None:
    if not text.strip():
        raise InputError(path, line, "empty document")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            path, line, f"document of {len(text):,} characters (limit {MAX_TEXT_CHARS:,})"
        )


def _spans(record: dict[str, Any], text: str, path: Path, line: int) -> list[Span]:
    if "spans" in record:  # the interchange format (Prodigy-style)
        items = record["spans"]
        if not isinstance(items, list):
            raise InputError(path, line, "\"spans\" must be a list")
        return [_interchange_span(item, text, path, line) for item in items]
    if isinstance(record.get("label"), list):  # doccano: [[start, end, "LABEL"], ...]
        out = []
        for item in record["label"]:
            if not (isinstance(item, list) and len(item) == 3 and isinstance(item[2], str)):
                raise InputError(path, line, f"doccano label must be [start, end, LABEL]: {item!r}")
            out.append(_checked(item[0], item[1], item[2], {}, text, path, line))
        return out
    return []


def _interchange_span(item: Any, text: str, path: Path, line: int) -> Span:
    if not isinstance(item, dict):
        raise InputError(path, line, f"a span must be an object: {item!r}")
    label = item.get("label")
    if not isinstance(label, str) or not label:
        raise InputError(path, line, f"span without a label: {_short(item)}")
    attrs = {
        k: v for k, v in item.items()
        if k not in ("start", "end", "label", "text", "span_text", "token_start", "token_end")
    }
    if "value" in attrs and attrs["value"] is not None and not (
        isinstance(attrs["value"], int) and not isinstance(attrs["value"], bool)
    ):
        raise InputError(path, line, f"span value must be an integer or null: {_short(item)}")
    if "qualifier" in attrs and attrs["qualifier"] not in QUALIFIERS:
        raise InputError(
            path, line, f"unknown qualifier {attrs['qualifier']!r} (one of {', '.join(QUALIFIERS)})"
        )
    return _checked(item.get("start"), item.get("end"), label, attrs, text, path, line)


def _checked(
    start: Any, end: Any, label: str, attrs: dict[str, Any], text: str, path: Path, line: int
) -> Span:
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
        raise InputError(path, line, f"span offsets must be integers: {start!r}, {end!r}")
    if start >= end:
        raise InputError(path, line, f"span {label} [{start}, {end}): start must be before end")
    if start < 0 or end > len(text):
        raise InputError(
            path, line, f"span {label} [{start}, {end}) is outside the text (0..{len(text)})"
        )
    return Span(start, end, label, attrs)


def _short(item: Any) -> str:
    s = repr(item)
    return s if len(s) < 80 else s[:77] + "..."
