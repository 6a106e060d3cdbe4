"""spaCy component that makes entity suggestions follow the annotation scheme.

Registered as the factory "workbench_entities", placed after `ner` (and after the
news-actor and gold rulers, which write to `doc.spans`). It rewrites `doc.ents`:

- boundaries: no leading "the", no possessive, no designator word ("Sichuan
  province" -> "Sichuan"), a name inside a hyphenated word its own span; ages and
  times of day are never DATE, and a DATE does not run past a dash;
- labels from the name's head and its neighbours: hospitals and schools ORG,
  churches, markets, bridges FAC, "X village" GPE, "Bohol island" LOC, "Qassam
  rockets" no entity; where the model's label disagrees, the label is fixed;
- the curated news-actor patterns win over the model, and what annotators confirmed
  (the gold ruler) wins over both, but neither cuts a longer name the model found;
- all-caps datelines are GPE;
- one name, one label in a document (`entity_consistency`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import entity_lexicon as lex
from .entity_consistency import Cand, make_consistent
from .entity_spans import (
    ACRONYM,
    DASHES,
    add_bracketed_acronyms,
    add_datelines,
    capitalised_common_word,
    find_headed_names,
    join_demonym_and_institution,
)

ACTORS_KEY = "workbench_actors"
GOLD_KEY = "workbench_gold"
GOLD_ID = "workbench_gold_ruler"  # ent_id_ of spans the gold ruler gave (Suggester reads it)
RULES_VERSION = "1"  # stored with suggestions: bump when the conventions change

DATE, NAME_LABELS = "DATE", {"PERSON", "NORP", "ORG", "GPE", "LOC", "FAC"}
POSSESSIVES = {"'s", "\u2019s", "`s", "'", "\u2019"}
QUOTES = {'"', "'", "\u2018", "\u2019", "\u201c", "\u201d", "`", "(", ")", "[", "]"}
TRAILING = DASHES | {",", ";", ".", "of", "and", "in", "for", "&"}
_AGE = re.compile(r"^\d+(\.\d+)?[- ]?(year|month|week|day)s?[- ]old$|-old$", re.IGNORECASE)
_YEAR_BEFORE = {"the", "in", "since", "of", "by", "until", "from", "its", "their", "'s"}


class EntityConventions:
    """Pipeline component: the scheme's entity conventions applied to `doc.ents`."""

    def __init__(self, nlp: Language, name: str, actors_key: str, gold_key: str) -> None:
        self.name = name
        self.actors_key = actors_key
        self.gold_key = gold_key

    def __call__(self, doc: Doc) -> Doc:
        gold = [Cand(s.start, s.end, s.label_, "gold") for s in doc.spans.get(self.gold_key, [])]
        actors = [
            Cand(s.start, s.end, s.label_, "actor") for s in doc.spans.get(self.actors_key, [])
        ]
        model: list[Cand] = []
        for ent in doc.ents:
            if ent.ent_id_ == GOLD_ID:
                gold.append(Cand(ent.start, ent.end, ent.label_, "gold"))
            else:
                model.extend(normalise(doc, ent.start, ent.end, ent.label_))
        words = [t.text for t in doc]
        lowercase = {w for w in words if w.islower()}
        model = [c for c in model if not capitalised_common_word(doc, c, lowercase)]
        model += find_headed_names(doc, model, lowercase, words)
        cands = merge(doc, _longest_first(gold), _longest_first(actors), model)
        cands = join_demonym_and_institution(doc, cands)
        cands = add_bracketed_acronyms(doc, cands)
        cands = add_datelines(doc, cands, words)
        cands = make_consistent(doc, cands, words, lowercase)
        doc.ents = [
            Span(doc, c.start, c.end, label=c.label, span_id=GOLD_ID if c.source == "gold" else 0)
            for c in cands
        ]
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)


@Language.factory(
    "workbench_entities", default_config={"actors_key": ACTORS_KEY, "gold_key": GOLD_KEY}
)
def make_entity_conventions(
    nlp: Language, name: str, actors_key: str, gold_key: str
) -> EntityConventions:
    """Build the entity conventions component."""
    return EntityConventions(nlp, name, actors_key, gold_key)


def _longest_first(cands: list[Cand]) -> list[Cand]:
    """Non-overlapping candidates, longer ones winning (spaCy's filter_spans rule)."""
    out: list[Cand] = []
    taken: set[int] = set()
    for c in sorted(cands, key=lambda c: (c.start - c.end, c.start)):
        if not taken.intersection(range(c.start, c.end)):
            out.append(c)
            taken.update(range(c.start, c.end))
    return sorted(out, key=lambda c: c.start)


def _cap(text: str) -> bool:
    return text[:1].isupper()


def _has_name_word(doc: Doc, start: int, end: int) -> bool:
    return any(_cap(t.text) or t.like_num for t in doc[start:end])


# Boundaries and labels of one model entity -----------------------------------------


def normalise(doc: Doc, start: int, end: int, label: str) -> list[Cand]:
    """The model's entity with the scheme's boundaries and label: zero, one or more spans."""
    out: list[Cand] = []
    # A name never runs across a blank line (a headline into the next paragraph).
    for i in range(start + 1, end - 1):
        if doc[i].is_space and doc[i].text.count("\n") > 1:
            return normalise(doc, start, i, label) + normalise(doc, i + 1, end, label)
    # A possessor inside the span is its own name: "China's Earthquake Network Center".
    for i in range(start + 1, end - 1):
        if doc[i].text in POSSESSIVES and doc[i].text not in ("'", "\u2019"):
            out += [c for c in normalise(doc, start, i, "GPE") if c.label != DATE]
            start = i + 1
            break
    start, end = _strip_outside(doc, start, end, label)
    if start >= end:
        return out
    # A bracketed acronym inside the span: "Earthquake Network Center (CEIC".
    for i in range(start + 1, end):
        if doc[i].text == "(":
            inner = [t for t in doc[i + 1 : end] if t.text != ")"]
            if len(inner) == 1 and ACRONYM.match(inner[0].text):
                out.append(Cand(inner[0].i, inner[0].i + 1, label, "model"))
            start, end = _strip_outside(doc, start, i, label)
            break
    if label == DATE:
        span = _date(doc, start, end)
        return out + ([Cand(*span, DATE, "model")] if span else [])
    if not any(_cap(t.text) for t in doc[start:end]):
        return out  # a lowercase descriptor is no name ("the defence ministry")
    return out + _name(doc, start, end, label)


def _strip_outside(doc: Doc, start: int, end: int, label: str) -> tuple[int, int]:
    """Drop leading articles, quotes, lowercase descriptors; trailing possessives and particles."""
    while start < end:
        t = doc[start]
        lowered = label != DATE and t.is_alpha and t.text.islower()
        outside = t.lower_ == "the" or t.text in QUOTES or t.text in POSSESSIVES or t.is_space
        outside = outside or (t.text in ("By", "BY") and label == "PERSON")  # a byline
        if outside or (lowered and t.lower_ not in lex.NAME_PARTICLES and end - start > 1):
            start += 1
        elif t.text.endswith("-") and len(t.text) > 1 or (t.text == "-" and start + 1 < end):
            start += 1  # "anti-": the name after the hyphen is its own span
        else:
            break
    while end > start:
        t = doc[end - 1]
        if t.text in POSSESSIVES or t.text in QUOTES or t.is_space or t.text in TRAILING:
            end -= 1
        elif label != DATE and end - start > 1 and doc[end - 2].text == "-" and t.is_lower:
            end -= 2  # "Saudi-led": the hyphenated modifier stays out
        else:
            break
    return start, end


def _date(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """A DATE cut to the scheme: no ages, no times of day, not past a dash."""
    text = doc[start:end].text
    if _AGE.search(text) or (end < len(doc) and doc[end].lower_ in ("old",)):
        return None
    before = doc[start - 1].lower_ if start else ""
    counted = end < len(doc) and doc[end].tag_ == "NNS" and before not in _YEAR_BEFORE
    if end - start == 1 and doc[start].like_num and counted:
        return None  # "rounded up 2000 persons": a count, not a year ("the 2008 elections")
    if any(t.lower_ in lex.TIMES_OF_DAY for t in doc[start:end]):
        return None
    if end < len(doc) and doc[end].lower_ in lex.TIMES_OF_DAY:
        return None  # "Friday night": the weekday inside a time of day
    for i in range(start + 1, end):
        after = doc[i + 1] if i + 1 < end else None
        if doc[i].text in DASHES and (after is None or _ends_date(after)):
            end = i  # "March 3, 2024 - At least": the DATE stops at the dash
            break
    while start < end and doc[start].lower_ in lex.DATE_EMPHASIS:
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].lower_ in ("of", "and")):
        end -= 1
    return (start, end) if start < end else None


def _ends_date(tok: Any) -> bool:
    """Whether a word after a dash is no part of a date ("- At", not "1-7" or "51-day")."""
    word = tok.lower_.rstrip("s")
    return tok.is_alpha and word not in lex.DATE_WORDS and word not in lex.DURATIONS


def _name(doc: Doc, start: int, end: int, label: str) -> list[Cand]:
    """Label and boundary rules for a name from its head word and its neighbours."""
    cue = False
    last = doc[end - 1]
    # Trailing lowercase words: designators mark a place, followers an armed group.
    while end - start > 1 and last.is_alpha and last.text.islower():
        word = last.lower_
        if word in lex.ORG_LOWER_HEADS or word == "ministry":
            label = "ORG"
            break
        if word in lex.GPE_DESIGNATORS or word in lex.DESIGNATOR_TAILS:
            label, cue = "GPE", True
        elif word in lex.LOC_DESIGNATORS:
            label, cue = "LOC", True
        elif word in lex.ARMED_FOLLOWERS:
            label, cue = "ORG", True
        end -= 1
        last = doc[end - 1]
    if not _has_name_word(doc, start, end):
        return []
    head = doc[end - 1].text
    if head in lex.FAC_HEADS:
        label, cue = "FAC", True
    elif head in lex.GPE_HEADS and (
        head != "Council" or doc[end - 2].text in lex.GPE_COUNCIL_WORDS
    ):
        label, cue = ("GPE", True) if end - start > 1 else (label, cue)
    elif head in lex.ORG_HEADS and end - start > 1:
        label, cue = "ORG", True
    # The words after the name.
    nxt = doc[end] if end < len(doc) else None
    if nxt is not None:
        word = nxt.lower_
        if word in ("hospital", "clinic") and nxt.is_lower:
            return [Cand(start, end + 1, "ORG", "model", cue=True)]
        if nxt.is_lower and (word in lex.GPE_DESIGNATORS or word in lex.PLACE_FOLLOWERS_ALL):
            label, cue = "GPE", True
        elif nxt.is_lower and word in lex.LOC_DESIGNATORS:
            label, cue = "LOC", True
        elif word in lex.PRODUCT_FOLLOWERS and label in ("PERSON", "GPE", "ORG", "FAC"):
            label, cue = "PRODUCT", True
        elif nxt.text in lex.TITLE_HEADS and end - start == 1 and doc[start].text in lex.PORTFOLIOS:
            return []  # "Defense Minister X": part of a title
        elif nxt.text in lex.ORG_HEADS and label in ("GPE", "NORP", "ORG", "LOC", "PERSON"):
            stop = end
            while stop < len(doc) and doc[stop].text in lex.ORG_HEADS and stop - end < 3:
                stop += 1
            return [Cand(start, stop, "ORG", "model", cue=True)]
        elif label == "GPE" or label == "LOC":
            stop = _designated_tail(doc, end)
            if stop:
                return [Cand(start, stop, "GPE", "model", cue=True)]
    if not cue and label in ("PERSON", "ORG", "FAC", "NORP", "LOC", "GPE"):
        guessed = _label_from_before(doc, start, end, label)
        if guessed:
            label, cue = guessed, True
    if label == "PERSON":  # "Hon Yusuf| Alasan Kanoma": a first name the model left out
        while start > 0 and doc[start - 1].is_alpha and _cap(doc[start - 1].text):
            prev = doc[start - 1]
            if prev.lower_ in lex.TITLES or prev.is_stop or prev.is_sent_start or prev.ent_type_:
                break
            start -= 1
    return [Cand(start, end, label, "model", cue=cue)]


def _designated_tail(doc: Doc, end: int) -> int:
    """The end of "Garze| Tibetan Autonomous Prefecture": capitalised words ending in a
    place designator, or 0."""
    for stop in range(end + 1, min(end + 5, len(doc) + 1)):
        word = doc[stop - 1].text
        if not _cap(word):
            return 0
        if word in lex.GPE_HEADS and word != "Council":
            return stop
    return 0


def _label_from_before(doc: Doc, start: int, end: int, label: str) -> str | None:
    """A label read from the words before a name: "villages of A, B and C", "in X"."""
    i = start - 1
    # Walk back over a coordination of names: "Bandirna, Hullar and |Kuleed".
    while i >= 1 and (doc[i].text in (",", "and") or (_cap(doc[i].text) and i < start - 1)):
        i -= 1
    prev = doc[i] if i >= 0 else None
    if prev is None:
        return None
    before = doc[i - 1].lower_ if i >= 1 else ""
    if prev.lower_ == "of" and (before in lex.PLACE_NOUNS_OF or before in lex.DIRECTIONS):
        return "GPE"
    if prev.lower_ in lex.TITLES and label != "PERSON" and end - start > 1:
        return "PERSON"
    locative = i == start - 1 and prev.lower_ in lex.LOCATIVES
    words = {t.text for t in doc[start:end]}
    headed = words & (lex.ORG_HEADS | lex.FAC_HEADS) or doc[start:end].text.isupper()
    one_word_person = label == "PERSON" and end - start == 1  # "from John Smith" stays
    if locative and (label in ("ORG", "GPE") or one_word_person) and not headed:
        return "GPE"
    return None


# Rulers and the model together ---------------------------------------------------


def merge(doc: Doc, gold: list[Cand], actors: list[Cand], model: list[Cand]) -> list[Cand]:
    """Gold over actor patterns over the model, without cutting a longer model name.

    A ruler's span inside a longer model entity wins only where the rest of that
    entity holds no name word (capitalised or a number): "Taliban" inside "Taliban
    militants" wins, "June" inside "June 12, 2023" does not.
    """
    accepted: list[Cand] = []
    taken: set[int] = set()
    for group in (gold, actors):
        for c in group:
            if taken.intersection(range(c.start, c.end)):
                continue
            if any(_cuts(doc, c, m, group) for m in model):
                continue
            accepted.append(c)
            taken.update(range(c.start, c.end))
    for m in model:
        if not taken.intersection(range(m.start, m.end)):
            accepted.append(m)
            taken.update(range(m.start, m.end))
    return sorted(accepted, key=lambda c: c.start)


def _cuts(doc: Doc, c: Cand, m: Cand, group: list[Cand]) -> bool:
    """Whether ruler span `c` would cut model span `m` (with `group`'s other spans)."""
    if not (m.start <= c.start and c.end <= m.end) or (m.start, m.end) == (c.start, c.end):
        return False
    covered = {i for o in group for i in range(o.start, o.end) if m.start <= o.start < m.end}
    rest = [i for i in range(m.start, m.end) if i not in covered]
    return any(_cap(doc[i].text) or doc[i].like_num for i in rest)


# The tokenizer ----------------------------------------

_INFIX = r"(?<=[A-Z]\.)[-\u2013](?=[a-z])"  # "U.S.-led" -> "U.S." "-" "led"
_SUFFIX = r"(?<=\w)`[sS]$"  # "China`s" -> "China" "`s", as "China's" already is


def split_name_affixes(nlp: Language) -> None:
    """Let the tokenizer split a name from a hyphenated modifier or a backtick possessive,
    so each can be its own span (idempotent; saved with the pipeline's tokenizer)."""
    import spacy.util

    tokenizer: Any = nlp.tokenizer
    infix = getattr(tokenizer.infix_finditer, "__self__", None)
    if infix is not None and _INFIX not in infix.pattern:
        tokenizer.infix_finditer = spacy.util.compile_infix_regex([infix.pattern, _INFIX]).finditer
    suffix = getattr(tokenizer.suffix_search, "__self__", None)
    if suffix is not None and _SUFFIX not in suffix.pattern:
        tokenizer.suffix_search = re.compile(f"{suffix.pattern}|{_SUFFIX}").search
