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

    config: Any  # the host's Config

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

    # ---- editing a span's bounds and label: the same in both sessions ------------------

    def nudged(self, span: Any, edge: str, direction: int) -> tuple[int, int, dict[str, Any]]:
        """`span` (a model Span) with its start or end one token earlier (-1) or later
        (+1): the new bounds and the attributes its new text implies."""
        start, end = span.start, span.end
        t = self.tokens
        if edge == "start":
            new = t.start_before(start) if direction < 0 else t.start_after(start)
            start = start if new is None else new
        else:
            new = t.end_before(end) if direction < 0 else t.end_after(end)
            end = end if new is None else new
        if not start < end or (start, end) == (span.start, span.end):
            raise ActionRefused("the span cannot shrink or grow further that way")
        attrs = span.attrs
        if span.is_casualty:
            attrs = recount_attrs(self.text[start:end], attrs)
        return start, end, attrs

    def _attrs_for(self, label: str, start: int, end: int, old: dict[str, Any]) -> dict[str, Any]:
        """The attributes a span of `label` over [start, end) gets: a casualty label's
        count read from the words, none for another label."""
        spec = self.config.labels.get(label)
        if spec is None or not spec.is_casualty:
            return {k: v for k, v in old.items() if k not in ("value", "qualifier")}
        return {**old, **recount_attrs(self.text[start:end], old)}


def recount_attrs(text: str, old: dict[str, Any] | None = None) -> dict[str, Any]:
    """Value and qualifier read from the span's text by the suggester's normaliser."""
    found = normalise_count(" ".join(text.split()))
    if found is not None:
        return count_attrs(*found)
    if old and ("value" in old or "qualifier" in old):
        return dict(old)
    return count_attrs(None, None)
