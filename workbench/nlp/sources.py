"""spaCy component that gives each casualty span its source: who reported the figure.

Registered as the factory "workbench_sources", added after "workbench_casualties".
From the dependency parse: the subject of the reporting verb whose reported clause
holds the figure ("X said ...", "X told ...", "X was quoted as saying ...", "X put the
death toll at N"), the X of "according to X" and "X's figures", or the speaker named
next to a quote that holds it. A pronoun ("it said", "he added") goes back to the
nearest naming mention before it; nothing else carries a source across sentences.
A pipeline without a parser (`spacy.blank("en")`) gives no sources.

Each casualty span gets `span._.casualty_source = (start_char, end_char)` or None, and
the source mentions go to `doc.spans[sources_key]`.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .source_mentions import FIGURE_NOUNS, is_reporter
from .source_speakers import (
    CLAUSE_VERBS,
    OBJECT_VERBS,
    TOLL_VERBS,
    Namings,
    according_to,
    agent,
    first,
    hard_break,
    name_of,
    speaker,
    subject,
)

# Stored with every suggestion: bump it when the rules change.
RULES_VERSION = "1"

# Toll verbs whose subject may be an event ("new deaths raised the toll"): need a reporter.
_REPORTER_ONLY = {"raise", "lower"}
_TOLLS = {"toll", "number", "figure", "tally", "count", "total", "casualties"}
# Verbs that only report with a clause ("claimed that 5 died", not "claimed 60,000 lives").
_CLAUSE_ONLY = {"claim", "say", "tell", "add", "state", "find", "show", "note", "write"}
# Edges that are not the reported clause: the speaker, the addressee.
_NOT_REPORTED = {"nsubj", "nsubjpass", "agent", "dative", "expl", "csubj"}
# A lone reporting clause attached to what it reports: "..., officials said."
_SIDE_EDGES = {"parataxis", "advcl", "ccomp", "conj", "dep"}


def find_sources(doc: Doc, figures: Iterable[Span]) -> list[tuple[Span, Span | None]]:
    """Each figure with its source mention (a Span over the doc), or None."""
    figures = list(figures)
    if not doc.has_annotation("DEP"):
        return [(f, None) for f in figures]
    namings = Namings(doc)
    out = []
    for fig in figures:
        mention = _source_of(doc, fig, namings)
        out.append((fig, None if mention is None else doc[mention[0] : mention[1]]))
    return out


# ---- the reporting construction that reaches a figure ------------------------------------


def _source_of(doc: Doc, fig: Span, namings: Namings) -> tuple[int, int] | None:
    tok = fig.root
    seen: set[int] = set()
    child = tok
    node = tok
    while True:
        found = _at(node, child, fig, namings)
        if found is not False:
            return found  # type: ignore[return-value]
        seen.add(node.i)
        head = node.head
        if head.i == node.i or head.i in seen or hard_break(doc, fig.start, head.i):
            break
        child, node = node, head
    found = _sentence_reporter(doc, fig, namings)
    if found is not False:
        return found  # type: ignore[return-value]
    return _quote_speaker(doc, fig, namings)


def _at(node: Token, came_from: Token, fig: Span, namings: Namings):
    """The source a reporting construction at `node` gives the figure below `came_from`:
    token bounds, None (reported, but by nobody named: stop), or False (look higher)."""
    doc = node.doc
    via = came_from.dep_ if came_from is not node else ""
    # "according to X" attached here, unless another clause stands between ("..., while")
    for child in node.children:
        if child is came_from or hard_break(doc, fig.start, child.i):
            continue
        if child.lower_ == "according" and not _clause_between(node, came_from, child):
            found = according_to(child, namings)
            if found is not None:
                return found
        if child.dep_ in ("advcl", "xcomp") and child.lemma_ in ("cite", "quote"):
            cited = first(child, ("dobj",))
            if cited is not None:  # "..., citing local officials, that ...": the innermost
                return name_of(cited, namings)
    if node.pos_ in ("VERB", "AUX") and via not in _NOT_REPORTED:
        found = _reporting(node, came_from, namings)
        if found is not False:
            return found
    if via == "nsubjpass" and node.lemma_.lower() in CLAUSE_VERBS | OBJECT_VERBS:
        by = agent(node)  # "five were confirmed dead by officials"; without "by", look higher
        if by is not None:
            return name_of(by, namings)
    # a side reporting clause: "..., officials said." / "he said" after the figure
    for child in node.children:
        if child is came_from or child.dep_ not in _SIDE_EDGES:
            continue
        if _is_side_reporter(child) and not hard_break(doc, fig.start, child.i):
            return speaker(child, namings)
    # "a toll of 146,065 published by the Observatory"
    for child in node.children:
        if child is not came_from and child.dep_ == "acl" and child.lemma_ in _PUBLISH:
            by = agent(child)
            if by is not None:
                return name_of(by, namings)
    return False


def _clause_between(node: Token, came_from: Token, other: Token) -> bool:
    """Another clause of `node` lies between the figure's branch and `other`."""
    lo, hi = sorted((came_from.i, other.i))
    for child in node.children:
        if child is came_from or child is other:
            continue
        clause = child.dep_ in ("advcl", "conj", "ccomp", "parataxis")
        if clause and lo < child.i < hi and child.pos_ in ("VERB", "AUX"):
            return True
    return False


def _sentence_reporter(doc: Doc, fig: Span, namings: Namings):
    """A reporting clause of the sentence the parse did not attach to the figure: a
    trailing "..., officials said." or "..., according to X." after it, or a leading
    "According to X, ..." before it."""
    sent = fig.sent
    for tok in sent:
        if tok.i < fig.end or hard_break(doc, fig.start, tok.i):
            continue
        if _is_side_reporter(tok):
            return speaker(tok, namings)
    for tok in sent:
        if tok.lower_ != "according" or hard_break(doc, fig.start, tok.i):
            continue
        if tok.i > fig.end or _leading(doc, tok):
            found = according_to(tok, namings)
            if found is not None:
                return found
    return False


def _leading(doc: Doc, tok: Token) -> bool:
    """`tok` opens its sentence (after a dateline at most)."""
    for k in range(tok.sent.start, tok.i):
        if not (doc[k].is_punct or doc[k].is_space or doc[k].ent_type_ in ("GPE", "DATE")):
            return False
    return True


_PUBLISH = {"publish", "release", "compile", "issue", "cite", "report", "provide"}


def _reporting(verb: Token, came_from: Token, namings: Namings):
    lemma = verb.lemma_.lower()
    via = came_from.dep_
    if lemma in TOLL_VERBS:
        if not any(c.dep_ in ("dobj", "nsubjpass") and c.lemma_ in _TOLLS for c in verb.children):
            return False
        subj = subject(verb)
        if lemma in _REPORTER_ONLY and (subj is None or not is_reporter(subj)):
            return False
    elif lemma not in CLAUSE_VERBS and lemma not in OBJECT_VERBS:
        return False
    if via in ("conj", "cc") and not (
        (lemma in OBJECT_VERBS and _elliptical(came_from)) or _second_reported(verb, came_from)
    ):
        return False  # a coordinated clause is not what the verb reports
    if lemma in _CLAUSE_ONLY and via in ("dobj", "attr", "oprd", "nsubj"):
        subj = subject(verb)
        figures_show = lemma == "show" and subj is not None and _figures(subj)
        if not figures_show or via != "dobj":  # "figures show 300 deaths" reports them
            return False
    if lemma == "record" and via != "ccomp":
        return False  # "the division recorded 123 murders": had, not reported
    if lemma == "find" and via not in ("ccomp",):
        return False
    if lemma == "count" and via not in ("ccomp", "dobj"):
        return False
    return speaker(verb, namings)


def _figures(tok: Token) -> bool:
    return tok.lower_ in FIGURE_NOUNS or tok.lemma_ in FIGURE_NOUNS


def _second_reported(verb: Token, clause: Token) -> bool:
    """ "said two were injured and one resident died": the parse hung the second reported
    clause on the verb; "and" with no comma after a reported clause joins it to that one."""
    doc = verb.doc
    reported = [c for c in verb.children if c.dep_ == "ccomp" and verb.i < c.i < clause.i]
    if not reported or clause.lemma_.lower() in CLAUSE_VERBS:
        return False
    joins = [t for t in doc[reported[-1].i : clause.left_edge.i] if t.dep_ == "cc"]
    return bool(joins) and joins[-1].lower_ == "and" and doc[joins[-1].i - 1].text != ","


def _elliptical(clause: Token) -> bool:
    """A participle with no auxiliary: "reported 360 killed and 900 injured"."""
    return clause.tag_ == "VBN" and not any(c.dep_ in ("aux", "auxpass") for c in clause.children)


def _is_side_reporter(verb: Token) -> bool:
    """A reporting verb with a subject and nothing reported of its own ("officials said")."""
    if verb.lemma_.lower() not in CLAUSE_VERBS or verb.lemma_.lower() in TOLL_VERBS:
        return False
    if not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children):
        return False
    # what it reports, if anything, comes before it: "..., officials said."
    return not any(c.dep_ in ("ccomp", "dobj", "xcomp") and c.i > verb.i for c in verb.children)


# ---- quotes -------------------------------------------------------------------------------


def _quote_speaker(doc: Doc, fig: Span, namings: Namings) -> tuple[int, int] | None:
    """The speaker named next to the quote that holds the figure: '“...N...,” said X' or
    'X said: “...N...”', the quote perhaps over several sentences of one paragraph."""
    text = doc.text
    para_start = text.rfind("\n", 0, fig.start_char) + 1
    para_end = text.find("\n", fig.end_char)
    para_end = len(text) if para_end < 0 else para_end
    around = quote_around(text[para_start:para_end], fig.start_char - para_start)
    if around is None:
        return None
    opened, close = (para_start + k for k in around)
    after = doc.char_span(close + 1, para_end, alignment_mode="expand")
    before = doc.char_span(para_start, opened, alignment_mode="expand")
    for part, where in ((after, "after"), (before, "before")):
        if part is None:
            continue
        for tok in part.sent if where == "after" else part:
            if where == "after" and tok.i < part.start:
                continue
            if where == "after" and tok.i > part.start + 8:
                break
            if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in CLAUSE_VERBS:
                found = speaker(tok, namings)
                if found:
                    return found
    return None


def quote_around(para: str, at: int) -> tuple[int, int] | None:
    """(open, close) offsets of the quote in `para` that holds offset `at`: “...”, "...",
    or ‘...’ (a ’ inside a word is an apostrophe, not a close)."""
    opened: tuple[int, str] | None = None
    spans = []
    for k, ch in enumerate(para):
        if opened is None:
            if ch in _OPENERS and not (ch == "‘" and k > 0 and para[k - 1].isalnum()):
                opened = (k, _OPENERS[ch])
        elif ch == opened[1] and not (ch == "’" and k + 1 < len(para) and para[k + 1].isalpha()):
            spans.append((opened[0], k))
            opened = None
    if opened is not None:
        spans.append((opened[0], len(para)))  # a quote running on past the paragraph
    for start, end in spans:
        if start < at < end:
            return (start, end) if end < len(para) else None
    return None


_OPENERS = {"“": "”", '"': '"', "‘": "’"}


# ---- the component ------------------------------------------------------------------------


def _register_extensions() -> None:
    if not Span.has_extension("casualty_source"):
        Span.set_extension("casualty_source", default=None)


class SourceFinder:
    """Pipeline component: links each span of `doc.spans[spans_key]` to its source."""

    def __init__(self, nlp: Language, name: str, spans_key: str, sources_key: str) -> None:
        self.name = name
        self.spans_key = spans_key
        self.sources_key = sources_key
        _register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        figures = list(doc.spans.get(self.spans_key, []))
        sources: dict[tuple[int, int], Span] = {}
        for fig, mention in find_sources(doc, figures):
            if mention is None:
                fig._.casualty_source = None
                continue
            fig._.casualty_source = (mention.start_char, mention.end_char)
            sources[(mention.start, mention.end)] = Span(
                doc, mention.start, mention.end, label="SOURCE"
            )
        doc.spans[self.sources_key] = sorted(sources.values(), key=lambda s: s.start)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)


@Language.factory(
    "workbench_sources", default_config={"spans_key": "casualties", "sources_key": "sources"}
)
def make_source_finder(nlp: Language, name: str, spans_key: str, sources_key: str) -> SourceFinder:
    """Build the source finder component."""
    return SourceFinder(nlp, name, spans_key, sources_key)


_register_extensions()
