"""Casualty rules that read the text around a count, not the word that governs it.

Filters (a count of the missing, of the ill, a year-on-year difference, a negated or
mixed group) and the second pass over a document's counts: a subset, a list item, an
elliptical or comparison figure takes the label of the labelled count it goes with.
"""

from __future__ import annotations

from spacy.tokens import Doc

from .casualty_labels import (
    BLOCKERS,
    CHANGE_NOUNS,
    ILLNESS,
    WINDOW_BREAKS,
    word_label,
)

_INJURY_WORDS = {"injuries", "injury", "wounds", "burns", "wounded", "injured"}


def illness(doc: Doc, start: int, end: int) -> bool:
    """The counted people are ill, not injured: "hospitalised with dengue", "cholera
    patients", "admitted with fever - 16 in the capital". An injury word between the
    count and the disease keeps it a count of the injured."""
    for tok in doc[end : min(len(doc), end + 12)]:
        if tok.lower_ in WINDOW_BREAKS or tok.lower_ in ("and", ";") or tok.lower_ in _INJURY_WORDS:
            break
        if tok.lower_ in ILLNESS:
            return True
    for k in range(start - 1, max(0, start - 15) - 1, -1):
        tok = doc[k]
        if tok.lower_ in (".", ";", "!", "?") or word_label(tok) == "INJURED":
            return False
        if tok.lower_ in ILLNESS:
            return True
    return False


def is_mixed(doc: Doc, start: int, end: int) -> bool:
    """ "the dead and wounded", "dead or missing": mixed groups get no span (scheme)."""
    for k in range(end, min(end + 4, len(doc) - 2)):
        first = word_label(doc[k])
        if first and doc[k + 1].lower_ in ("and", "or", "/"):
            other = doc[k + 2]
            second = word_label(other)
            if other.lower_ in ("missing", "unaccounted") or (second and second != first):
                return True
        if first:
            break
    return False


def blocked(doc: Doc, start: int, end: int) -> bool:
    """ "5 were missing", "30 people were arrested": a non-casualty predicate comes first.

    Bodies are dead whatever else the phrase says ("the bodies of three miners trapped
    underground"), and "rescued with minor injuries" is hurt.
    """
    before = [t.lower_ for t in doc[max(0, start - 5) : start]]
    if "of" in before and {"bodies", "body", "corpses", "remains"} & set(before):
        return False
    for k, tok in enumerate(doc[end : end + 4]):
        if word_label(tok) or tok.is_punct:
            return False
        if tok.lower_ in BLOCKERS:
            after = [t.lower_ for t in doc[end + k + 1 : end + k + 5]]
            return not ("with" in after and {"injuries", "injury", "wounds"} & set(after))
    return False


def searched_for(doc: Doc, start: int) -> bool:
    """ "searching for 20 people": people searched for are missing, not a casualty count."""
    before = [t.lower_ for t in doc[max(0, start - 4) : start]]
    return "for" in before and any(
        w.startswith(("search", "look", "hunt")) or w in ("seeking", "sought") for w in before
    )


def difference(doc: Doc, start: int, end: int) -> bool:
    """A year-on-year difference is no count of people: "31 more than last year", "up 24
    from 2019"; a running toll's rise ("up 12 since Friday") is a count."""
    after = [t.lower_ for t in doc[end : end + 4]]
    if after[:2] in (["more", "than"], ["fewer", "than"], ["less", "than"]):
        return True
    if after[:1] in (["more"], ["fewer"], ["less"]) and "than" in after[1:4]:
        return True  # "40 more killings than last year"
    prev = doc[start - 1].lower_ if start else ""
    change = start > 1 and prev == "of" and doc[start - 2].lower_ in CHANGE_NOUNS
    if prev in ("up", "down", "by") or change:
        # A running toll's rise is a count even "from 30 to 42"; other counts compared
        # with an earlier period are differences.
        if any(t.lower_ == "toll" for t in doc[max(0, start - 8) : start]):
            return False
        rest = [w for w in after if w != ","]
        return bool(rest) and rest[0] in ("from", "compared", "than", "against")
    return False


def partitive_whole(doc: Doc, start: int, end: int) -> bool:
    """ "12 of the 20 people on board died": the 20 are everyone, not the dead; it counts
    only with a trigger of its own ("three of the 11 killed")."""
    before = [t.lower_ for t in doc[max(0, start - 3) : start]]
    if before[-2:] != ["of", "the"] and before[-1:] != ["of"]:
        return False
    k = start - (3 if before[-2:] == ["of", "the"] else 2)
    if k < 0 or not (doc[k].like_num or doc[k].lower_ in ("one", "none", "some", "all")):
        return False
    nxt = [t for t in doc[end : end + 2]]
    return not any(word_label(t) for t in nxt)


def negated_group(doc: Doc, start: int) -> bool:
    """ "none of the 30 passengers": the count is negated."""
    before = [t.lower_ for t in doc[max(0, start - 4) : start]]
    return "of" in before and any(w in ("none", "neither") for w in before)


def _same_sentence(doc: Doc, a: int, b: int) -> bool:
    return not any(t.lower_ in (".", ";", "\n") or t.is_space for t in doc[a:b])


def subset_label(doc: Doc, found: list, labels: list, k: int) -> str | None:
    """A count linked by "including" / "of them" to a labelled count takes its label.

    `labels` holds the labels of the counts before k as resolved so far.
    """
    start, end = found[k][0], found[k][1]
    before = {t.lower_ for t in doc[max(0, start - 3) : start]}
    after = [t.lower_ for t in doc[end : end + 3]]
    if before & {"including", "among", "-", "–", "—"} or after[:2] in (
        ["of", "them"],
        ["of", "whom"],
    ):
        for j in range(k - 1, -1, -1):
            prev = found[j]
            if labels[j] and start - prev[1] <= 15 and _same_sentence(doc, prev[1], start):
                return labels[j]
    if "including" in {t.lower_ for t in doc[end : end + 4]}:
        for nxt in found[k + 1 :]:
            if nxt[2] and nxt[0] - end <= 6:
                return nxt[2]
    return None


def list_label(doc: Doc, found: list, labels: list, k: int, subsets: set[int]) -> str | None:
    """ "including 332 fighters from X and 459 from Y": a list goes on from a subset."""
    start = found[k][0]
    if k == 0 or k - 1 not in subsets or start == 0:
        return None
    prev = found[k - 1]
    near = doc[start - 1].lower_ in ("and", ",") and start - prev[1] <= 12
    return labels[k - 1] if near and _same_sentence(doc, prev[1], start) else None


# An elliptical figure opens after one of these ("..., seven in 2020", "while 99 were
# recorded", "followed by X with 81", "31 more than the 819") ...
_ELLIPSIS_BEFORE = {",", "and", "with", "than", "the", "only", "while", "whereas", "from"}
# ... and is followed by no noun of its own.
_ELLIPSIS_AFTER = {
    ",", ".", ";", ":", ")", "in", "on", "from", "at", "with", "during", "for", "were", "was",
    "are", "is", "did", "do", "does", "had", "have", "has", "last", "this", "the", "and",
    "while", "whereas", "compared", "so", "by", "to", "of", "a", "each", "\n",
}  # fmt: skip
# Verbs that only report or count; an elided verb is one of them in effect.
_NEUTRAL_VERBS = {
    "record", "report", "register", "be", "do", "occur", "follow", "total", "stand",
    "confirm", "count", "have", "include", "add", "compare", "reach", "rise", "climb",
    "increase", "fall", "drop", "hit", "take", "bring",
}  # fmt: skip


def elliptical_label(doc: Doc, found: list, labels: list, k: int) -> str | None:
    """A bare figure with an elided verb or noun takes the label of the labelled count
    before it in the sentence: "179 deaths in 2019, seven in 2020 and 105 in 2021"."""
    start, end = found[k][0], found[k][1]
    if start == 0 or doc[start - 1].lower_ not in _ELLIPSIS_BEFORE:
        return None
    after = doc[end].text.lower().strip(" ") if end < len(doc) else "."
    if after not in _ELLIPSIS_AFTER and not doc[end].is_space:
        return None
    if doc.has_annotation("DEP") and not _compared(doc, start):
        governor = _governor(doc[start:end].root)
        if governor is not None and governor.lemma_.lower() not in _NEUTRAL_VERBS:
            return None
    for j in range(k - 1, -1, -1):
        prev = found[j]
        if start - prev[1] > 30 or not _same_sentence(doc, prev[1], start):
            return None
        if labels[j]:
            return labels[j]
    return None


def _compared(doc: Doc, start: int) -> bool:
    """The figure a count is compared with: "down from 1,950", "than the 819", "compared
    with 298"; it goes with the count whatever verb the sentence has."""
    before = [t.lower_ for t in doc[max(0, start - 3) : start]]
    if before[-1:] == ["than"] or before[-2:] == ["than", "the"]:
        return True
    return before[-2:] in (
        ["up", "from"],
        ["down", "from"],
        ["compared", "with"],
        ["compared", "to"],
    )


def _governor(tok):
    """The nearest verb above a token, or None."""
    for _ in range(8):
        if tok.head is tok:
            return None
        tok = tok.head
        if tok.pos_ in ("VERB", "AUX"):
            return tok
    return None
