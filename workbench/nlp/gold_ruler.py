"""What the gold ruler may learn from annotators' confirmed entities (no spaCy).

The gold ruler suggests in later documents the entity texts annotators confirmed.
A mistaken or context-bound confirmation must not come back everywhere: patterns
that the scheme excludes are never learnt, and the `workbench_entities` component
keeps a ruler's span from cutting a longer entity the model found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from . import entity_lexicon as lex
from .entity_lexicon import TIMES_OF_DAY

_AGE = re.compile(r"\d+(\.\d+)?[- ]?(year|month|week|day)s?[- ]old\b|-old$", re.IGNORECASE)
_POSSESSIVE = ("'s", "\u2019s", "`s")


def learnable_patterns(patterns: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (label, text) gold patterns a ruler may suggest: never an age, a time of day
    as DATE, nor a text the scheme's boundaries exclude ("the X", "X's")."""
    out = []
    for label, text in patterns:
        words = text.lower().split()
        if _AGE.search(text) or not words or words[0] == "the" or text.endswith(_POSSESSIVE):
            continue
        if label == "DATE" and any(w in TIMES_OF_DAY for w in words):
            continue
        out.append((label, text))
    return out


# Words that, alone, are names only in their context: one document confirming them
# is not enough ("June" DATE in one article must not tag "June" inside "June 12").
_CALENDAR = {
    "today", "yesterday", "tomorrow", "tonight", "weekend", "spring", "summer", "autumn",
    "fall", "winter", "week", "month", "year", "decade",
}  # fmt: skip
_COMMON = (
    {w.lower() for w in lex.ORG_HEADS | lex.FAC_HEADS | lex.GPE_HEADS | lex.TITLE_HEADS}
    | lex.GPE_DESIGNATORS
    | lex.LOC_DESIGNATORS
    | lex.TITLES
    | lex.ARMED_FOLLOWERS
    | lex.DIRECTIONS
    | lex.DATE_WORDS
    | _CALENDAR
    | {"government", "officials", "authorities", "military", "troops", "security", "national"}
)


def is_common_word(label: str, text: str) -> bool:
    """Whether `text` is a single word that is a name only in context (a DATE word, a
    lowercase or number word, a head noun like "Police", a title)."""
    if " " in text:
        return False
    word = text.lower()
    return (
        label == "DATE"
        or not text[:1].isupper()
        or any(c.isdigit() for c in text)
        or (word in _COMMON)
    )


def learned_patterns(support: Iterable[tuple[str, str, int]]) -> list[tuple[str, str]]:
    """The gold ruler's patterns from (label, text, documents confirming it): the
    learnable ones, a single common word only once two documents confirm it."""
    kept = [
        (label, text) for label, text, n in support if n >= 2 or not is_common_word(label, text)
    ]
    return learnable_patterns(kept)
