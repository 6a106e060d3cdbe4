"""The hand-filled DocBin path writes what spaCy's public `DocBin.add` writes.

`ShardWriter` fills DocBin internals and packs SpanGroup bytes itself (fast), only on
the spaCy versions in `FAST_PATH_SPACY`; these tests are what admits a version there.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from hypothesis import given
from spacy.tokens import DocBin

from workbench.interchange.spacy_docbin import (
    FAST_PATH_SPACY,
    ShardWriter,
    blank,
    build_doc,
    casualty_group_attrs,
    fast_path_supported,
)

from .test_format_properties import CASUALTY, SETTINGS, corpora


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


def test_an_untested_spacy_version_takes_the_public_path(tmp_path):
    assert fast_path_supported(spacy.__version__) == (
        ".".join(spacy.__version__.split(".")[:2]) in FAST_PATH_SPACY
    )
    assert not fast_path_supported("3.9.0") and not fast_path_supported("4.0.0")
    assert fast_path_supported(FAST_PATH_SPACY[0] + ".99")
    writer = ShardWriter(tmp_path, blank().vocab)
    assert writer.fast == fast_path_supported()
