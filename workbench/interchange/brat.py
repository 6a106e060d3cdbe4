"""brat standoff: a `NAME.txt` with the exact text and a `NAME.ann` beside it.

Text-bound annotations are `T` lines (`T1<TAB>LABEL START END<TAB>span text`);
casualty attributes are `A` lines: `A1<TAB>Value T1 100` and `A2<TAB>Qualifier T1
more_than` (no Value line when the value is null). Offsets count characters, as brat
does. `annotation.conf` declares the labels so brat opens the folder as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from ..model import QUALIFIERS, Span
from ..store import NewDocument

VALUE = "Value"
QUALIFIER = "Qualifier"


def ann_text(text: str, spans: Sequence[Span]) -> str:
    """The .ann content for `spans` of `text`."""
    lines: list[str] = []
    n_attr = 0
    for i, s in enumerate(sorted(spans, key=lambda s: (s.start, s.end, s.label)), start=1):
        shown = text[s.start : s.end].replace("\n", " ").replace("\r", " ")
        lines.append(f"T{i}\t{s.label} {s.start} {s.end}\t{shown}")
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
    with (folder / f"{name}.ann").open("w", encoding="utf-8", newline="\n") as f:
        f.write(ann_text(text, spans))
    return txt


def annotation_conf(entity_labels: Iterable[str], casualty_labels: Iterable[str]) -> str:
    """A brat annotation.conf declaring the labels and the casualty attributes."""
    casualty = sorted(set(casualty_labels))
    entities = sorted(set(entity_labels) - set(casualty))
    args = "|".join(casualty) or "<ENTITY>"
    return (
        "[entities]\n"
        + "".join(f"{e}\n" for e in [*entities, *casualty])
        + "\n[relations]\n\n[events]\n\n[attributes]\n"
        + f"{QUALIFIER}\tArg:{args}, Value:{'|'.join(QUALIFIERS)}\n"
        # brat's configuration cannot declare a free number; the .ann lines carry it.
        + f"{VALUE}\tArg:{args}\n"
    )


def read_brat(txt: Path) -> NewDocument:
    """A brat pair as a document: NAME.txt (the exact text) and NAME.ann beside it.

    T lines become spans; `Value` and `Qualifier` A lines their casualty attributes.
    Relations, events and notes have no place in the scheme and are ignored;
    discontinuous spans and T lines whose text does not match the .txt are errors.
    """
    from .readers import InputError, _check_text

    data = txt.read_bytes()
    try:
        text = data.decode("utf-8")  # no BOM stripping: brat offsets count from the start
    except UnicodeDecodeError as e:
        raise InputError(txt, data[: e.start].count(b"\n") + 1, "invalid UTF-8") from None
    _check_text(text, txt, None)
    ann = txt.with_suffix(".ann")
    spans: dict[str, Span] = {}
    found: dict[str, dict[str, str | None]] = {}
    for number, raw in enumerate(ann.read_text(encoding="utf-8").splitlines(), start=1):
        fields = raw.split("\t")
        if raw.startswith("T"):
            spans[fields[0]] = _t_line(fields, text, ann, number)
        elif raw.startswith(("A", "M")):
            parts = fields[1].split(" ") if len(fields) > 1 else []
            if len(parts) < 2:
                raise InputError(ann, number, f"attribute line needs NAME TARGET: {raw!r:.80}")
            found.setdefault(parts[1], {})[parts[0].lower()] = parts[2] if len(parts) > 2 else None
    out = []
    for ident, span in spans.items():
        attrs = found.get(ident, {})
        if "value" in attrs or "qualifier" in attrs:
            span = span.with_(attrs=_casualty_attrs(ident, attrs, ann))
        out.append(span)
    out.sort(key=lambda s: (s.start, s.end, s.label))
    source = txt.as_posix()
    return NewDocument(text, {"meta": {"source": source}}, source, tuple(out))


def _casualty_attrs(ident: str, attrs: dict[str, str | None], ann: Path) -> dict[str, object]:
    from .readers import InputError

    raw = attrs.get("value")
    try:
        value = None if raw in (None, "null") else int(str(raw))
    except ValueError:
        raise InputError(ann, None, f"{ident}: Value must be an integer: {raw!r}") from None
    qualifier = attrs.get("qualifier")
    if qualifier not in QUALIFIERS:
        raise InputError(ann, None, f"{ident}: unknown Qualifier {qualifier!r}")
    return {"value": value, "qualifier": qualifier}


def _t_line(fields: list[str], text: str, ann: Path, line: int) -> Span:
    from .readers import InputError, _checked

    if len(fields) < 2 or ";" in fields[1]:
        why = "discontinuous spans are not in the scheme" if len(fields) > 1 else "no offsets"
        raise InputError(ann, line, why)
    parts = fields[1].split(" ")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        raise InputError(ann, line, f"T line needs LABEL START END: {fields[1]!r}")
    span = _checked(int(parts[1]), int(parts[2]), parts[0], {}, text, ann, line)
    shown = span.text_in(text).replace("\n", " ").replace("\r", " ")
    if len(fields) > 2 and fields[2] != shown:
        raise InputError(ann, line, f"span text {fields[2]!r} does not match the .txt {shown!r}")
    return span
