"""What every reader checks before a document may be imported: text, spans, labels, counts.

The readers (readers.py, doccano.py, brat.py) call these; none of them imports
another's private helpers. A refusal is an `InputError` naming the file and line.
Untrusted strings are quoted with `repr` in reasons, so a label holding an escape
sequence is shown as `'\\x1b]52;...'`, never sent to a terminal.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Collection
from pathlib import Path
from typing import Any

from ..casualties import MAX_COUNT
from ..model import QUALIFIERS, Span

# A document larger than this is almost certainly a mistake (a whole dump in one line).
MAX_TEXT_CHARS = 5_000_000
MAX_LABEL_CHARS = 64
# Keys of a span object that are not attributes (Prodigy adds token_start/token_end).
SPAN_FIELDS = ("start", "end", "label", "text", "span_text", "token_start", "token_end")

# The label set a reader accepts: the configuration's labels, or None for any
# well-formed label (`import --add-labels`).
Labels = Collection[str] | None


class InputError(Exception):
    """Bad input: the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")


def check_text(text: str, path: Path | str, line: int | None, limit: int = MAX_TEXT_CHARS) -> None:
    """Refuse an empty, whitespace-only or huge document, or one holding NUL."""
    if not text or text.isspace():
        raise InputError(path, line, "empty document")
    if len(text) > limit:
        raise InputError(path, line, f"document of {len(text):,} characters (limit {limit:,})")
    if "\x00" in text:
        # SQLite's length() and substr() stop at NUL: span edits on such text would fail.
        raise InputError(path, line, f"NUL character in the text (offset {text.index(chr(0))})")


def label_problem(label: str, labels: Labels = None) -> str | None:
    """Why `label` cannot be imported, or None when it can."""
    if labels is not None and label in labels:
        return None  # the configuration's own labels are trusted
    if not label:
        return "empty label"
    if len(label) > MAX_LABEL_CHARS:
        return f"label of {len(label)} characters (limit {MAX_LABEL_CHARS}): {label[:20]!r}..."
    if any(unicodedata.category(c)[0] in "CZ" and c != " " for c in label):
        # Control, format and separator characters: they reach terminals and break
        # column formats, and no scheme needs them. Refused even with --add-labels.
        return f"label {label!r} holds control or separator characters"
    if labels is not None and label not in labels:
        folded = label.casefold()
        hint = next((f"; did you mean {k}?" for k in labels if k.casefold() == folded), "")
        return (
            f"label {label!r} is not in the configuration{hint}"
            " (add it there, or import with --add-labels)"
        )
    return None


def check_label(label: Any, labels: Labels, path: Path | str, line: int | None) -> str:
    if not isinstance(label, str):
        raise InputError(path, line, f"a label must be a string: {short(label)}")
    why = label_problem(label, labels)
    if why:
        raise InputError(path, line, why)
    return label


def checked_span(
    start: Any,
    end: Any,
    label: Any,
    attrs: dict[str, Any],
    text: str,
    path: Path | str,
    line: int | None,
    labels: Labels = None,
) -> Span:
    """A span with integer offsets inside the text, start before end, an allowed label."""
    if type(start) is not int or type(end) is not int:  # bool is an int subclass: refused
        raise InputError(path, line, f"span offsets must be integers: {start!r}, {end!r}")
    label = check_label(label, labels, path, line)
    if start >= end:
        raise InputError(path, line, f"span {label} [{start}, {end}): start must be before end")
    if start < 0 or end > len(text):
        raise InputError(
            path, line, f"span {label} [{start}, {end}) is outside the text (0..{len(text)})"
        )
    return Span(start, end, label, attrs)


def check_count(attrs: dict[str, Any], path: Path | str, line: int | None, what: str) -> None:
    """A casualty value is null or an integer in 0..MAX_COUNT; a qualifier null or known."""
    value = attrs.get("value")
    if value is not None and (type(value) is not int or not 0 <= value <= MAX_COUNT):
        raise InputError(
            path, line, f"span value must be an integer or null (0 to {MAX_COUNT:,}): {what}"
        )
    qualifier = attrs.get("qualifier")
    if qualifier is not None and qualifier not in QUALIFIERS:
        raise InputError(
            path, line, f"unknown qualifier {qualifier!r} (one of {', '.join(QUALIFIERS)}, or null)"
        )


def interchange_span(
    item: Any, text: str, path: Path | str, line: int | None, labels: Labels = None
) -> Span:
    """One interchange (or Prodigy) span object: offsets, label and casualty attributes."""
    if not isinstance(item, dict):
        raise InputError(path, line, f"a span must be an object: {short(item)}")
    if "label" not in item or item["label"] in ("", None):
        raise InputError(path, line, f"span without a label: {short(item)}")
    attrs = {k: v for k, v in item.items() if k not in SPAN_FIELDS}
    check_count(attrs, path, line, short(item))
    start, end = item.get("start"), item.get("end")
    return checked_span(start, end, item["label"], attrs, text, path, line, labels)


def duplicate_key(raw: bytes) -> str | None:
    """The first key repeated in one JSON object of `raw`, or None.

    Slow (the standard library parser); callers use it only when `maybe_duplicates`
    says a line might repeat a key.
    """
    found: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for k, _ in items:
            if k in seen and not found:
                found.append(k)
            seen.add(k)
        return dict(items)

    try:
        json.loads(raw, object_pairs_hook=pairs)
    except ValueError:
        return None  # not the standard library's JSON (orjson accepted it): no verdict
    return found[0] if found else None


def count_keys(value: Any) -> int:
    """How many keys the objects in a parsed JSON value hold, all levels."""
    # Plain loops, no generator: this runs on every line of a large import.
    t = type(value)
    if t is dict:
        n = len(value)
        values = value.values()
    elif t is list:
        n, values = 0, value
    else:
        return 0
    for v in values:
        t = type(v)
        if t is dict:  # one level inlined: a line's `meta` is mostly flat
            n += len(v)
            for w in v.values():
                t = type(w)
                if t is dict or t is list:
                    n += count_keys(w)
        elif t is list:
            n += count_keys(v)
    return n


def maybe_duplicates(raw: bytes, record: Any) -> bool:
    """Cheap: could this line repeat a key? orjson keeps the last of a repeated key.

    Every key is a string followed by a colon, so a line whose count of `":` equals
    the keys parsed has no repeat. Strings holding `":` (or JSON written with a
    space before the colon) miss the cheap count and take the exact check.
    """
    return raw.count(b'":') != count_keys(record)


def short(item: Any) -> str:
    s = repr(item)
    return s if len(s) < 80 else s[:77] + "..."
