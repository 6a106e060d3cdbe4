"""What the gold ruler may learn from annotators' confirmed entities (no spaCy).

The gold ruler suggests in later documents the entity texts annotators confirmed.
A mistaken or context-bound confirmation must not come back everywhere: patterns
that the scheme excludes are never learnt, and the `workbench_entities` component
keeps a ruler's span from cutting a longer entity the model found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
