"""What the annotator's and the reviewer's sessions share, without Textual or a store:
the refusal of an action that does not apply, and the token cursor of add mode."""

from __future__ import annotations

from typing import Any

from .casualties import normalise_count
from .model import count_attrs
from .tokens import Selection, Tokens


class ActionRefused(Exception):
    """The action does not apply here (no span focused, a bound at the text's edge...)."""


class Selecting:
    """The token cursor: `v` starts a selection at the focused span, the cursor keys
    move or extend it, and the host makes it a span. The host provides `text`,
    `tokens`, `focus` (anything with a `.span`) and `_editable()` (which refuses)."""

    anchor: int | None = None  # token index where the selection began
    cursor: int = 0  # token index of the token cursor

    @property
    def text(self) -> str:
        raise NotImplementedError

    @property
    def tokens(self) -> Tokens:
        raise NotImplementedError

    @property
    def focus(self) -> Any:
        raise NotImplementedError

    def _editable(self) -> object:
        raise NotImplementedError

    @property
    def selecting(self) -> bool:
        return self.anchor is not None

    @property
    def selection(self) -> Selection | None:
        if self.anchor is None or not len(self.tokens):
            return None
        lo, hi = sorted((self.anchor, self.cursor))
        return Selection(self.tokens.starts[lo], self.tokens.ends[hi])

    def select_begin(self) -> None:
        self._editable()
        if not len(self.tokens):
            raise ActionRefused("the document has no words")
        at = self.focus.span.start if self.focus else 0
        self.cursor = self.tokens.index_at(at)
        self.anchor = self.cursor

    def select_move(self, delta: int, *, extend: bool = False) -> None:
        self.cursor = max(0, min(len(self.tokens) - 1, self.cursor + delta))
        if not extend:
            self.anchor = self.cursor

    def select_line(self, direction: int, width: int, *, extend: bool = False) -> None:
        """Move the token cursor about one screen line (width characters) up or down."""
        here = self.tokens.starts[self.cursor]
        target = max(0, min(len(self.text), here + direction * max(8, width)))
        self.select_move(self.tokens.index_at(target) - self.cursor, extend=extend)

    def select_cancel(self) -> None:
        self.anchor = None


def recount_attrs(text: str, old: dict[str, Any] | None = None) -> dict[str, Any]:
    """Value and qualifier read from the span's text by the suggester's normaliser."""
    found = normalise_count(" ".join(text.split()))
    if found is not None:
        return count_attrs(*found)
    if old and ("value" in old or "qualifier" in old):
        return dict(old)
    return count_attrs(None, None)
