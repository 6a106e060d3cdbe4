"""The hand-filled DocBin path writes what spaCy's public `DocBin.add` writes.

`ShardWriter` fills DocBin internals and packs SpanGroup bytes itself (fast), only on
the spaCy versions in `FAST_PATH_SPACY`; these tests are what admits a version there.
Spans are placed on tokens by bisecting the tokens' character bounds, for both paths:
the last tests check that this gives the tokens `Doc.char_span` gives.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
import spacy
import srsly
from hypothesis import given
from hypothesis import strategies as st
from spacy.tokens import DocBin

from workbench.interchange import spacy_docs, spacy_tokenize
from workbench.interchange.spacy_docbin import (
    FAST_PATH_SPACY,
    ShardWriter,
    blank,
    build_doc,
    casualty_group_attrs,
    fast_path_supported,
)
from workbench.model import NewDocument, Span

from .test_format_properties import CASUALTY, SETTINGS, corpora, documents, texts


def written(folder: Path, docs, fast: bool, shard_size: int = 2) -> list[tuple]:
    """What spaCy reads back from a ShardWriter's shards, doc by doc."""
    nlp = blank()
    writer = ShardWriter(folder, nlp.vocab, shard_size, fast=fast)
    for d in docs:
        writer.add(build_doc(d.text, d.spans, casualty_labels=CASUALTY, nlp=nlp))
    files = writer.close()
    out = []
    fresh = spacy.blank("en").vocab  # a reader's vocab: every string must be in the shard
    for f in files:
        for doc in DocBin().from_disk(f).get_docs(fresh):
            group = doc.spans.get("casualties", [])
            out.append(
                (
                    [(t.text, t.whitespace_, t.ent_iob_, t.ent_type_) for t in doc],
                    [(e.start, e.end, e.start_char, e.end_char, e.label_) for e in doc.ents],
                    [(s.start, s.end, s.start_char, s.end_char, s.label_) for s in group],
                    casualty_group_attrs(doc),
                    doc.has_unknown_spaces,
                )
            )
    return out


@SETTINGS
@given(docs=corpora)
def test_the_fast_path_loads_as_the_public_path_does(docs):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        fast = written(Path(tmp, "fast"), docs, fast=True)
        public = written(Path(tmp, "public"), docs, fast=False)
    assert fast == public
    assert len(fast) == len(docs)


def shard_fields(folder: Path, docs, fast: bool) -> list[dict]:
    """Each shard a ShardWriter writes, decompressed into DocBin's msgpack fields."""
    nlp = blank()
    writer = ShardWriter(folder, nlp.vocab, 2, fast=fast)
    for d in docs:
        writer.add(build_doc(d.text, d.spans, casualty_labels=CASUALTY, nlp=nlp))
    return [srsly.msgpack_loads(zlib.decompress(f.read_bytes())) for f in writer.close()]


@SETTINGS
@given(docs=corpora)
def test_the_fast_path_writes_the_public_paths_bytes_but_fewer_strings(docs):
    """Token columns, spaces, lengths, flags, cats and every packed span group are the
    public path's bytes; the strings are a subset (the public path adds each token's
    lowercase form, which nothing reads), holding every token and label."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        fast = shard_fields(Path(tmp, "fast"), docs, fast=True)
        public = shard_fields(Path(tmp, "public"), docs, fast=False)
    assert len(fast) == len(public) == (len(docs) + 1) // 2
    for f, p in zip(fast, public, strict=True):
        assert set(f) == set(p)
        assert {k: v for k, v in f.items() if k != "strings"} == {
            k: v for k, v in p.items() if k != "strings"
        }
        assert f["strings"] == sorted(f["strings"]) and set(f["strings"]) <= set(p["strings"])
    vocab = spacy.blank("en").vocab
    for f in fast:
        for doc in (
            DocBin(store_user_data=False)
            .from_bytes(zlib.compress(srsly.msgpack_dumps(f)))
            .get_docs(vocab)
        ):
            assert {t.text for t in doc} <= set(f["strings"])


def test_an_untested_spacy_version_takes_the_public_path(tmp_path):
    assert fast_path_supported(spacy.__version__) == (
        ".".join(spacy.__version__.split(".")[:2]) in FAST_PATH_SPACY
    )
    assert not fast_path_supported("3.9.0") and not fast_path_supported("4.0.0")
    assert fast_path_supported(FAST_PATH_SPACY[0] + ".99")
    writer = ShardWriter(tmp_path, blank().vocab)
    assert writer.fast == fast_path_supported()


# Texts whose every token range is a span to place: multi-token spans, spans at the
# document's start and end, adjacent spans with and without a space between ("$5"),
# whitespace tokens (a second space, a line break), trailing whitespace, and Unicode
# (combining marks, an emoji with a modifier, non-Latin scripts).
PLACEMENT_TEXTS = [
    "Five were killed in Homs.",
    "New York  and\nLos Angeles: $5, 12 dead ",
    "Zürich 👍🏽 nai\u0308ve café — 3,000 killed \u2028 in Ḥimṣ\u00a0حمص 東京",
    "\tU.S.-led strikes ... (AFP) 100\r\n",
]


def token_ranges(text: str) -> list[tuple[int, int, Span]]:
    """Every token range [i, j) of `text` as blank English tokenizes it, with the span
    over its characters (from the first token's start to the last token's end)."""
    doc = blank().tokenizer(text)
    return [
        (i, j, Span(doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text), "GPE"))
        for i in range(len(doc))
        for j in range(i + 1, len(doc) + 1)
    ]


def assert_placed_as_char_span(text: str) -> None:
    ranges = token_ranges(text)
    # Without the fallback (re-tokenize, then `char_span(..., "contract")`): what is
    # checked is the bisect placement on the tokenizer's own tokens.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(spacy_docs, "_split_at", _no_fallback)
        built = build_doc(text, [s for _, _, s in ranges])
    doc = built.tokens
    for i, j, s in ranges:
        contract = doc.char_span(s.start, s.end, alignment_mode="contract")
        strict = doc.char_span(s.start, s.end, alignment_mode="strict")
        assert (contract.start, contract.end) == (strict.start, strict.end) == (i, j)
        assert built.token_spans[(s.start, s.end, s.label)] == (i, j), (s, doc[i:j].text)


def _no_fallback(*_):
    raise AssertionError("a span on token bounds was not placed by bisecting")


@pytest.mark.parametrize("text", PLACEMENT_TEXTS)
def test_bisect_placement_gives_the_token_bounds_char_span_gives(text):
    assert len(token_ranges(text)) > 20  # the cases hold many spans of each kind
    assert_placed_as_char_span(text)


@SETTINGS
@given(text=texts)
def test_bisect_placement_agrees_with_char_span_on_any_text(text):
    assert_placed_as_char_span(text)


def tokenized(items, text_of, chars_of, nlp, *, parallel):
    """Each item with its token array and its spans' token bounds, a batch at a time
    through spacy_tokenize.batches (in a second process past the first, if parallel)."""

    def payload(batch):
        return [text_of(x) for x in batch], [chars_of(x) for x in batch]

    def work(texts_chars):
        return spacy_tokenize.token_batch(nlp, *texts_chars)

    for batch, (array, lengths, bounds) in spacy_tokenize.batches(
        items, payload, work, nlp, parallel=parallel
    ):
        yield from zip(batch, spacy_tokenize.split(array, lengths, bounds), strict=True)


@pytest.mark.parametrize("parallel", [False, True])
def test_tokenized_gives_each_texts_own_token_arrays_in_order(monkeypatch, parallel):
    """Batches tokenized in a second process come back in order, as the arrays this
    process makes, and the worker's new token strings reach this process's vocab."""
    monkeypatch.setattr(spacy_tokenize, "BATCH", 3)
    nlp = spacy.blank("en")  # its own vocab: strings only the worker has seen must arrive
    texts = [f"Doc {i}: {i * 7} killed in Place{i}x, U.S.-led  raid.\n" for i in range(20)]
    got = list(tokenized(texts, str, lambda _: [], nlp, parallel=parallel))
    assert [t for t, _ in got] == texts
    reference = spacy.blank("en").tokenizer
    for text, (array, bounds) in got:
        want, starts, ends = spacy_docs.token_arrays(reference(text))
        assert array.tolist() == want.tolist() and bounds == []
        assert all(text[a:b] in nlp.vocab.strings for a, b in zip(starts, ends, strict=True))
    assert f"Place{len(texts) - 1}x" in nlp.vocab.strings


def varied_documents() -> list[tuple[str, list[Span]]]:
    """Documents whose spans fall on token bounds (every token range of each placement
    text), end in whitespace (a token range and the space after it), cut a token
    ("U.S.-led"), start or end in the middle of one, lie past the text, or are none."""
    docs: list[tuple[str, list[Span]]] = [("Five were killed.", [])]
    for text in PLACEMENT_TEXTS:
        ranges = [s for _, _, s in token_ranges(text)]
        docs.append((text, ranges))
        spaced = [
            Span(s.start, s.end + 1, "GPE") for s in ranges if text[s.end : s.end + 1].isspace()
        ]
        docs += [(text, spaced), (text, [*ranges[:3], spaced[0]])]
    docs += [
        ("\tU.S.-led strikes ... (AFP) 100\r\n", [Span(1, 5, "GPE"), Span(10, 17, "ORG")]),
        ("Homs, 5 killed", [Span(0, 2, "GPE")]),
        ("Homs, 5 killed", [Span(1, 4, "GPE"), Span(6, 7, "KILLED")]),
        ("Homs, 5 killed", [Span(8, 14, "GPE"), Span(12, 20, "GPE")]),
        ("Homs, 5 killed", [Span(14, 15, "GPE")]),
    ]
    return docs


def reference_bounds(text: str, spans: list[Span]) -> list[tuple[int, int]] | None:
    """What build_doc places each span on from its own tokenizing (None: it had to split)."""
    built = build_doc(text, spans)
    return [built.token_spans[(s.start, s.end, s.label)] for s in spans] if built.aligned else None


@pytest.mark.parametrize("parallel", [False, True])
def test_the_workers_span_bounds_are_build_docs_own(monkeypatch, parallel):
    """Placed in the tokenizing process a batch at a time, each span is on the tokens
    build_doc places it on by itself; a document with a span off token bounds (ending
    in whitespace, cutting a token) gets None, and is split here as before."""
    monkeypatch.setattr(spacy_tokenize, "BATCH", 3)
    docs = varied_documents() * 2  # more batches than the worker's queue holds
    chars = lambda d: [(s.start, s.end) for s in d[1]]  # noqa: E731
    got = list(tokenized(docs, lambda d: d[0], chars, blank(), parallel=parallel))
    assert [d for d, _ in got] == docs
    bounds = [b for _, (_, b) in got]
    assert bounds == [reference_bounds(text, spans) for text, spans in docs]
    assert None in bounds and [] in bounds and any(b and len(b) > 20 for b in bounds)
    for (text, spans), tokens in got:
        built, ref = build_doc(text, spans, tokens=tokens), build_doc(text, spans)
        assert (built.token_spans, built.dropped, built.split_tokens) == (
            ref.token_spans,
            ref.dropped,
            ref.split_tokens,
        )
        assert built.array.tolist() == ref.array.tolist()


@SETTINGS
@given(docs=st.lists(documents(), min_size=1, max_size=8))
def test_batch_span_bounds_are_each_texts_own_on_any_texts(docs):
    texts = [d.text for d in docs]
    chars = [[(s.start, s.end) for s in d.spans] for d in docs]
    array, lengths, bounds = spacy_tokenize.token_batch(blank(), texts, chars)
    assert bounds == [reference_bounds(d.text, list(d.spans)) for d in docs]


def test_a_parallel_export_writes_the_same_shards(tmp_path, monkeypatch):
    """Tokenized in a second process or here, the spacy export's shards are the same bytes."""
    from workbench.jobs.export import Selection, export
    from workbench.store import Store

    from .test_format_properties import stored

    monkeypatch.setattr(spacy_tokenize, "BATCH", 2)
    texts = [f"Report {i}: {i + 2} killed in Homs{i} and Idlib." for i in range(15)]
    docs = [
        NewDocument(t, {"id": i}, "t", (count, Span(t.index("Homs"), t.index(" and"), "GPE")))
        for i, t in enumerate(texts)
        for count in [Span(t.index(" ", 8) + 1, t.index(" killed"), "KILLED", {"value": i + 2})]
    ]
    stored(tmp_path / "db", docs)
    shards = {}
    for parallel in (False, True):
        monkeypatch.setattr(spacy_tokenize, "parallel_supported", lambda p=parallel: p)
        with Store(tmp_path / "db") as store:
            out = tmp_path / f"out{parallel}"
            result = export(store, Selection(), "spacy", out, dev_fraction=0.3, shard_size=4)
        assert result.documents == len(docs)
        shards[parallel] = {f.relative_to(out): f.read_bytes() for f in result.files}
    assert len(shards[True]) > 2 and shards[True] == shards[False]
