"""CoNLL-2003-style token-per-line IOB2 for token-classification trainers.

One token a line, four space-separated columns `TOKEN _ _ TAG` (word, POS and chunk
placeholders, NER tag last, as CoNLL-2003 readers expect); a blank line ends a
sentence; each document starts with `-DOCSTART- -X- O O` (spaCy's `conll_ner`
converter and Hugging Face's conll2003 script both split documents on it).
Whitespace tokens are left out: a column format cannot hold them. One tag per
token, so overlapping spans cannot all be written; `build_doc` reports those.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from spacy.language import Language
from spacy.tokens import Doc

from .spacy_docbin import blank

DOCSTART = "-DOCSTART- -X- O O"


@functools.cache
def _sentencizer() -> object:
    nlp: Language = blank()
    return nlp.create_pipe("sentencizer")


def conll_lines(doc: Doc) -> Iterator[str]:
    """The document as CoNLL lines (DOCSTART, tokens, blank lines between sentences)."""
    doc = _sentencizer()(doc)  # type: ignore[operator]
    yield DOCSTART
    yield ""
    for sent in doc.sents:
        wrote = False
        for tok in sent:
            if tok.is_space or not tok.text.strip():
                if "\n" in tok.text and wrote:  # a paragraph break ends a sentence too
                    yield ""
                    wrote = False
                continue
            tag = "O" if tok.ent_iob_ in ("O", "") else f"{tok.ent_iob_}-{tok.ent_type_}"
            yield f"{_clean(tok.text)} _ _ {tag}"
            wrote = True
        if wrote:
            yield ""


def _clean(text: str) -> str:
    # A token never holds a space in spaCy, but a no-break space is not `is_space`.
    return "".join("_" if c.isspace() else c for c in text)
