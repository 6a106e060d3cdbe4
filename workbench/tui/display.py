"""Untrusted article text -> Textual `Content` with span styles; no widgets.

Article text is never parsed as markup and never reaches the terminal raw: every
control character (C0, DEL, C1, bidirectional overrides, invisible format chars) is
mapped one-for-one to a visible glyph, so character offsets stay valid.

Span states are told apart without colour (NO_COLOR, monochrome terminals):
suggested = underline, accepted = reverse, hand-made = reverse + bold + underline,
rejected = strike; the focused span is wrapped in brackets with its label after it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, chop_cells
from textual.color import Color, ColorParseError
from textual.content import Content, Span

from ..model import (
    ACCEPTED,
    PENDING,
    REJECTED,
    SOURCE_ANNOTATOR,
    SOURCE_GOLD_RULER,
    SOURCE_MODEL,
    AnnotatedSpan,
    link_of,
)
from ..tokens import Selection
from ..visible import visible

# ---- making text safe ----------------------------------------------------------------


def plain(text: str) -> Content:
    """Untrusted text as Content: literal, never markup, controls made visible."""
    return Content(visible(text))


# ---- styles --------------------------------------------------------------------------

FALLBACK_COLOR = "#888888"
SELECTION_STYLE = "bold reverse underline"
FOCUS_MARK_STYLE = "bold"
# The focused figure's source (or, while linking, the figure): told apart without colour.
PARTNER_STYLE = "bold italic overline"
LINK_ARROW = "\u2190"  # ←
OPEN, CLOSE = "\u27e6", "\u27e7"  # ⟦ ⟧


def safe_color(color: str) -> str:
    """A colour from the config, or grey when it does not parse (no style injection)."""
    try:
        return Color.parse(color).hex
    except ColorParseError:
        return FALLBACK_COLOR


@dataclass(frozen=True)
class Palette:
    """Label colours turned into span styles, computed once."""

    colors: dict[str, str]

    @classmethod
    def of(cls, labels: Iterable[tuple[str, str]]) -> Palette:
        return cls({name: safe_color(color) for name, color in labels})

    def color(self, label: str) -> str:
        return self.colors.get(label, FALLBACK_COLOR)

    def span_style(self, label: str, status: str, origin: str) -> str:
        color = self.color(label)
        if status == REJECTED:
            return f"strike {color} 60%"
        if status == ACCEPTED and origin == SOURCE_ANNOTATOR:
            return f"bold underline reverse {color}"
        if status == ACCEPTED:
            return f"reverse {color}"
        return f"underline {color}"

    def tag_style(self, label: str) -> str:
        return f"bold {self.color(label)}"


# ---- blocks: the text split so a keystroke re-renders only a little of it -------------

LONG_LINE_CHARS = 4000


def split_lines(text: str, longest: int = LONG_LINE_CHARS) -> list[tuple[int, int]]:
    """Ranges [start, end) of the text's lines, without their newline.

    A line longer than `longest` is cut at a space (the space starts the next
    range, so no character is lost), which shows as an extra line break: rare, and
    it keeps re-wrapping one line cheap on one-line documents.
    """
    out: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while True:
        newline = text.find("\n", start)
        end = n if newline == -1 else newline
        while end - start > longest:
            cut = text.rfind(" ", start + 1, start + longest)
            cut = cut if cut > start else start + longest
            out.append((start, cut))
            start = cut
        out.append((start, end))
        if newline == -1:
            return out
        start = newline + 1


def block_content(
    text: str,
    block: tuple[int, int],
    spans: Sequence[AnnotatedSpan],
    palette: Palette,
    *,
    focus: AnnotatedSpan | None = None,
    selection: Selection | None = None,
    partner: AnnotatedSpan | None = None,
) -> tuple[Content, list[int]]:
    """The Content of one block and the source offsets where marks were inserted.

    `text` is the already `visible()` document text; span offsets are document offsets.
    The brackets around the focused span (or the selection) take the place of the
    space beside it when there is one, so moving the focus rarely changes how the
    text wraps; otherwise they are inserted, and their offsets returned.
    """
    b0, b1 = block
    styled: list[tuple[int, int, str]] = []
    for s in spans:
        start, end = max(s.span.start, b0), min(s.span.end, b1)
        if start < end:
            style = palette.span_style(s.span.label, s.status, s.origin)
            styled.append((start - b0, end - b0, style))
    if partner is not None:  # a style only: the text and its wrapping stay as they are
        start, end = max(partner.span.start, b0), min(partner.span.end, b1)
        if start < end:
            styled.append((start - b0, end - b0, PARTNER_STYLE))
    marked: tuple[int, int, str] | None = None
    if selection is not None:
        marked = (selection.start, selection.end, FOCUS_MARK_STYLE)
        start, end = max(selection.start, b0), min(selection.end, b1)
        if start < end:
            styled.append((start - b0, end - b0, SELECTION_STYLE))
    elif focus is not None:
        marked = (focus.span.start, focus.span.end, palette.tag_style(focus.span.label))
    marks: list[tuple[int, int, str, str]] = []  # (local offset, chars replaced, mark, style)
    if marked is not None:
        start, end, style = marked
        if b0 <= start < b1 or start == b0 == b1:
            if start > b0 and text[start - 1] == " ":
                marks.append((start - 1 - b0, 1, OPEN, style))
            else:
                marks.append((start - b0, 0, OPEN, style))
        if b0 < end <= b1 or (start == end and b0 <= end <= b1):
            if end < b1 and text[end] == " ":
                marks.append((end - b0, 1, CLOSE, style))
            else:
                marks.append((end - b0, 0, CLOSE, style))
    return _assemble(text[b0:b1], b0, styled, marks)


def _assemble(
    chunk: str,
    b0: int,
    styled: list[tuple[int, int, str]],
    marks: list[tuple[int, int, str, str]],
) -> tuple[Content, list[int]]:
    if not marks:
        return Content(chunk, [Span(a, b, style) for a, b, style in styled]), []
    inserted = sorted(offset for offset, replaced, _, _ in marks if not replaced)
    pieces: list[str] = []
    mark_spans: list[Span] = []
    last = 0
    for offset, replaced, mark, style in sorted(marks, key=lambda m: (m[0], m[2] == OPEN)):
        pieces.append(chunk[last:offset])
        at = sum(len(p) for p in pieces)
        pieces.append(mark)
        mark_spans.append(Span(at, at + len(mark), style))
        last = offset + replaced

    pieces.append(chunk[last:])

    def moved(pos: int, is_end: bool) -> int:
        # An end sits before a mark inserted at the same offset; a start after it.
        find = bisect.bisect_left if is_end else bisect.bisect_right
        return pos + find(inserted, pos)

    spans = [Span(moved(a, False), moved(b, True), style) for a, b, style in styled]
    return Content("".join(pieces), spans + mark_spans), [b0 + i for i in inserted]


_WORD = re.compile(r"\s*\S+\s*")
_SPACES = re.compile(r"\s*")
_NON_SPACES = re.compile(r"\S*")


def _run_end(run: re.Pattern[str], text: str, pos: int) -> int:
    """Where the run of `run` (spaces or non-spaces, perhaps empty) from `pos` ends."""
    found = run.match(text, pos)
    assert found is not None  # a starred pattern matches at every position
    return found.end()


# Characters one cell wide (rich.cells agrees): Latin, Greek, Cyrillic, news punctuation.
_NARROW = frozenset(
    chr(code)
    for first, last in [
        (0x20, 0x7E),
        (0xA0, 0x2FF),
        (0x370, 0x482),
        (0x2010, 0x2027),
        (0x2030, 0x205E),
        (0x20A0, 0x20C0),
    ]
    for code in range(first, last + 1)
)


def wrap_offsets(plain: str, width: int) -> list[int]:
    """Where a line of text breaks when wrapped at `width` cells, as Textual wraps it.

    Textual wraps Content at the start of the word that does not fit, folding words
    longer than a row; this computes the same offsets with public helpers, so the
    view can cut only the rows on screen.
    """
    if width <= 0:
        return []
    if plain.isascii() or _NARROW.issuperset(plain):  # one cell each: no measuring
        return _wrap_narrow(plain, width)
    return _wrap_cells(plain, width)


def _wrap_cells(plain: str, width: int) -> list[int]:
    """Word wrapping measured in cells (wide CJK, emoji, combining marks)."""
    breaks: list[int] = []
    column = 0
    for match in _WORD.finditer(plain):
        start, word = match.start(), match.group()
        length = cell_len(word.rstrip())
        if width - column >= length:
            column += cell_len(word)
        elif length > width:  # a word longer than a row: folded
            pieces = chop_cells(word, width)
            for piece in pieces[:-1]:
                if start:
                    breaks.append(start)
                start += len(piece)
            if start:
                breaks.append(start)
            column = cell_len(pieces[-1])
        elif column and start:
            breaks.append(start)
            column = cell_len(word)
    return breaks


def _wrap_narrow(plain: str, width: int) -> list[int]:
    """`_wrap_cells` for text of one-cell characters, a row at a time instead of a word
    at a time: a row that starts at `p` holds every word whose last non-space character
    ends by `p + width`, so only the word at that point is looked at."""
    breaks: list[int] = []
    n, p = len(plain), 0
    backwards = plain[::-1]
    while p + width < n:
        q = p + width
        if plain[q].isspace():  # the row ends in spaces: the next word starts after them
            s = _run_end(_SPACES, plain, q)
            if s == n:
                break
            if _SPACES.fullmatch(plain, 0, s):  # only spaces before it: the first word
                s = 0
        else:  # q is inside a word: it starts where its run of non-spaces starts
            s = n - _run_end(_NON_SPACES, backwards, n - 1 - q)
            if s and _SPACES.fullmatch(plain, 0, s):  # the text's leading spaces
                s = 0
        word_end = _run_end(_NON_SPACES, plain, max(s, _run_end(_SPACES, plain, s)))
        if word_end - s > width:  # a word longer than a row: folded
            end = _run_end(_SPACES, plain, word_end)
            while end - s > width:
                if s:
                    breaks.append(s)
                s += width
        if s:
            breaks.append(s)
        p = s
    return breaks


# ---- the span list and the status lines -------------------------------------------------

STATUS_MARK = {PENDING: "?", ACCEPTED: "\u2713", REJECTED: "\u2717"}  # ? ✓ ✗
ORIGIN_SHORT = {
    "model": "model",
    "rule": "rule",
    "import": "import",
    "annotator": "you",
    "gold-ruler": "ruler",
}
QUALIFIER_SHORT = {
    "exact": "=",
    "more_than": ">",
    "at_least": "\u2265",
    "approx": "~",
    "nearly": "\u2272",
    "up_to": "\u2264",
    "less_than": "<",
    "vague": "?",
}


def casualty_text(s: AnnotatedSpan, *, short: bool = True) -> str:
    """'≥200' (short) or 'value 200, at_least' for a casualty span; '' otherwise."""
    if not s.span.is_casualty:
        return ""
    value, qualifier = s.span.value, s.span.qualifier
    if short:
        shown = "?" if value is None else f"{value:,}"
        if s.span.needs_value:
            return "\u26a0" + shown  # ⚠: needs a value
        return QUALIFIER_SHORT.get(qualifier or "", "") + ("" if qualifier == "vague" else shown)
    return f"value {'null' if value is None else value}, {qualifier or 'no qualifier'}"


def model_name(version: str | None) -> str:
    """' en_core_web_sm-3.8.0' from a suggester version (its rule and gold suffixes off)."""
    return "" if not version else " " + visible(version.split("+", 1)[0])[:40]


def _words(text: str, start: int, end: int, width: int) -> str:
    words = visible(" ".join(text[start:end].split()))
    return words if len(words) <= width else words[: width - 1] + "\u2026"


def source_text(s: AnnotatedSpan, text: str, width: int = 40) -> str:
    """'← Reuters' for a casualty span linked to its source; '' otherwise."""
    ref = link_of(s.span)
    if ref is None or not s.span.is_casualty:
        return ""
    return f"{LINK_ARROW} " + _words(text, ref[0], ref[1], max(4, width - 2))


def span_row(s: AnnotatedSpan, text: str, palette: Palette, width: int) -> Content:
    """One line of the span list: status, label, text, casualty value and source, origin."""
    label_w = 8
    origin = ORIGIN_SHORT.get(s.origin, s.origin)[:6]
    count = casualty_text(s)
    text_w = max(4, width - 2 - label_w - 1 - len(count) - 1 - len(origin) - 1)
    if link_of(s.span) is not None and s.span.is_casualty:
        # A claim: the count, then who reported it, in the room of the figure's words.
        words = count + " " + source_text(s, text, text_w)
        count, text_w = "", text_w + len(count) + 1
    else:
        words = _words(text, s.span.start, s.span.end, text_w)
    style = palette.span_style(s.span.label, s.status, s.origin)
    mark = STATUS_MARK.get(s.status, "?")
    parts = [
        (mark + " ", "bold" if s.status != REJECTED else "dim"),
        (visible(s.span.label)[: label_w - 1].ljust(label_w), palette.tag_style(s.span.label)),
        (words, style),
        (" " * (text_w - len(words)) + " ", ""),
        (count + (" " if count else ""), "bold"),
        (origin, "dim italic"),
    ]
    return Content.assemble(*parts)


def detail_line(
    s: AnnotatedSpan | None,
    text: str,
    n: int,
    index: int,
    source: AnnotatedSpan | None = None,
    model: str | None = None,
) -> Content:
    """The status line under the text: everything about the focused span (and the
    source it is linked to)."""
    if s is None:
        return Content("No spans: press v to select text and a label key to add one.")
    quote = visible(" ".join(text[s.span.start : s.span.end].split()))
    if len(quote) > 60:
        quote = quote[:59] + "\u2026"
    parts: list[Content | tuple[str, str] | str] = [
        (f" {index + 1}/{n} ", "reverse"),
        " ",
        (visible(s.span.label), "bold"),
        " \u201c",
        Content(quote),
        "\u201d  ",
        (s.status, "italic"),
        f"  from {ORIGIN_SHORT.get(s.origin, s.origin)}",
        model_name(model) if s.origin in (SOURCE_MODEL, SOURCE_GOLD_RULER) else "",
        f"  [{s.span.start}:{s.span.end}]",
    ]
    if s.span.is_casualty:
        parts.append(("  " + casualty_text(s, short=False), "bold"))
        if s.span.needs_value:
            parts.append(("  \u26a0 needs a value: e sets it", "bold reverse"))
        if source is not None:
            words = _words(text, source.span.start, source.span.end, 40)
            parts += [
                f"  {LINK_ARROW} ",
                (words, PARTNER_STYLE),
                f" ({visible(source.span.label)})",
            ]
        elif link_of(s.span) is None:
            parts.append(("  no source (r links one)", "dim"))
    return Content.assemble(*parts)


def linking_line(head: AnnotatedSpan, text: str, *, selecting: bool) -> Content:
    """The status line while a figure is being linked: what to do next."""
    words = _words(text, head.span.start, head.span.end, 30)
    hint = (
        "extend the selection, then enter (a SOURCE span) or a label key"
        if selecting
        else "move to the span that reports it and press enter; v selects new words; esc cancels"
    )
    return Content.assemble(
        (" LINK ", "reverse"), " source of \u201c", (words, PARTNER_STYLE), "\u201d: ", hint
    )
