"""Tokens and the token-cursor selection: what a boundary move or the cursor steps over.

Pure Python (no Textual, no spaCy): the annotator's session and the display share it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|\w+|[^\w\s]")


@dataclass(frozen=True)
class Selection:
    """A token-cursor selection [start, end) in select mode."""

    start: int
    end: int


@dataclass(frozen=True)
class Tokens:
    """Token start and end offsets of a text, for stepping one token at a time."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Tokens:
        """The tokens of `text`: numbers (with separators), words, single punctuation."""
        found = [(m.start(), m.end()) for m in TOKEN_RE.finditer(text)]
        return cls(tuple(a for a, _ in found), tuple(b for _, b in found))

    def __len__(self) -> int:
        return len(self.starts)

    def index_at(self, offset: int) -> int:
        """The token holding `offset`, else the next one (clamped)."""
        if not self.starts:
            return 0
        i = bisect.bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.ends[i]:
            return i
        return min(i + 1, len(self.starts) - 1)

    def start_before(self, offset: int) -> int | None:
        """The last token start before `offset`, if any."""
        i = bisect.bisect_left(self.starts, offset) - 1
        return self.starts[i] if i >= 0 else None

    def start_after(self, offset: int) -> int | None:
        """The first token start after `offset`, if any."""
        i = bisect.bisect_right(self.starts, offset)
        return self.starts[i] if i < len(self.starts) else None

    def end_before(self, offset: int) -> int | None:
        """The last token end before `offset`, if any."""
        i = bisect.bisect_left(self.ends, offset) - 1
        return self.ends[i] if i >= 0 else None

    def end_after(self, offset: int) -> int | None:
        """The first token end after `offset`, if any."""
        i = bisect.bisect_right(self.ends, offset)
        return self.ends[i] if i < len(self.ends) else None
