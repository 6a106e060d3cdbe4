"""Readers for what `workbench import` takes: .txt files, interchange (and Prodigy-style)
JSONL, doccano JSONL, and brat standoff (a .txt with a .ann beside it).

A reader validates a whole file before anything is written, and names the file
and line of the first problem. Reading is pure: no database here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from ..model import QUALIFIERS, Span
from ..store import NewDocument

# A document larger than this is almost certainly a mistake (a whole dump in one line).
MAX_TEXT_CHARS = 5_000_000
TEXT_SUFFIXES = {".txt"}
PROGRESS_STEP_BYTES = 1 << 16  # report progress in steps, not per line: it costs
BLANK_LINE = "blank line"
# Keys that carry spans (interchange, doccano, Prodigy): such lines take the full parser.
_SPAN_KEYS = frozenset({"spans", "label", "entities", "tokens", "span_attrs"})
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


class InputError(Exception):
    """Bad input: the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")


def find_inputs(paths: list[Path]) -> list[Path]:
    """The importable files under `paths` (folders recursively), in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and _importable(p)))
        elif path.exists():
            found.append(path)
        else:
            raise InputError(path, None, "no such file or folder")
    return found


def _importable(path: Path) -> bool:
    return path.suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES and not path.name.startswith(".")


def iter_file(
    path: Path,
    *,
    skip_invalid: bool = False,
    problems: list[InputError] | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[NewDocument]:
    """The documents of one input file, by its suffix (.txt: one; .jsonl: one per line).

    Raises InputError at the first bad line; with `skip_invalid`, bad lines are
    appended to `problems` instead. Consumers write inside one transaction and roll
    back on InputError, so a file is imported whole or not at all.
    """
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from iter_jsonl(path, skip_invalid=skip_invalid, problems=problems, on_bytes=on_bytes)
    elif suffix in TEXT_SUFFIXES and path.with_suffix(".ann").is_file():
        from .brat import read_brat

        yield read_brat(path)
        if on_bytes:
            on_bytes(path.stat().st_size)
    elif suffix in TEXT_SUFFIXES:
        yield read_text(path)
        if on_bytes:
            on_bytes(path.stat().st_size)
    else:
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
    source = path.as_posix()
    return NewDocument(text=text, meta={"meta": {"source": source}}, source=source)


def iter_jsonl(
    path: Path,
    *,
    skip_invalid: bool = False,
    problems: list[InputError] | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[NewDocument]:
    """Every line of a JSONL file, in the interchange or doccano format."""
    problems = [] if problems is None else problems
    found = 0
    pending_bytes = 0
    name = str(path)  # once: formatting a Path per line is a measurable cost
    loads, special = orjson.loads, _SPAN_KEYS
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            pending_bytes += len(raw)
            if on_bytes and pending_bytes >= PROGRESS_STEP_BYTES:
                on_bytes(pending_bytes)
                pending_bytes = 0
            # Fast path for the common line, {"text": ..., other keys}: the same checks
            # as parse_record, inlined; anything else goes the long way round.
            try:
                record = loads(raw)
            except orjson.JSONDecodeError:
                record = None
            if type(record) is dict:
                text = record.get("text")
                if (
                    type(text) is str
                    and 0 < len(text) <= MAX_TEXT_CHARS
                    and special.isdisjoint(record)
                    and not text.isspace()
                ):
                    del record["text"]
                    found += 1
                    yield NewDocument(text, record, f"{name}:{number}")
                    continue
            try:
                doc = parse_record(raw, name, number)
            except InputError as e:
                if e.reason == BLANK_LINE:
                    continue
                if not skip_invalid:
                    raise
                problems.append(e)
                continue
            found += 1
            yield doc
    if on_bytes and pending_bytes:
        on_bytes(pending_bytes)
    if not found and not problems:
        raise InputError(path, None, "no documents in file")


def parse_record(raw: bytes, path: Path | str, line: int) -> NewDocument:
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
    text = record.pop("text", None)
    if type(text) is not str:
        raise InputError(path, line, 'missing or non-string "text"')
    if not text or len(text) > MAX_TEXT_CHARS or text.isspace():
        _check_text(text, path, line)
    spans: tuple[Span, ...] = ()
    if "spans" in record or "label" in record or "entities" in record:
        spans = tuple(_spans(record, text, path, line))
        record.pop("spans", None)
        if isinstance(record.get("label"), list):
            record.pop("label")
        if isinstance(record.get("entities"), list):
            record.pop("entities")
        record.pop("span_attrs", None)  # doccano's carrier of casualty attributes
    # Prodigy's tokens are derived from the text; an export with tokens recomputes them.
    record.pop("tokens", None)
    return NewDocument(text, record, f"{path}:{line}", spans)


def _check_text(text: str, path: Path | str, line: int | None) -> None:
    if not text or text.isspace():
        raise InputError(path, line, "empty document")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            path, line, f"document of {len(text):,} characters (limit {MAX_TEXT_CHARS:,})"
        )


def _spans(record: dict[str, Any], text: str, path: Path | str, line: int) -> list[Span]:
    if "spans" in record:  # the interchange format (Prodigy-style)
        items = record["spans"]
        if not isinstance(items, list):
            raise InputError(path, line, '"spans" must be a list')
        return [_interchange_span(item, text, path, line) for item in items]
    if isinstance(record.get("label"), list) or isinstance(record.get("entities"), list):
        from .doccano import doccano_spans  # [[start, end, "LABEL"], ...] or entity objects

        return doccano_spans(record, text, path, line)
    return []


def _interchange_span(item: Any, text: str, path: Path | str, line: int) -> Span:
    if not isinstance(item, dict):
        raise InputError(path, line, f"a span must be an object: {item!r}")
    label = item.get("label")
    if not isinstance(label, str) or not label:
        raise InputError(path, line, f"span without a label: {_short(item)}")
    attrs = {
        k: v
        for k, v in item.items()
        if k not in ("start", "end", "label", "text", "span_text", "token_start", "token_end")
    }
    if (
        "value" in attrs
        and attrs["value"] is not None
        and not (isinstance(attrs["value"], int) and not isinstance(attrs["value"], bool))
    ):
        raise InputError(path, line, f"span value must be an integer or null: {_short(item)}")
    if "qualifier" in attrs and attrs["qualifier"] not in QUALIFIERS:
        raise InputError(
            path, line, f"unknown qualifier {attrs['qualifier']!r} (one of {', '.join(QUALIFIERS)})"
        )
    return _checked(item.get("start"), item.get("end"), label, attrs, text, path, line)


def _checked(
    start: Any, end: Any, label: str, attrs: dict[str, Any], text: str, path: Path | str, line: int
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
