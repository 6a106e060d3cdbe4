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

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .source_mentions import (
    FIGURE_NOUNS,
    PERSON_PRONOUNS,
    is_person,
    is_pronoun,
    is_reporter,
    mention_bounds,
    owner,
)

# Stored with every suggestion: bump it when the rules change.
RULES_VERSION = "1"

# Verbs whose reported clause holds what the subject stated (lemmas).
CLAUSE_VERBS = {
    "say", "tell", "add", "claim", "state", "announce", "report", "confirm", "estimate",
    "find", "show", "note", "explain", "insist", "warn", "reveal", "indicate", "write",
    "tweet", "testify", "quote", "disclose", "acknowledge", "allege", "assert", "declare",
    "maintain", "stress", "reiterate", "inform", "suggest", "put", "give", "document",
    "count",
}  # fmt: skip
# Verbs whose object is the figure they report ("reported 11 dead", "confirmed 5 deaths").
OBJECT_VERBS = {"report", "confirm", "estimate", "announce", "document", "count", "record"}
# "put the death toll at N", "gave a toll of N": only with a toll as the object.
TOLL_VERBS = {"put", "give", "place", "set", "revise", "update", "raise", "lower"}
# Toll verbs whose subject may be an event ("new deaths raised the toll"): need a reporter.
_REPORTER_ONLY = {"raise", "lower"}
_TOLLS = {"toll", "number", "figure", "tally", "count", "total", "casualties"}
# Verbs that only report with a clause ("claimed that 5 died", not "claimed 60,000 lives").
_CLAUSE_ONLY = {"claim", "say", "tell", "add", "state", "find", "show", "note", "write"}
_SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
# Edges that are not the reported clause: the speaker, the addressee.
_NOT_REPORTED = {"nsubj", "nsubjpass", "agent", "dative", "expl", "csubj"}
# A lone reporting clause attached to what it reports: "..., officials said."
_SIDE_EDGES = {"parataxis", "advcl", "ccomp", "conj", "dep"}
_RELATIVES = {"who", "which", "that"}
_QUOTES_OPEN = {"“", '"', "‘"}
_QUOTES_CLOSE = {"”", '"', "’"}


@dataclass(frozen=True)
class Mention:
    """A source mention: token bounds, and whether it names the source (not a pronoun)."""

    start: int
    end: int
    verb: int  # the reporting word's token index (for "nearest before")


class Namings:
    """The doc's naming mentions, found the first time a pronoun needs them."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self._mentions: list[Mention] | None = None

    def __iter__(self) -> Iterator[Mention]:
        if self._mentions is None:
            self._mentions = _naming_mentions(self.doc)
        return iter(self._mentions)


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


def hard_break(doc: Doc, i: int, j: int) -> bool:
    """A line break between tokens i and j that ends a sentence: a blank line, or a new
    line that starts with a capital (a headline run into the text); a wrapped line does not."""
    lo, hi = min(i, j), max(i, j)
    for k in range(lo, hi):
        text = doc[k].text
        if "\n" not in text and not doc[k].whitespace_.count("\n"):
            continue
        if text.count("\n") + doc[k].whitespace_.count("\n") > 1:
            return True
        nxt = doc[k + 1] if k + 1 < len(doc) else None
        if nxt is not None and nxt.is_space:
            return True
        if nxt is None or not nxt.text[:1].islower():
            return True
    return False


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
            found = _according_to(child, namings)
            if found is not None:
                return found
        if child.dep_ in ("advcl", "xcomp") and child.lemma_ in ("cite", "quote"):
            cited = _first(child, ("dobj",))
            if cited is not None:  # "..., citing local officials, that ...": the innermost
                return _name(cited, namings)
    if node.pos_ in ("VERB", "AUX") and via not in _NOT_REPORTED:
        found = _reporting(node, came_from, namings)
        if found is not False:
            return found
    # a side reporting clause: "..., officials said." / "he said" after the figure
    for child in node.children:
        if child is came_from or child.dep_ not in _SIDE_EDGES:
            continue
        if _is_side_reporter(child) and not hard_break(doc, fig.start, child.i):
            return _speaker(child, namings)
    # "a toll of 146,065 published by the Observatory"
    for child in node.children:
        if child is not came_from and child.dep_ == "acl" and child.lemma_ in _PUBLISH:
            agent = _agent(child)
            if agent is not None:
                return _name(agent, namings)
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
            return _speaker(tok, namings)
    for tok in sent:
        if tok.lower_ != "according" or hard_break(doc, fig.start, tok.i):
            continue
        if tok.i > fig.end or _leading(doc, tok):
            found = _according_to(tok, namings)
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
        subj = _subject(verb)
        if lemma in _REPORTER_ONLY and (subj is None or not is_reporter(subj)):
            return False
    elif lemma not in CLAUSE_VERBS and lemma not in OBJECT_VERBS:
        return False
    if via in ("conj", "cc") and not (
        (lemma in OBJECT_VERBS and _elliptical(came_from)) or _second_reported(verb, came_from)
    ):
        return False  # a coordinated clause is not what the verb reports
    if lemma in _CLAUSE_ONLY and via in ("dobj", "attr", "oprd", "nsubj"):
        return False
    if lemma == "record" and via != "ccomp":
        return False  # "the division recorded 123 murders": had, not reported
    if lemma == "find" and via not in ("ccomp",):
        return False
    if lemma == "count" and via not in ("ccomp", "dobj"):
        return False
    return _speaker(verb, namings)


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


def _speaker(verb: Token, namings: Namings):
    """Who a reporting verb names as speaking: its subject, the agent of a passive, the
    object of "quoted X as saying", the subject of the verb an infinitive hangs on."""
    lemma = verb.lemma_.lower()
    # Innermost speaker: "X reported, citing local officials"; "quoted a health official as saying"
    for child in verb.children:
        if child.dep_ in ("advcl", "xcomp") and child.lemma_ in ("cite", "quote"):
            obj = _first(child, ("dobj",))
            if obj is not None:
                return _name(obj, namings)
    if lemma == "quote":
        obj = _first(verb, ("dobj", "nsubjpass"))  # "quoted X as saying", "X was quoted by Y"
        if obj is not None:
            return _name(obj, namings)
    agent = _agent(verb)
    if agent is not None:
        return _name(agent, namings)
    subj = _subject(verb)
    passive = subj is not None and subj.dep_ == "nsubjpass"
    if subj is not None and passive and lemma != "quote":
        return None if subj.lower_ == "it" else False  # "it was reported that": nobody
    if subj is not None and subj.lower_ in _RELATIVES and verb.dep_ == "relcl":
        bounds = mention_bounds(verb.head, without=verb)  # "a doctor who said ...": the doctor
        return None if bounds is None else bounds
    if subj is not None:
        if subj.lower_ in FIGURE_NOUNS or subj.lemma_ in FIGURE_NOUNS:
            held = owner(subj)
            return None if held is None else _name(held, namings)
        return _name(subj, namings)
    # "declined to say that ...", "went on to say": the subject of the verb it hangs on
    if verb.tag_ in ("VB", "VBG") and verb.dep_ != "ROOT":
        up = verb.head
        for _ in range(6):
            quoted = _first(up, ("dobj", "nsubjpass")) if up.lemma_ in ("quote", "cite") else None
            if quoted is not None:  # "quoted a police official as saying"
                return _name(quoted, namings)
            subj = _subject(up) if up.pos_ in ("VERB", "AUX") else None
            if subj is not None:
                return None if subj.dep_ == "nsubjpass" else _name(subj, namings)
            if up.head.i == up.i:
                break
            up = up.head
    return False


def _subject(verb: Token) -> Token | None:
    """The subject nearest the verb ("KHARTOUM - The head ... said": the head)."""
    subjects = [c for c in verb.children if c.dep_ in _SUBJECTS]
    subjects = [c for c in subjects if not hard_break(verb.doc, c.i, verb.i)]
    return min(subjects, key=lambda c: abs(c.i - verb.i)) if subjects else None


def _according_to(tok: Token, namings: Namings):
    """The source of an "according to X" phrase at `tok`, else None."""
    if tok.lower_ != "according":
        return None
    for to in tok.children:
        if to.lower_ == "to":
            obj = _first(to, ("pobj",))
            if obj is not None:
                if obj.lower_ in FIGURE_NOUNS or obj.lemma_ in FIGURE_NOUNS:
                    held = owner(obj)
                    return None if held is None else _name(held, namings)
                return _name(obj, namings)
    return None


def _agent(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            return _first(child, ("pobj",))
    return None


def _first(tok: Token, deps: Iterable[str]) -> Token | None:
    deps = set(deps)
    for child in tok.children:
        if child.dep_ in deps:
            return child
    return None


# ---- naming mentions and pronouns ---------------------------------------------------------


def _name(head: Token, namings: Namings) -> tuple[int, int] | None:
    """The mention of `head`: its own words, or for a pronoun the nearest naming mention."""
    if is_pronoun(head):
        return _antecedent(head, namings)
    return mention_bounds(head)


def _antecedent(pron: Token, namings: Namings) -> tuple[int, int] | None:
    """The nearest naming mention before a pronoun: an earlier named source, else the
    nearest earlier subject that can be what the pronoun names (a person for "he")."""
    person = pron.lower_ in PERSON_PRONOUNS
    doc = pron.doc
    earlier = [m for m in namings if m.end <= pron.i and m.verb < pron.i]
    for m in reversed(earlier):
        if person == is_person(doc, m.start, m.end) or pron.lower_ in ("they", "their"):
            return m.start, m.end
    if earlier:
        return earlier[-1].start, earlier[-1].end
    if not person:
        return None
    # "Fire chief Tom Hall arrived. '...,' he said": the last person a sentence was about
    start = doc[max(pron.sent.start - 1, 0)].sent.start
    for tok in reversed(doc[start : pron.i]):
        if tok.dep_ == "nsubj" and not is_pronoun(tok):
            bounds = mention_bounds(tok)
            if bounds is not None and is_person(doc, *bounds):
                return bounds
    return None


def _naming_mentions(doc: Doc) -> list[Mention]:
    """Every named subject of a reporting verb, "according to" and figures' owners, in text
    order: what a later "it said" or "he added" goes back to."""
    out = []
    for tok in doc:
        head = None
        if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in CLAUSE_VERBS | OBJECT_VERBS:
            agent = _agent(tok)
            head = _first(tok, ("nsubj",)) or agent
        elif tok.lower_ == "according":
            to = _first(tok, ("prep",))
            head = _first(to, ("pobj",)) if to is not None else None
        if head is None or is_pronoun(head):
            continue
        if head.lower_ in FIGURE_NOUNS or head.lemma_ in FIGURE_NOUNS:
            head = owner(head)
            if head is None or is_pronoun(head):
                continue
        bounds = mention_bounds(head)
        if bounds is not None:
            out.append(Mention(bounds[0], bounds[1], tok.i))
    return out


# ---- quotes -------------------------------------------------------------------------------


def _quote_speaker(doc: Doc, fig: Span, namings: Namings) -> tuple[int, int] | None:
    """The speaker named next to the quote that holds the figure: '“...N...,” said X' or
    'X said: “...N...”', the quote perhaps over several sentences of one paragraph."""
    text = doc.text
    para_start = text.rfind("\n", 0, fig.start_char) + 1
    para_end = text.find("\n", fig.end_char)
    para_end = len(text) if para_end < 0 else para_end
    opened = None
    i = para_start
    while i < fig.start_char:
        ch = text[i]
        if opened is None and ch in _QUOTES_OPEN and ch != "’":
            opened = i
        elif opened is not None and ch in _QUOTES_CLOSE and ch != "‘" and ch != "’":
            opened = None
        i += 1
    if opened is None:
        return None
    close = -1
    for j in range(fig.end_char, para_end):
        if text[j] in ("”", '"'):
            close = j
            break
    if close < 0:
        return None
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
                found = _speaker(tok, namings)
                if found:
                    return found
    return None


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
