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

from .test_format_properties import CASUALTY, SETTINGS, corpora, texts


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


@pytest.mark.parametrize("parallel", [False, True])
def test_tokenized_gives_each_texts_own_token_arrays_in_order(monkeypatch, parallel):
    """Batches tokenized in a second process come back in order, as the arrays this
    process makes, and the worker's new token strings reach this process's vocab."""
    monkeypatch.setattr(spacy_tokenize, "BATCH", 3)
    nlp = spacy.blank("en")  # its own vocab: strings only the worker has seen must arrive
    texts = [f"Doc {i}: {i * 7} killed in Place{i}x, U.S.-led  raid.\n" for i in range(20)]
    got = list(spacy_tokenize.tokenized(texts, str, nlp, parallel=parallel))
    assert [t for t, _ in got] == texts
    reference = spacy.blank("en").tokenizer
    for text, (array, starts, ends) in got:
        want, want_starts, want_ends = spacy_docs.token_arrays(reference(text))
        assert array.tolist() == want.tolist()
        assert (starts, ends) == (want_starts, want_ends)
        assert all(text[a:b] in nlp.vocab.strings for a, b in zip(starts, ends, strict=True))
    assert f"Place{len(texts) - 1}x" in nlp.vocab.strings


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
