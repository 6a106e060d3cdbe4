"""The claims table: one row per casualty figure with who reported it.

Each row holds the document (our id, its own id, annotator, status, and its web
address and date where its meta has them), the figure (label, value, qualifier,
text, offsets), its source (the span its SOURCE link names: text, label, offsets;
empty where none) and the sentence around the figure. Written as CSV (`csv_lines`)
or JSON lines (`json_lines`).

Sentences are cut by a rule, not spaCy, so the export stays fast: a line break ends a
sentence, and so do `.`, `!` or `?` (with closing quotes or brackets after them)
before whitespace and anything but a lower-case letter, unless the word before the
stop is a known abbreviation ("Mr.", "Gen.", "Jan.") or one letter ("U.S."). The
figure's sentence runs from the cut before its start to the cut after its end.

Article text is untrusted: in the CSV, a cell a spreadsheet would run as a formula
(starting with `=`, `+`, `-`, `@`, a tab or a carriage return, or their full-width
forms) gets a leading single quote, and every cell is quoted (OWASP's CSV-injection
guidance). JSON lines are data for programs and are written as they are.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson

from ..model import CASUALTY_LABELS, SOURCE_RELATION, Annotation, Span, relations

COLUMNS = (
    "doc_id",
    "document",
    "annotator",
    "status",
    "url",
    "date",
    "label",
    "value",
    "qualifier",
    "figure",
    "figure_start",
    "figure_end",
    "source",
    "source_label",
    "source_start",
    "source_end",
    "sentence",
)
# Meta keys that hold an article's own id, address or date, looked up in this order,
# in the document's keys and then in its nested "meta" object. A `source` is the
# address only where it is a web address (a .txt import's is its file).
ID_KEYS = ("id", "doc_id", "document_id", "_id")
URL_KEYS = ("url", "source_url", "link", "href")
DATE_KEYS = ("date", "published", "published_at", "pub_date", "datetime", "timestamp")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "maj",
        "cpl",
        "gov",
        "sen",
        "rep",
        "rev",
        "st",
        "jr",
        "sr",
        "no",
        "vs",
        "etc",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "approx",
        "est",
        "dept",
        "univ",
        "inc",
        "ltd",
        "co",
        "corp",
    ]
)
_STOP = re.compile(r"""[.!?]+["'”’)\]]*(?=\s+[^\s])|\n""")


def claims(
    annotation: Annotation,
    spans: Sequence[Span] | None = None,
    casualty_labels: Sequence[str] = CASUALTY_LABELS,
) -> list[dict[str, Any]]:
    """The claim rows of one annotation's gold (or of `spans`), in text order."""
    doc = annotation.document
    text = doc.text
    spans = annotation.gold_spans() if spans is None else list(spans)
    sources = {id(r.head): r.child for r in relations(spans, (SOURCE_RELATION,))}
    cuts: list[int] | None = None
    url, date = meta_value(doc.meta, URL_KEYS), meta_value(doc.meta, DATE_KEYS)
    if url is None:
        origin = meta_value(doc.meta, ("source",)) or ""
        url = origin if origin.startswith(("http://", "https://")) else None
    ref = meta_value(doc.meta, ID_KEYS)
    rows = []
    for s in sorted(spans, key=lambda s: (s.start, s.end, s.label)):
        if not (s.label in casualty_labels or "value" in s.attrs or "qualifier" in s.attrs):
            continue
        if cuts is None:
            cuts = sentence_cuts(text)
        child = sources.get(id(s))
        rows.append(
            {
                "doc_id": doc.id,
                "document": ref,
                "annotator": annotation.annotator,
                "status": annotation.status,
                "url": url,
                "date": date,
                "label": s.label,
                "value": s.value,
                "qualifier": s.qualifier,
                "figure": s.text_in(text),
                "figure_start": s.start,
                "figure_end": s.end,
                "source": child.text_in(text) if child else None,
                "source_label": child.label if child else None,
                "source_start": child.start if child else None,
                "source_end": child.end if child else None,
                "sentence": sentence_of(text, cuts, s.start, s.end),
            }
        )
    return rows


def meta_value(meta: dict[str, Any], keys: Iterable[str]) -> str | None:
    """The first of `keys` with a plain value in `meta` or its nested "meta" object."""
    nested = meta.get("meta")
    for where in (meta, nested if isinstance(nested, dict) else {}):
        for k in keys:
            v = where.get(k)
            if isinstance(v, str | int | float) and not isinstance(v, bool) and v != "":
                return str(v)
    return None


def sentence_cuts(text: str) -> list[int]:
    """Offsets where sentences start (after 0): the rule of this module's docstring."""
    cuts = []
    for m in _STOP.finditer(text):
        if m.group() != "\n":
            after = text[m.end() :].lstrip()[:1]
            if after.islower() or _abbreviation(text, m.start()):
                continue  # "3 p.m. on Monday", "Mr. Ali"
        cuts.append(m.end())
    return cuts


def _abbreviation(text: str, stop: int) -> bool:
    """Is the word ending at `stop` (before a full stop) an abbreviation or one letter?"""
    if text[stop] != ".":
        return False
    begin = stop
    while begin > 0 and (text[begin - 1].isalpha() or text[begin - 1] == "."):
        begin -= 1
    word = text[begin:stop].rstrip(".").rsplit(".", 1)[-1]
    return len(word) == 1 or word.lower() in ABBREVIATIONS


def sentence_of(text: str, cuts: list[int], start: int, end: int) -> str:
    """The sentence(s) holding [start, end), without edge whitespace."""
    i = bisect.bisect_right(cuts, start)
    begin = cuts[i - 1] if i else 0
    j = bisect.bisect_left(cuts, end)
    finish = cuts[j] if j < len(cuts) else len(text)
    return text[begin:finish].strip()


def neutralised(cell: Any) -> Any:
    """A cell a spreadsheet will not run: a leading formula character gets a quote."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def csv_header() -> bytes:
    """The CSV's header row."""
    return _csv([list(COLUMNS)])


def csv_lines(rows: Iterable[dict[str, Any]]) -> bytes:
    """Rows as CSV records (every cell quoted, formulas neutralised, "\n" ends)."""
    return _csv([[neutralised(_cell(r[c])) for c in COLUMNS] for r in rows])


def _cell(value: Any) -> Any:
    return "" if value is None else value


def _csv(records: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    # "\n" ends a record: standard output shows other control characters as glyphs.
    csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(records)
    return buf.getvalue().encode("utf-8")


def json_lines(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """Rows as JSON lines (nulls where a cell is empty)."""
    for r in rows:
        yield orjson.dumps(r) + b"\n"
