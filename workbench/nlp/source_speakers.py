"""Who a reporting construction names: the speaker of a reporting verb, the X of
"according to X", and for a pronoun the nearest naming mention before it.

Used by the source component (`sources.py`); answers are token bounds [start, end) of
the source mention, None where the construction reports but names nobody ("it was
reported that"), or False where it is no reporting construction (look further).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from .source_mentions import (
    FIGURE_NOUNS,
    PERSON_PRONOUNS,
    is_person,
    is_pronoun,
    mention_bounds,
    owner,
)

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
SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
RELATIVES = {"who", "which", "that"}


@dataclass(frozen=True)
class Mention:
    """A naming mention of a source: token bounds and its reporting word's index."""

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


def speaker(verb: Token, namings: Namings):
    """Who a reporting verb names as speaking: its subject, the agent of a passive, the
    object of "quoted X as saying", the subject of the verb an infinitive hangs on."""
    lemma = verb.lemma_.lower()
    # Innermost speaker: "X reported, citing local officials"; "quoted a health official as saying"
    for child in verb.children:
        if child.dep_ in ("advcl", "xcomp") and child.lemma_ in ("cite", "quote"):
            obj = first(child, ("dobj",))
            if obj is not None:
                return name_of(obj, namings)
    if lemma in ("quote", "cite"):
        obj = first(verb, ("dobj", "nsubjpass"))  # "quoted X as saying", "X was quoted by Y"
        if obj is not None:
            return name_of(obj, namings)
    by = agent(verb)
    if by is not None:
        return name_of(by, namings)
    subj = subject(verb)
    passive = subj is not None and subj.dep_ == "nsubjpass"
    if subj is not None and passive and lemma not in ("quote", "cite"):
        return None if subj.lower_ == "it" else False  # "it was reported that": nobody
    if subj is not None and subj.lower_ in ("we", "i"):
        return False  # "'We counted 27 bodies,' the official said": the quote's speaker
    if subj is not None and subj.lower_ in RELATIVES and verb.dep_ == "relcl":
        bounds = mention_bounds(verb.head, without=verb)  # "a doctor who said ...": the doctor
        return None if bounds is None else bounds
    if subj is not None:
        if subj.lower_ in FIGURE_NOUNS or subj.lemma_ in FIGURE_NOUNS:
            held = owner(subj)
            return None if held is None else name_of(held, namings)
        return name_of(subj, namings)
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        shared = subject(verb.head)  # "X put the toll at 42 and said ...": X
        if shared is not None and shared.dep_ == "nsubj":
            return name_of(shared, namings)
    # "declined to say that ...", "went on to say": the subject of the verb it hangs on
    if verb.tag_ in ("VB", "VBG") and verb.dep_ != "ROOT":
        up = verb.head
        for _ in range(6):
            quoted = first(up, ("dobj", "nsubjpass")) if up.lemma_ in ("quote", "cite") else None
            if quoted is not None:  # "quoted a police official as saying"
                return name_of(quoted, namings)
            subj = subject(up) if up.pos_ in ("VERB", "AUX") else None
            if subj is not None:
                return None if subj.dep_ == "nsubjpass" else name_of(subj, namings)
            if up.head.i == up.i:
                break
            up = up.head
    return False


def subject(verb: Token) -> Token | None:
    """The subject nearest the verb ("KHARTOUM - The head ... said": the head)."""
    subjects = [c for c in verb.children if c.dep_ in SUBJECTS]
    subjects = [c for c in subjects if not hard_break(verb.doc, c.i, verb.i)]
    return min(subjects, key=lambda c: abs(c.i - verb.i)) if subjects else None


def according_to(tok: Token, namings: Namings):
    """The source of an "according to X" phrase at `tok`, else None."""
    if tok.lower_ != "according":
        return None
    for to in tok.children:
        if to.lower_ == "to":
            obj = first(to, ("pobj",))
            if obj is not None:
                if obj.lower_ in FIGURE_NOUNS or obj.lemma_ in FIGURE_NOUNS:
                    held = owner(obj)
                    return None if held is None else name_of(held, namings)
                return name_of(obj, namings)
    return None


def agent(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            return first(child, ("pobj",))
    return None


def first(tok: Token, deps: Iterable[str]) -> Token | None:
    deps = set(deps)
    for child in tok.children:
        if child.dep_ in deps:
            return child
    return None


# ---- naming mentions and pronouns ---------------------------------------------------------


def name_of(head: Token, namings: Namings) -> tuple[int, int] | None:
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
            head = first(tok, ("nsubj",)) or agent(tok)
        elif tok.lower_ == "according":
            to = first(tok, ("prep",))
            head = first(to, ("pobj",)) if to is not None else None
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
