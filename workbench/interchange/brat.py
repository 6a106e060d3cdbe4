"""brat standoff: a `NAME.txt` with the exact text and a `NAME.ann` beside it.

Text-bound annotations are `T` lines (`T1<TAB>LABEL START END<TAB>span text`);
casualty attributes are `A` lines: `A1<TAB>Value T1 100` and `A2<TAB>Qualifier T1
more_than` (no line for a null value or qualifier). Offsets count characters (code
points), as brat does. `annotation.conf` declares the labels so brat opens the folder.

What brat's line format cannot hold, and how it is carried:
- brat reads an `.ann` with universal newlines (and Python's line splitting, which
  also breaks at VT, FF, FS/GS/RS, NEL, U+2028 and U+2029), and splits fields at
  tabs. In the span-text field, which only repeats the `.txt`, each of those
  characters is written as a space; the reader compares the field with the same
  mapping of the text, so a span over a line break reads back whole.
- A label is one space-free token in a T line and in `annotation.conf`: characters
  brat cannot hold in a type name (whitespace, controls, `%` and the conf syntax
  `;:,|=<>!#`) are percent-encoded as UTF-8 (`CIVILIAN%20DEATHS`) and decoded on import.
- A span brat itself split into fragments at a line break (`T1<TAB>GPE 0 5;6 10`) is
  read as one span when only whitespace lies between its fragments; other
  discontinuous spans are not in the scheme and are refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import unquote

from ..model import CASUALTY_LABELS, QUALIFIERS, NewDocument, Span, count_attrs
from .validate import InputError, Labels, check_count, check_text, checked_span

VALUE = "Value"
QUALIFIER = "Qualifier"
# Every character at which brat (or Python's str.splitlines) ends a line, and the tab.
_BREAKS = "\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_AS_SPACE = str.maketrans(dict.fromkeys(_BREAKS, " "))
_CONF_SYNTAX = set("%;:,|=<>!#")
_NEWLINES = re.compile(r"\r\n|\r|\n")  # universal newlines, as brat reads
_DIGITS = re.compile(r"[0-9]+")


def shown(text: str) -> str:
    """A span's text as the T line's third field holds it (line breaks and tabs as spaces)."""
    return text.translate(_AS_SPACE)


def encode_label(label: str) -> str:
    """A label as one brat type-name token: unsafe characters percent-encoded."""
    return "".join(
        "".join(f"%{b:02X}" for b in c.encode("utf-8")) if _unsafe(c) else c for c in label
    )


def decode_label(token: str) -> str:
    return unquote(token, errors="strict") if "%" in token else token


def _unsafe(c: str) -> bool:
    return c in _CONF_SYNTAX or c.isspace() or unicodedata.category(c)[0] in "CZ"


def ann_text(text: str, spans: Sequence[Span]) -> str:
    """The .ann content for `spans` of `text`."""
    lines: list[str] = []
    n_attr = 0
    for i, s in enumerate(sorted(spans, key=lambda s: (s.start, s.end, s.label)), start=1):
        lines.append(f"T{i}\t{encode_label(s.label)} {s.start} {s.end}\t{shown(s.text_in(text))}")
        if s.attrs.get("value") is not None:
            n_attr += 1
            lines.append(f"A{n_attr}\t{VALUE} T{i} {s.attrs['value']}")
        if s.attrs.get("qualifier") is not None:
            n_attr += 1
            lines.append(f"A{n_attr}\t{QUALIFIER} T{i} {s.attrs['qualifier']}")
    return "".join(line + "\n" for line in lines)


def write_pair(folder: Path, name: str, text: str, spans: Sequence[Span]) -> Path:
    """Write NAME.txt (text byte for byte, no newline translation) and NAME.ann."""
    txt = folder / f"{name}.txt"
    with txt.open("w", encoding="utf-8", newline="") as f:
        f.write(text)
    with (folder / f"{name}.ann").open("w", encoding="utf-8", newline="") as f:
        f.write(ann_text(text, spans))
    return txt


def annotation_conf(entity_labels: Iterable[str], casualty_labels: Iterable[str]) -> str:
    """A brat annotation.conf declaring the labels and the casualty attributes."""
    casualty = sorted({encode_label(lab) for lab in casualty_labels})
    entities = sorted({encode_label(lab) for lab in entity_labels} - set(casualty))
    args = "|".join(casualty) or "<ENTITY>"
    return (
        "[entities]\n"
        + "".join(f"{e}\n" for e in [*entities, *casualty])
        + "\n[relations]\n\n[events]\n\n[attributes]\n"
        + f"{QUALIFIER}\tArg:{args}, Value:{'|'.join(QUALIFIERS)}\n"
        # brat's configuration cannot declare a free number; the .ann lines carry it.
        + f"{VALUE}\tArg:{args}\n"
    )


def read_brat(txt: Path, labels: Labels = None) -> NewDocument:
    """A brat pair as a document: NAME.txt (the exact text) and NAME.ann beside it.

    T lines become spans; `Value` and `Qualifier` A lines their casualty attributes
    (a casualty-label span with neither has both null). Relations, events and notes
    have no place in the scheme and are ignored; discontinuous spans and T lines
    whose text does not match the .txt are errors.
    """
    text = _decode(txt)
    check_text(text, txt, None)  # no BOM stripping: brat offsets count from the start
    ann = txt.with_suffix(".ann")
    spans: dict[str, Span] = {}
    found: dict[str, dict[str, tuple[str | None, int]]] = {}  # T id -> name -> (value, line)
    for number, raw in enumerate(_NEWLINES.split(_decode(ann)), start=1):
        fields = raw.split("\t")
        if raw.startswith("T"):
            spans[fields[0]] = _t_line(fields, text, ann, number, labels)
        elif raw.startswith(("A", "M")):
            parts = fields[1].split(" ") if len(fields) > 1 else []
            if len(parts) < 2:
                raise InputError(ann, number, f"attribute line needs NAME TARGET: {raw!r:.80}")
            value = parts[2] if len(parts) > 2 else None
            found.setdefault(parts[1], {})[parts[0].lower()] = (value, number)
    out = []
    for ident, span in spans.items():
        attrs = found.get(ident, {})
        if "value" in attrs or "qualifier" in attrs:
            span = span.with_(attrs=_casualty_attrs(ident, attrs, ann))
        elif span.label in CASUALTY_LABELS:
            span = span.with_(attrs=count_attrs(None, None))
        out.append(span)
    out.sort(key=lambda s: (s.start, s.end, s.label))
    source = txt.as_posix()
    return NewDocument(text, {"meta": {"source": source}}, source, tuple(out))


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(path, line, f"invalid UTF-8 (byte {e.start})") from None


def _casualty_attrs(
    ident: str, attrs: dict[str, tuple[str | None, int]], ann: Path
) -> dict[str, object]:
    raw, line = attrs.get("value", (None, 0))
    qualifier, q_line = attrs.get("qualifier", (None, 0))
    if raw is None or raw == "null":
        value = None
    elif _DIGITS.fullmatch(raw):
        value = int(raw)
    else:
        raise InputError(ann, line, f"{ident}: Value must be a whole number: {raw!r}")
    result: dict[str, object] = count_attrs(value, qualifier)
    check_count(result, ann, line or q_line, ident)
    return result


def _t_line(fields: list[str], text: str, ann: Path, line: int, labels: Labels) -> Span:
    if len(fields) < 2:
        raise InputError(ann, line, "no offsets")
    label, _, offsets = fields[1].partition(" ")
    bounds = []
    for fragment in offsets.split(";"):
        parts = fragment.split(" ")
        if len(parts) != 2 or not all(_DIGITS.fullmatch(p) for p in parts):
            raise InputError(ann, line, f"T line needs LABEL START END: {fields[1]!r}")
        bounds.append((int(parts[0]), int(parts[1])))
    try:
        label = decode_label(label)
    except UnicodeDecodeError:
        raise InputError(ann, line, f"label {label!r}: bad percent-encoding") from None
    gaps = [text[a[1] : b[0]] for a, b in zip(bounds, bounds[1:], strict=False)]
    if any(g.strip() or a[1] > b[0] for g, a, b in zip(gaps, bounds, bounds[1:], strict=False)):
        raise InputError(ann, line, "discontinuous spans are not in the scheme")
    span = checked_span(bounds[0][0], bounds[-1][1], label, {}, text, ann, line, labels)
    for a, b in bounds:
        checked_span(a, b, label, {}, text, ann, line, labels)
    if len(fields) > 2:
        written = fields[2]
        pieces = " ".join(shown(text[a:b]) for a, b in bounds)  # how brat joins fragments
        if written not in (shown(span.text_in(text)), pieces):
            raise InputError(
                ann, line, f"span text {written!r:.60} does not match the .txt {pieces!r:.60}"
            )
    return span
