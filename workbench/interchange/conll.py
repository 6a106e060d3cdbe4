"""CoNLL-2003-style token-per-line IOB2 for token-classification trainers.

One token a line, four space-separated columns `TOKEN _ _ TAG` (word, POS and chunk
placeholders, NER tag last, as CoNLL-2003 readers expect); a blank line ends a
sentence; each document starts with `-DOCSTART- -X- O O` (spaCy's `conll_ner`
converter and Hugging Face's conll2003 script both split documents on it).
Whitespace tokens are left out: a column format cannot hold them. One tag per
token, so overlapping spans cannot all be written; `build_doc` reports those.

What the columns cannot hold: whitespace inside a token (a no-break space) is
written as `_`; a token that begins with `-DOCSTART-` (readers split documents on
such a line) gets `_` for its first character; a label is percent-encoded where it
holds whitespace, controls or `%` (`B-CIVILIAN%20DEATHS`), as in brat.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from ..model import Span
from .brat import encode_label
from .spacy_docbin import blank

DOCSTART = "-DOCSTART- -X- O O"
_LINE_BREAKS = set("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
TokenSpans = dict[tuple[int, int, str], tuple[int, int]]


@functools.cache
def _sentencizer() -> object:
    nlp: Language = blank()
    return nlp.create_pipe("sentencizer")


def conll_lines(doc: Doc) -> Iterator[str]:
    """The document as CoNLL lines (DOCSTART, tokens, blank lines between sentences).

    Tags are IOB2 over the tokens written: an entity whose first token is whitespace
    starts with B- at its first written token, and no sentence break is put inside
    an entity (a reader would see an entity starting with I-).
    """
    doc = _sentencizer()(doc)  # type: ignore[operator]
    entity = [-1] * len(doc)
    labels = []
    for i, ent in enumerate(doc.ents):
        entity[ent.start : ent.end] = [i] * (ent.end - ent.start)
        labels.append(_tag(ent.label_))
    yield DOCSTART
    yield ""
    wrote, brk, last = False, False, -1
    for tok in doc:
        if tok.is_sent_start and wrote:
            brk = True
        if tok.is_space or not tok.text.strip():
            if wrote and any(c in _LINE_BREAKS for c in tok.text):
                brk = True  # a paragraph break ends a sentence too
            continue
        e = entity[tok.i]
        if brk and not (e >= 0 and e == last):
            yield ""
            brk = False
        tag = "O" if e < 0 else f"{'I' if e == last else 'B'}-{labels[e]}"
        yield f"{_clean(tok.text)} _ _ {tag}"
        wrote, last = True, e
    if wrote:
        yield ""


def unwritable(doc: Doc, spans: Iterable[Span], token_spans: TokenSpans) -> list[tuple[Span, str]]:
    """Spans in `doc.ents` made only of whitespace tokens, which CoNLL leaves out."""
    out = []
    for s in spans:
        a, b = token_spans[(s.start, s.end, s.label)]
        if all(t.is_space or not t.text.strip() for t in doc[a:b]):
            out.append((s, "only whitespace, which CoNLL leaves out"))
    return out


def _clean(text: str) -> str:
    # A token never holds a space in spaCy, but a no-break space is not `is_space`.
    text = "".join("_" if c.isspace() else c for c in text)
    return "_" + text[1:] if text.startswith("-DOCSTART-") else text


@functools.cache
def _tag(label: str) -> str:
    return encode_label(label)
