"""One name, one label in a document: the document-level pass of `workbench_entities`.

Every mention of a name votes for a label: what annotators confirmed (the gold ruler)
outweighs the curated news-actor patterns, which outweigh a label read from the
name's context ("the village of X", "X rockets"), which outweighs the model's label.
The winner is applied to every model mention of the name, the name's unlabelled
mentions get it too, and a person's surname alone is that person. Spans the gold
ruler or the patterns gave keep their label: an annotator's decision is never
overridden.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from spacy.tokens import Doc

from .entity_lexicon import NAME_PARTICLES, TITLES

WEIGHTS = {"gold": 100, "actor": 20}
CUE_WEIGHT, MODEL_WEIGHT = 3, 1
# Labels a name may carry document-wide; DATE mentions ("Saturday") are left alone.
NAME_LABELS = {"PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "PRODUCT"}


@dataclass(frozen=True)
class Cand:
    """A candidate entity: token offsets, label, where it came from, whether the label
    was read from the name's context (a stronger vote than the model's)."""

    start: int
    end: int
    label: str
    source: str  # "gold", "actor" or "model"
    cue: bool = False


def _key(words: list[str], c: Cand) -> tuple[str, ...]:
    return tuple(w.lower() for w in words[c.start : c.end])


def _weight(c: Cand) -> int:
    return WEIGHTS.get(c.source, CUE_WEIGHT if c.cue else MODEL_WEIGHT)


def make_consistent(
    doc: Doc, cands: list[Cand], words: list[str], lowercase: set[str]
) -> list[Cand]:
    """The candidates with one label per name, plus the name's unlabelled mentions."""
    votes: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for c in cands:
        if c.label in NAME_LABELS:
            votes[_key(words, c)][c.label] += _weight(c)
        if c.label == "PERSON" and c.end - c.start > 1:
            surname = doc[c.end - 1]
            if surname.text[:1].isupper() and surname.lower_ not in NAME_PARTICLES:
                votes[(surname.lower_,)]["PERSON"] += CUE_WEIGHT
    best = {key: counter.most_common(1)[0][0] for key, counter in votes.items()}
    out = []
    for c in cands:
        label = best.get(_key(words, c), c.label)
        if c.source == "model" and c.label in NAME_LABELS and label != c.label:
            c = replace(c, label=label)
        out.append(c)
    found = _unlabelled_mentions(doc, out, best, words, lowercase)
    return sorted(out + found, key=lambda c: c.start)


def _unlabelled_mentions(
    doc: Doc,
    cands: list[Cand],
    best: dict[tuple[str, ...], str],
    words: list[str],
    lowercase: set[str],
) -> list[Cand]:
    """Mentions of a labelled name (or a person's surname) that no candidate covers."""
    forms: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for c in cands:
        if c.label in NAME_LABELS:
            forms[words[c.start]].add(tuple(words[c.start : c.end]))
        if c.label == "PERSON" and c.end - c.start > 1:
            forms[words[c.end - 1]].add((words[c.end - 1],))
    taken = {i for c in cands for i in range(c.start, c.end)}
    found = []
    for i, word in enumerate(words):
        if i in taken or word not in forms or not word[:1].isupper():
            continue
        for form in sorted(forms[word], key=len, reverse=True):
            end = i + len(form)
            if tuple(words[i:end]) != form or taken.intersection(range(i, end)):
                continue
            if not _standalone(doc, i, end, lowercase):
                continue
            label = best.get(tuple(w.lower() for w in form))
            if label in NAME_LABELS:
                found.append(Cand(i, end, label, "model"))
                taken.update(range(i, end))
            break
    return found


def _standalone(doc: Doc, start: int, end: int, lowercase: set[str]) -> bool:
    """Whether tokens [start, end) are a name of their own, not part of a longer one or
    a common word capitalised at the start of a sentence."""
    if end - start == 1:
        tok = doc[start]
        if tok.is_stop or len(tok.text) < 3 or tok.lower_ in lowercase:
            return False
    prev = doc[start - 1] if start else None
    nxt = doc[end] if end < len(doc) else None
    after_name = prev is not None and prev.is_alpha and prev.text[:1].isupper()
    if after_name and prev is not None and prev.lower_ not in TITLES and not prev.is_sent_start:
        return False
    return not (nxt is not None and nxt.is_alpha and nxt.text[:1].isupper())
