"""brat standoff: a `NAME.txt` with the exact text and a `NAME.ann` beside it, as brat
itself reads and writes them (server/src/annotation.py, annotator.py). This module
holds the scheme's shared vocabulary (label encoding, line breaks, attribute names)
and reading a pair; writing pairs and `annotation.conf` is in brat_write.py.

Text-bound annotations are `T` lines (`T1<TAB>LABEL START END<TAB>span text`);
casualty attributes are `A` lines: `A1<TAB>Value T1 100` and `A2<TAB>Qualifier T1
more_than` (no line for a null value or qualifier); other span attributes that brat
can hold are `A` lines too (`A3<TAB>Negated T1` for `True`, `A4<TAB>Certainty T1
high` for a one-word string); each link a span holds (model.with_link) is an `R`
line, `R1<TAB>SOURCE Arg1:T3 Arg2:T5` (Arg1 the head, Arg2 the span it links to).
`annotation.conf` declares the labels, the relations, every attribute with the
values written, and `<OVERLAP>` when spans of a document overlap, so brat's own
verifier accepts the folder.

How brat reads, and what follows:
- Offsets count characters (code points) of the `.txt` as brat's `open_textfile`
  returns it. That function asks for universal newlines, but `codecs.open` drops the
  'U' and opens the file in binary mode (Python 2.7 and 3.6-3.10; 3.11 refuses the
  mode), so a CR stays a character and counts: the `.txt` is written byte for byte
  and offsets are ours. On import, a file whose T lines only match the text read
  with universal newlines (a brat whose reader did translate them) is read that way
  and mapped back onto the exact text.
- brat reads the `.ann` with `readlines()`, which breaks at every line break of
  `str.splitlines` (LF, CR, VT, FF, FS/GS/RS, NEL, U+2028, U+2029). A span across a
  line break is therefore written as brat's own annotator writes one, as fragments
  between the breaks (`T1<TAB>GPE 10 13;14 18<TAB>New York`: fragment texts joined by
  a space); a span that starts or ends at a break keeps that bound as an empty
  fragment. Fragments are read back as one span when only whitespace lies between
  them; other discontinuous spans are not in the scheme and are listed as dropped.
- brat takes the span text by length after the second tab, so a tab inside a span is
  written as it is (brat compares the text with the `.txt` exactly).
- A label is one space-free token in a T line and in `annotation.conf`: characters
  brat cannot hold in a type name (whitespace, controls, `%` and the conf syntax
  `;:,|=<>!#`) are percent-encoded as UTF-8 (`CIVILIAN%20DEATHS`) and decoded on import.
- Lines the scheme does not hold (events `E`, normalisations `N`, equivalences `*`,
  notes `#`, relations not configured, attributes of what is not a kept span) are
  counted in `BratRead.dropped`, for the import to report.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..model import (
    CASUALTY_LABELS,
    SOURCE_RELATION,
    NewDocument,
    Span,
    count_attrs,
    link_key,
    with_link,
)
from .validate import SPAN_FIELDS, InputError, Labels, check_count, check_text, checked_span

VALUE = "Value"
QUALIFIER = "Qualifier"
CASUALTY_ATTRS = ("value", "qualifier")
# Every character at which str.splitlines (brat's readlines) ends a line.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
BREAK_RUN = re.compile(f"[{re.escape(LINE_BREAKS)}]+")
# Older exports wrote line breaks and tabs in the text field as spaces: still read.
_AS_SPACE = str.maketrans(dict.fromkeys(LINE_BREAKS + "\t", " "))
_CONF_SYNTAX = set("%;:,|=<>!#")
DIGITS = re.compile(r"[0-9]+")
# What each kind of line the scheme does not hold is called in a report.
KINDS = {
    "E": "event (E)",
    "N": "normalisation (N)",
    "*": "equivalence (*)",
    "#": "note (#)",
}


def shown(text: str) -> str:
    """`text` with line breaks and tabs as spaces (how older exports wrote span text)."""
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


# ---- reading ------------------------------------------------------------------------------


@dataclass
class BratRead:
    """A brat pair as read: the document, and what of the .ann it does not hold."""

    document: NewDocument
    dropped: Counter[str] = field(default_factory=Counter)  # what -> how many lines

    def dropped_summary(self) -> str:
        """'2 event (E), 1 note (#)' (empty when nothing was dropped)."""
        return ", ".join(f"{n} {what}" for what, n in sorted(self.dropped.items()))


@dataclass
class _T:
    ident: str
    label: str
    bounds: list[tuple[int, int]]
    written: str | None
    line: int


def read_brat(txt: Path, labels: Labels = None) -> NewDocument:
    """A brat pair as a document (see `read_brat_pair`)."""
    return read_brat_pair(txt, labels).document


def read_brat_pair(
    txt: Path, labels: Labels = None, relation_labels: Collection[str] = (SOURCE_RELATION,)
) -> BratRead:
    """A brat pair: NAME.txt (the exact text) and NAME.ann beside it.

    T lines become spans; `Value` and `Qualifier` A lines their casualty attributes
    (a casualty-label span with neither has both null); other A lines on a span its
    attributes (`True` for a flag, else the value); R lines of `relation_labels`
    links on the head (Arg1) span. What the scheme does not hold is counted in
    `dropped`. T lines whose text differs from the .txt, offsets outside it and bad
    labels or counts are errors.
    """
    text = _decode(txt)
    check_text(text, txt, None)  # no BOM stripping: brat offsets count from the start
    ann = txt.with_suffix(".ann")
    result = BratRead(NewDocument(text, {"meta": {"source": txt.as_posix()}}, txt.as_posix()))
    dropped = result.dropped
    found: list[_T] = []
    attributes: list[tuple[str, str, str | None, int]] = []  # name, target, value, line
    links: list[tuple[str, list[str], int]] = []  # label, arguments, line
    for number, raw in enumerate(_decode(ann).splitlines(), start=1):
        if not raw.strip():
            continue
        ident, _, rest = raw.partition("\t")
        kind = ident[:1]
        if kind == "T":
            found.append(_parse_t(ident, rest, ann, number))
        elif kind in ("A", "M"):
            parts = rest.split("\t", 1)[0].split()
            if len(parts) < 2:
                raise InputError(ann, number, f"attribute line needs NAME TARGET: {raw!r:.80}")
            attributes.append((parts[0], parts[1], parts[2] if len(parts) > 2 else None, number))
        elif kind == "R":
            parts = rest.split("\t", 1)[0].split()
            links.append((decode_label(parts[0]) if parts else "", parts[1:], number))
        else:
            dropped[KINDS.get(kind, "unknown")] += 1
    spans = _spans(found, text, ann, labels, dropped)
    attrs: dict[str, dict[str, Any]] = {ident: {} for ident in spans}
    counts: dict[str, dict[str, tuple[str | None, int]]] = {}
    for name, target, value, number in attributes:
        if target not in spans:
            dropped["attribute (A) of an annotation not imported"] += 1
        elif name.lower() in CASUALTY_ATTRS:
            counts.setdefault(target, {})[name.lower()] = (value, number)
        elif name in SPAN_FIELDS or name.lower() in {link_key(r) for r in relation_labels}:
            dropped[f"attribute (A) {name!r}, a name the scheme uses"] += 1
        else:
            attrs[target][name] = True if value is None else value
    for ident, span in spans.items():
        if ident in counts:
            attrs[ident].update(_casualty_attrs(ident, counts[ident], ann))
        elif span.label in CASUALTY_LABELS:
            attrs[ident].update(count_attrs(None, None))
        spans[ident] = span.with_(attrs=attrs[ident])
    for label, arguments, number in links:
        _link(spans, label, arguments, relation_labels, dropped, ann, number)
    out = sorted(spans.values(), key=lambda s: (s.start, s.end, s.label))
    result.document.spans = tuple(out)
    return result


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(path, line, f"invalid UTF-8 (byte {e.start})") from None


def _parse_t(ident: str, rest: str, ann: Path, line: int) -> _T:
    data, tab, written = rest.partition("\t")  # brat: the text is all after the tab
    label, _, offsets = data.partition(" ")
    if not label or not offsets:
        raise InputError(ann, line, f"T line needs LABEL START END: {data!r:.80}")
    bounds = []
    for fragment in offsets.split(";"):
        parts = fragment.split()
        if len(parts) != 2 or not all(DIGITS.fullmatch(p) for p in parts):
            raise InputError(ann, line, f"T line needs LABEL START END: {data!r:.80}")
        bounds.append((int(parts[0]), int(parts[1])))
    try:
        label = decode_label(label)
    except UnicodeDecodeError:
        raise InputError(ann, line, f"label {label!r}: bad percent-encoding") from None
    return _T(ident, label, bounds, written if tab else None, line)


def _spans(
    found: list[_T], text: str, ann: Path, labels: Labels, dropped: Counter[str]
) -> dict[str, Span]:
    """The T lines as spans, on `text` as it is or, when only that matches every T
    line, on `text` read with universal newlines (offsets mapped back)."""
    to_raw = None
    if "\r" in text and not all(_matches(t, text) for t in found):
        universal, mapping = _universal(text)
        if all(_matches(t, universal) for t in found):
            to_raw = mapping
    spans: dict[str, Span] = {}
    for t in found:
        bounds = t.bounds if to_raw is None else [(to_raw[a], to_raw[b]) for a, b in t.bounds]
        for a, b in bounds:
            if not 0 <= a <= b <= len(text):
                raise InputError(ann, t.line, f"{t.ident}: fragment [{a}, {b}) is outside the text")
        if to_raw is None and not _matches(t, text):
            pieces = " ".join(text[a:b] for a, b in bounds)
            raise InputError(
                ann, t.line, f"span text {t.written!r:.60} does not match the .txt {pieces!r:.60}"
            )
        if not all(_line_break_gap(text, a, b) for a, b in zip(bounds, bounds[1:], strict=False)):
            dropped["discontinuous span (T)"] += 1
            continue
        span = checked_span(bounds[0][0], bounds[-1][1], t.label, {}, text, ann, t.line, labels)
        spans[t.ident] = span
    return spans


def _line_break_gap(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Is the gap between two fragments a line break with only whitespace around it
    (how brat and our export split a span at a break)?"""
    gap = text[a[1] : b[0]]
    return a[1] <= b[0] and not gap.strip() and BREAK_RUN.search(gap) is not None


def _matches(t: _T, text: str) -> bool:
    """Does the T line's text agree with `text` at its offsets, as brat checks it
    (fragment texts joined by a space, then nothing or whitespace)? Older exports'
    form (line breaks and tabs as spaces) is accepted too."""
    if t.written is None:
        return True  # brat fills a missing text from the .txt
    if any(not 0 <= a <= b <= len(text) for a, b in t.bounds):
        return False
    pieces = [text[a:b] for a, b in t.bounds]
    joined = " ".join(pieces)
    rest = t.written[len(joined) :]
    if t.written.startswith(joined) and (not rest or rest[0].isspace()):
        return True
    whole = shown(text[t.bounds[0][0] : t.bounds[-1][1]])
    return t.written in (whole, shown(joined))


def _universal(text: str) -> tuple[str, list[int]]:
    """`text` read with universal newlines, and each of its offsets in `text`."""
    mapping, out = [], []
    i = 0
    while i < len(text):
        mapping.append(i)
        if text[i] == "\r":
            out.append("\n")
            i += 2 if text.startswith("\r\n", i) else 1
        else:
            out.append(text[i])
            i += 1
    mapping.append(len(text))
    return "".join(out), mapping


def _casualty_attrs(
    ident: str, attrs: dict[str, tuple[str | None, int]], ann: Path
) -> dict[str, object]:
    raw, line = attrs.get("value", (None, 0))
    qualifier, q_line = attrs.get("qualifier", (None, 0))
    if raw is None or raw == "null":
        value = None
    elif DIGITS.fullmatch(raw):
        value = int(raw)
    else:
        raise InputError(ann, line, f"{ident}: Value must be a whole number: {raw!r}")
    result: dict[str, object] = count_attrs(value, qualifier)
    check_count(result, ann, line or q_line, ident)
    return result


def _link(
    spans: dict[str, Span],
    label: str,
    arguments: list[str],
    relation_labels: Collection[str],
    dropped: Counter[str],
    ann: Path,
    line: int,
) -> None:
    """An R line as a link on its head (Arg1) span, or counted as dropped."""
    if label not in relation_labels:
        dropped[f"relation (R) {label!r}, not a configured relation"] += 1
        return
    roles = dict(arg.partition(":")[::2] for arg in arguments)
    if len(arguments) != 2 or len(roles) != 2:
        raise InputError(ann, line, f"R line needs two arguments: {' '.join(arguments)!r:.80}")
    head_id = roles.get("Arg1", arguments[0].partition(":")[2])
    child_id = roles.get("Arg2", arguments[1].partition(":")[2])
    head, child = spans.get(head_id), spans.get(child_id)
    if head is None or child is None or head is child:
        dropped["relation (R) between annotations not imported"] += 1
    elif link_key(label) in head.attrs:
        dropped[f"relation (R) {label!r}, a second one from the same span"] += 1
    else:
        spans[head_id] = with_link(head, child, label)
