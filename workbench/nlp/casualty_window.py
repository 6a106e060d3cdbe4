"""Casualty labels from the words next to a count: the token window.

The labels of the blank pipeline (no parse), the checks every pipeline makes first
("killed 18", "40 wounded", "35 in critical condition"), and the fallback where the
parser ran a headline into the text.
"""

from __future__ import annotations

from spacy.tokens import Doc

from .casualty_labels import (
    BLOCKERS,
    CONDITIONS,
    INJURE_PREDICATES,
    KILL_PREDICATES,
    NON_PERSON,
    WINDOW_BREAKS,
    word_label,
)
from .casualty_numbers import is_number_token

# Verbs whose object is not a casualty count: "displaced 40,000 people".
_OBJECT_BLOCKERS = BLOCKERS | {"forced", "affected"}
# Trigger words that label a count they directly follow ("40 wounded", "11 dead").
_FOLLOWING = {"killed", "dead", "died", "wounded", "injured", "hurt", "slain"}


# Nouns of a group of people counted as one: "seven members of one family" counts the
# members, not the family ("one family" is no count of people).
COLLECTIVES = {
    "family", "families", "household", "households", "clan", "clans", "tribe", "tribes",
    "community", "communities", "generation", "generations",
}  # fmt: skip


def counts_a_collective(doc: Doc, start: int, end: int) -> bool:
    """The number at [start, end) counts groups, not people: "one family", "two households",
    "three extended families"."""
    after = [t for t in doc[end : min(end + 2, len(doc))] if not t.is_space]
    if not after:
        return False
    if after[0].lower_ in COLLECTIVES:
        return True
    return len(after) > 1 and after[0].pos_ in ("ADJ", "") and after[1].lower_ in COLLECTIVES


def _with_injuries(doc: Doc, end: int) -> bool:
    """ "rescued 11 people with minor injuries" (token window)."""
    after = [t.lower_ for t in doc[end : end + 5]]
    return "with" in after and bool({"injuries", "injury", "wounds", "burns"} & set(after))


def condition_after(doc: Doc, end: int) -> bool:
    """ "... and 35 in critical condition": the count is of people in hospital."""
    words = [t.lower_ for t in doc[end : end + 5] if t.lower_ not in ("a", "an", "were", "are")]
    if words[:1] != ["in"] or len(words) < 3:
        return False
    return (words[1] in CONDITIONS and words[2].startswith("condition")) or words[1:3] == [
        "intensive",
        "care",
    ]


def _counts_things(doc: Doc, end: int) -> bool:
    """The words right after a count name no people ("four explosions", "12 suicide
    bombers"); the look stops at a clause break ("146,000 as the fourth year begins")."""
    for tok in doc[end : min(end + 3, len(doc))]:
        if tok.lower_ in WINDOW_BREAKS or tok.is_punct or word_label(tok):
            return False
        if tok.lower_ in NON_PERSON:
            return True
    return False


def adjacent_label(doc: Doc, start: int, end: int) -> str | None:
    """ "killed 18", "wound 91": a trigger verb right before the count decides its label."""
    if start == 0 or _counts_things(doc, end):
        return None
    prev = doc[start - 1]
    if prev.lower_ in KILL_PREDICATES - {"dead"} or prev.lower_ in INJURE_PREDICATES:
        return word_label(prev)
    return None


def following_label(doc: Doc, end: int) -> str | None:
    """ "40 wounded", "11 dead": a trigger word right after the count."""
    if end < len(doc) and doc[end].lower_ in _FOLLOWING:
        return word_label(doc[end])
    return None


def _among(doc: Doc, end: int, k: int) -> bool:
    """ "... were among those who ...", "... among the people that ...": right before `k`."""
    words = [t.lower_ for t in doc[max(end, k - 3) : k]]
    return "among" in words and words[-1] in ("those", "people", "others", "victims", "ones")


def window_label(
    doc: Doc, start: int, end: int, right: int = 6, left: int = 4, *, line: bool = False
) -> str | None:
    """Label from nearby words when there is no parse (with `line`, only on the count's
    own line: the fallback where the parser ran a headline into the text)."""
    hard_stop = len(doc)
    if line:
        breaks = [t.i for t in doc[max(0, start - left) : end + 20] if "\n" in t.text]
        before = [i for i in breaks if i < start]
        after = [i for i in breaks if i >= end]
        left = min(left, start - before[-1] - 1) if before else left
        hard_stop = after[0] if after else hard_stop
    if _counts_things(doc, end):
        return None
    prev = doc[start - 1] if start > 0 else None
    if prev is not None and word_label(prev) and prev.lower_ not in ("dead", "life", "lives"):
        return word_label(prev)  # "killed 18", "killing nearly 3,000"
    blocker = prev is not None and prev.lower_ in _OBJECT_BLOCKERS
    if blocker and not _with_injuries(doc, end):
        return None  # "displaced 40,000 people and killed 12": the object of another verb
    k = end
    stop = min(end + right, hard_stop)
    while k < stop:
        tok = doc[k]
        if tok.lower_ == "," and k > end:
            # "Over 40 people, most of them farmers, were killed": skip the aside.
            close = next(
                (j for j in range(k + 1, min(k + 13, len(doc))) if doc[j].text == ","), None
            )
            if close is None:
                break
            k, stop = close + 1, min(close + 1 + 4, hard_stop)
            continue
        if tok.lower_ in ("who", "that") and _among(doc, end, k):
            k += 1  # "two policemen were among those who drowned": the group's predicate
            continue
        if tok.lower_ in WINDOW_BREAKS or (is_number_token(tok) and k > end):
            if not (is_number_token(tok) and counts_a_collective(doc, k, k + 1)):
                break
            stop = min(stop + 3, hard_stop)  # "of one extended family": look past the group
        if word_label(tok):
            return word_label(tok)
        k += 1
    for k in range(start - 1, max(start - left, 0) - 1, -1):
        tok = doc[k]
        if tok.lower_ in WINDOW_BREAKS or tok.lower_ in ("and", ",") or is_number_token(tok):
            break
        if word_label(tok) and tok.lower_ != "dead":
            return word_label(tok)
    return None
