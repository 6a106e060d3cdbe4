"""Writers and readers agree, on any text: export -> import -> export is a fixed point
for jsonl, doccano and brat; conll and spacy lose only what docs/formats.md says.

Documents are generated with arbitrary Unicode (controls, line and paragraph
separators, combining marks, emoji, `-DOCSTART-`), labels from the configuration,
and casualty spans with and without values.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.config import DEFAULT_CONFIG_PATH, load_config
from workbench.jobs.export import Selection, export
from workbench.jobs.importing import import_gold
from workbench.model import QUALIFIERS, NewDocument, Span
from workbench.store import Store

CONFIG = load_config(DEFAULT_CONFIG_PATH)
LABELS = frozenset(CONFIG.labels)
CASUALTY = CONFIG.casualty_labels
ANNOTATOR = "amira"
SPECIAL = [
    *"\t\n\r\v\f\x1c\x1d\x1e\x1f\x85\u2028\u2029\x1b\x07\u00a0\u200b\u202e %;|#",
    "\u0301",  # a combining acute accent
    "\U0001f600",
    "\U0001f44d\U0001f3fd",  # an emoji with a skin-tone modifier
    "\r\n",
    "-DOCSTART-",
    "-DOCSTART- -X- O O",
    "U.S.-led",
    "100",
    "[b]x[/x]",
]
chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
texts = (
    st.lists(
        st.one_of(chars, st.sampled_from(SPECIAL), st.sampled_from(["word", "Homs"])),
        min_size=1,
        max_size=24,
    )
    .map("".join)
    .filter(lambda t: not t.isspace())
)
attrs = st.fixed_dictionaries(
    {
        "value": st.one_of(st.none(), st.integers(0, 10**10)),
        "qualifier": st.one_of(st.none(), st.sampled_from(QUALIFIERS)),
    }
)


@st.composite
def documents(draw) -> NewDocument:
    text = draw(texts)
    n = len(text)
    spans: dict[tuple[int, int, str], Span] = {}
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, n - 1))
        end = draw(st.integers(start + 1, n))
        label = draw(st.sampled_from(sorted(LABELS)))
        extra = draw(attrs) if label in CASUALTY else {}
        spans[(start, end, label)] = Span(start, end, label, extra)
    return NewDocument(text, {}, "generated", tuple(spans.values()))


corpora = st.lists(documents(), min_size=1, max_size=3, unique_by=lambda d: d.text)
SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def stored(db: Path, docs: list[NewDocument]) -> None:
    with Store(db) as store:
        store.save_gold(docs, ANNOTATOR)


def gold(db: Path) -> list[tuple[str, list[tuple]]]:
    with Store(db) as store:
        return [
            (a.document.text, sorted((s.start, s.end, s.label, s.attrs) for s in a.gold_spans()))
            for a in store.annotations(annotator=ANNOTATOR)
        ]


def content(out: Path, fmt: str) -> object:
    """What an export holds, less what is regenerated on every run (the timestamp)."""
    if fmt == "brat":
        return {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    lines = [json.loads(line) for line in out.read_bytes().splitlines()]
    for rec in lines:
        rec.pop("timestamp", None)
    return lines


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "brat"])
@SETTINGS
@given(docs=corpora)
def test_export_import_export_is_a_fixed_point(fmt, docs):
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp, "first.db"), Path(tmp, "second.db")
        stored(first, docs)
        out1, out2 = Path(tmp, f"one-{fmt}.jsonl"), Path(tmp, f"two-{fmt}.jsonl")
        with Store(first) as store:
            export(store, Selection(), fmt, out1, casualty_labels=CASUALTY)
        with Store(second) as store:
            imported = import_gold(store, [out1], ANNOTATOR, labels=LABELS)
            assert imported.annotations_added == len(docs)
            export(store, Selection(), fmt, out2, casualty_labels=CASUALTY)
            assert store.integrity_check() == "ok"
        assert content(out2, fmt) == content(out1, fmt)
        assert gold(second) == gold(first)  # and nothing was lost on the way


@SETTINGS
@given(docs=corpora)
def test_conll_keeps_its_columns_and_document_boundaries(docs):
    with tempfile.TemporaryDirectory() as tmp:
        db, out = Path(tmp, "a.db"), Path(tmp, "a.conll")
        stored(db, docs)
        with Store(db) as store:
            report = export(store, Selection(), "conll", out, casualty_labels=CASUALTY)
        lines = out.read_text(encoding="utf-8").split("\n")
        assert sum(line.startswith("-DOCSTART-") for line in lines) == len(docs)
        tags: Counter[str] = Counter()
        for line in lines:
            if line:
                columns = line.split()  # any whitespace, as readers split
                assert len(columns) == 4 and line.split(" ") == columns, repr(line)
                if columns[3].startswith("B-"):
                    tags[columns[3][2:]] += 1
        from workbench.interchange.brat import decode_label

        kept = Counter(s.label for d in docs for s in d.spans)
        kept.subtract(d.span.label for d in report.dropped)
        assert Counter({decode_label(k): n for k, n in tags.items()}) == +kept


@SETTINGS
@given(docs=corpora)
def test_spacy_keeps_text_entities_and_casualty_spans_or_reports_them(docs):
    from spacy.tokens import DocBin

    from workbench.interchange.spacy_docbin import blank, casualty_group_attrs

    with tempfile.TemporaryDirectory() as tmp:
        db, out = Path(tmp, "a.db"), Path(tmp, "corpus")
        stored(db, docs)
        with Store(db) as store:
            report = export(store, Selection(), "spacy", out, casualty_labels=CASUALTY)
        vocab = blank().vocab
        loaded = [
            doc
            for f in sorted(out.rglob("*.spacy"))
            for doc in DocBin().from_disk(f).get_docs(vocab)
        ]
        dropped = {(d.doc_id, d.span.start, d.span.end, d.span.label) for d in report.dropped}
        for doc_id, (doc, source) in enumerate(zip(loaded, docs, strict=True), start=1):
            assert doc.text == source.text
            want = [s for s in source.spans if (doc_id, s.start, s.end, s.label) not in dropped]
            group = doc.spans.get("casualties", [])
            # SOURCE spans are not entities: they are in the sources group (no links here).
            sources = [s for s in doc.spans.get("sources", []) if s.label_ == "SOURCE"]
            placed = [*doc.ents, *group, *sources]
            assert len(placed) == len(want)
            # A span's edge whitespace that spaCy keeps as a token's trailing space is
            # outside every token, so the span is written without it (docs/formats.md).
            written = [next(s for s in want if within(s, p, doc.text)) for p in placed]
            assert len(set(written)) == len(want)
            counted = written[len(doc.ents) : len(doc.ents) + len(group)]
            assert [s.attrs for s in counted] == casualty_group_attrs(doc)


def within(span: Span, placed, text: str) -> bool:
    """`placed` (a spaCy span) is `span` less whitespace at its edges."""
    a, b = placed.start_char, placed.end_char
    return (
        placed.label_ == span.label
        and span.start <= a < b <= span.end
        and not text[span.start : a].strip()
        and not text[b : span.end].strip()
    )


@SETTINGS
@given(docs=corpora)
def test_the_fast_jsonl_read_writes_what_the_model_objects_would(docs):
    """jsonl export embeds spans serialised by SQLite: byte for byte `Span.to_json`."""
    import orjson

    from workbench.interchange.jsonl import annotation_record

    with tempfile.TemporaryDirectory() as tmp:
        db, out = Path(tmp, "a.db"), Path(tmp, "a.jsonl")
        stored(db, docs)
        with Store(db) as store:
            report = export(store, Selection(), "jsonl", out)
            slow = [orjson.dumps(annotation_record(a)) for a in store.annotations()]
        assert out.read_bytes().splitlines() == slow
        assert report.spans == sum(len(d.spans) for d in docs)
