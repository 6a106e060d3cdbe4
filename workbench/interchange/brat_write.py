"""Writing brat standoff: a `NAME.txt` / `NAME.ann` pair per document (`write_pair`,
`ann_text`) and the `annotation.conf` that declares what an export's pairs hold
(`Conf`). The scheme, its label encoding and reading a pair are in brat.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import QUALIFIERS, SOURCE_RELATION, Span, relations
from .brat import BREAK_RUN, CASUALTY_ATTRS, DIGITS, QUALIFIER, VALUE, encode_label

_TOKEN = re.compile(r"[^\s%;:,|=<>!#]+")  # an attribute name or value brat can hold


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) as brat's fragments: the pieces between runs of line breaks, with
    an empty first or last piece where the span starts or ends at a break."""
    pieces, pos = [], start
    for m in BREAK_RUN.finditer(text, start, end):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, end))
    return pieces


def extra_attributes(span: Span) -> list[tuple[str, str | None]]:
    """The attributes of `span` other than its count that a brat A line can hold:
    (name, None) for a `True` flag, (name, value) for a one-word string."""
    out: list[tuple[str, str | None]] = []
    for name, value in span.attrs.items():
        if name in CASUALTY_ATTRS or not _TOKEN.fullmatch(name):
            continue
        if value is True:
            out.append((name, None))
        elif isinstance(value, str) and _TOKEN.fullmatch(value):
            out.append((name, value))
    return out


def _ordered(spans: Iterable[Span]) -> list[Span]:
    return sorted(spans, key=lambda s: (s.start, s.end, s.label))


def ann_text(text: str, spans: Sequence[Span], relation_labels: Sequence[str] = ()) -> str:
    """The .ann content for `spans` of `text` (links by `relation_labels` as R lines)."""
    lines: list[str] = []
    ids: dict[tuple[int, int, str], str] = {}
    n_attr = 0
    for i, s in enumerate(_ordered(spans), start=1):
        ident = ids[(s.start, s.end, s.label)] = f"T{i}"
        pieces = fragments(text, s.start, s.end)
        offsets = ";".join(f"{a} {b}" for a, b in pieces)
        written = " ".join(text[a:b] for a, b in pieces)
        lines.append(f"{ident}\t{encode_label(s.label)} {offsets}\t{written}")
        attributes: list[tuple[str, Any]] = [
            (name, s.attrs.get(key))
            for name, key in ((VALUE, "value"), (QUALIFIER, "qualifier"))
            if s.attrs.get(key) is not None
        ]
        for name, value in [*attributes, *extra_attributes(s)]:
            n_attr += 1
            lines.append(f"A{n_attr}\t{name} {ident}" + ("" if value is None else f" {value}"))
    for n, rel in enumerate(relations(spans, relation_labels), start=1):
        head = ids[(rel.head.start, rel.head.end, rel.head.label)]
        child = ids[(rel.child.start, rel.child.end, rel.child.label)]
        lines.append(f"R{n}\t{encode_label(rel.label)} Arg1:{head} Arg2:{child}")
    return "".join(line + "\n" for line in lines)


def write_pair(
    folder: Path,
    name: str,
    text: str,
    spans: Sequence[Span],
    relation_labels: Sequence[str] = (),
) -> Path:
    """Write NAME.txt (text byte for byte, no newline translation) and NAME.ann."""
    txt = folder / f"{name}.txt"
    with txt.open("w", encoding="utf-8", newline="") as f:
        f.write(text)
    with (folder / f"{name}.ann").open("w", encoding="utf-8", newline="") as f:
        f.write(ann_text(text, spans, relation_labels))
    return txt


@dataclass
class Conf:
    """What an export's `annotation.conf` must declare, gathered document by document."""

    relation_labels: Sequence[str] = (SOURCE_RELATION,)
    entities: set[str] = field(default_factory=set)
    # attribute name -> (labels of the spans carrying it, values written; None: a flag)
    attributes: dict[str, tuple[set[str], set[str | None]]] = field(default_factory=dict)
    # relation label -> (head labels, child labels)
    links: dict[str, tuple[set[str], set[str]]] = field(default_factory=dict)
    overlap: bool = False

    def add(self, spans: Sequence[Span]) -> None:
        ordered = _ordered(spans)
        for s in ordered:
            self.entities.add(s.label)
            for name, key in ((VALUE, "value"), (QUALIFIER, "qualifier")):
                if s.attrs.get(key) is not None:
                    self._attribute(name, s.label, str(s.attrs[key]))
            for name, value in extra_attributes(s):
                self._attribute(name, s.label, value)
        for a, b in zip(ordered, ordered[1:], strict=False):
            self.overlap = self.overlap or b.start < a.end
        if not self.overlap:  # a span inside an earlier, longer one
            reach = 0
            for s in ordered:
                self.overlap = self.overlap or s.start < reach
                reach = max(reach, s.end)
        for rel in relations(spans, self.relation_labels):
            heads, children = self.links.setdefault(rel.label, (set(), set()))
            heads.add(rel.head.label)
            children.add(rel.child.label)

    def _attribute(self, name: str, label: str, value: str | None) -> None:
        labels, values = self.attributes.setdefault(name, (set(), set()))
        labels.add(label)
        values.add(value)

    def text(self) -> str:
        """annotation.conf in brat's configuration syntax."""

        def types(labels: Iterable[str]) -> str:
            return "|".join(sorted({encode_label(lab) for lab in labels}))

        out = ["[entities]", *sorted({encode_label(e) for e in self.entities}), ""]
        out.append("[relations]")
        if self.overlap:  # spans may contain, equal or cross one another
            out.append("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>")
        for label, (heads, children) in sorted(self.links.items()):
            out.append(f"{encode_label(label)}\tArg1:{types(heads)}, Arg2:{types(children)}")
        out += ["", "[events]", "", "[attributes]"]
        for name, (labels, values) in sorted(self.attributes.items()):
            words = sorted((v for v in values if v is not None), key=_value_order)
            line = f"{name}\tArg:{types(labels)}"
            # A flag is a binary attribute; anything with values a multi-valued one.
            out.append(line + (f", Value:{'|'.join(words)}" if words else ""))
        return "\n".join(out) + "\n"


def _value_order(value: str) -> tuple[int, int, str]:
    if DIGITS.fullmatch(value):
        return (0, int(value), "")
    return (1, QUALIFIERS.index(value) if value in QUALIFIERS else len(QUALIFIERS), value)
