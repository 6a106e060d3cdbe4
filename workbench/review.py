"""Reviewing the team's work: agreement, disagreements, adjudication, the audit log.

Agreement reuses `evaluate.evaluate_documents` with one annotator as the reference
(exact-span F1 is symmetric). Article text is untrusted: everything shown goes through
`one_line`, which maps control characters to visible glyphs, and is printed as plain
text or Rich `Text`, never as markup. No Textual here, so the CLI stays light.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import combinations
from typing import Any

import orjson
from rich import box
from rich.table import Table
from rich.text import Text

from .model import SUBMITTED, Annotation, Change, Document, Event, Span
from .nlp.evaluate import CASUALTY_ROW, ENTITY_ROW, EvalReport, LabelScores, evaluate_documents
from .nlp.evaluate_sources import has_sources, score_sources
from .store import Store, StoreError
from .visible import CONTROL_TABLE

ALL_ROW = "ALL"  # every label together

# ---- untrusted text --------------------------------------------------------------------

_ONE_LINE = {**CONTROL_TABLE, 0x0A: "\u2424"}  # ␤: a listing line stays one line


def one_line(text: str, width: int = 40) -> str:
    """Untrusted text made visible on one line, shortened to `width` with an ellipsis."""
    shown = text.translate(_ONE_LINE)
    return shown if len(shown) <= width else shown[: width - 1] + "\u2026"


def quoted(text: str, width: int = 40) -> str:
    return f"'{one_line(text, width)}'"


def shown(text: str) -> str:
    """A label or name from the database made visible on one line, never shortened."""
    return text.translate(_ONE_LINE)


# ---- comparing annotators --------------------------------------------------------------

SpanKey = tuple[int, int, str, str]


def span_key(span: Span) -> SpanKey:
    """What "the same span" means for adjudication: bounds, label and attributes."""
    return (
        span.start,
        span.end,
        span.label,
        orjson.dumps(span.attrs, option=orjson.OPT_SORT_KEYS).decode(),
    )


def attrs_text(span: Span) -> str:
    """A casualty span's count as "=100 more_than"; other attributes as key=value."""
    attrs = dict(span.attrs)
    parts = []
    if "value" in attrs or "qualifier" in attrs:
        value = attrs.pop("value", None)
        parts.append(f"={'?' if value is None else value}")
        if (qualifier := attrs.pop("qualifier", None)) is not None:
            parts.append(str(qualifier))
    parts += [f"{k}={v}" for k, v in sorted(attrs.items())]
    return one_line(" ".join(parts), 30)


def all_agree(annotations: Sequence[Annotation]) -> bool:
    """Every annotation has exactly the same accepted spans (with their attributes)."""
    keys = [{span_key(s) for s in a.gold_spans()} for a in annotations]
    return all(k == keys[0] for k in keys[1:])


@dataclass
class PairAgreement:
    """Two annotators over the documents both submitted; `a` is the reference."""

    a: str
    b: str
    documents: int
    report: EvalReport

    def rows(self, label: str | None = None) -> list[LabelScores]:
        """Per-label rows, the CASUALTY and ENTITY aggregates, then ALL (or just `label`)."""
        rows = list(self.report.rows.values())
        total = LabelScores(ALL_ROW)
        for row in rows:
            if row.label not in (CASUALTY_ROW, ENTITY_ROW):
                total.exact.add(row.exact)
        rows.append(total)
        if label is not None:
            rows = [r for r in rows if r.label == label]
        return rows

    def to_dict(self, label: str | None = None) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "documents": self.documents,
            "labels": {
                r.label: {
                    "a": r.exact.tp + r.exact.fn,
                    "b": r.exact.tp + r.exact.fp,
                    "agreed": r.exact.tp,
                    "f1": round(r.exact.f1, 4),
                    "count": r.count.to_dict() if r.count else None,
                }
                for r in self.rows(label)
            },
            "sources": self.report.sources.to_dict() if self.report.sources else None,
        }


def agreement(store: Store, annotators: Sequence[str] = ()) -> tuple[int, list[PairAgreement]]:
    """Documents submitted by two or more annotators, and each pair's agreement on them."""
    shared: dict[tuple[str, str], list[tuple[str, list[Span], list[Span]]]] = {}
    documents = 0
    for group in store.shared_submissions(annotators):
        documents += 1
        for x, y in combinations(group, 2):  # sorted by annotator: x < y
            shared.setdefault((x.annotator, y.annotator), []).append(
                (x.document.text, x.gold_spans(), y.gold_spans())
            )
    pairs = []
    for (a, b), docs in sorted(shared.items()):
        ref, other = [(t, ga) for t, ga, _ in docs], [gb for _, _, gb in docs]
        report = evaluate_documents(ref, other)
        if report.sources is None and has_sources([(t, gb) for t, _, gb in docs]):
            report.sources = score_sources(ref, other)  # only B said who reported a figure
        pairs.append(PairAgreement(a, b, len(docs), report))
    return documents, pairs


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def render_agreement(pair: PairAgreement, label: str | None = None) -> Table:
    """One pair as a Rich table that fits 80 columns: spans each, agreed, F1, count F1."""
    title = Text(f"{shown(pair.a)} (A) vs {shown(pair.b)} (B): {pair.documents} shared document(s)")
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("label", no_wrap=True)
    for name in ("A", "B", "agreed", "only A", "only B", "F1", "ct F1"):
        table.add_column(name, justify="right", no_wrap=True)
    for r in pair.rows(label):
        e = r.exact
        table.add_row(
            Text(shown(r.label)),
            str(e.tp + e.fn),
            str(e.tp + e.fp),
            str(e.tp),
            str(e.fn),
            str(e.fp),
            _f(e.f1),
            _f(r.count.f1 if r.count else None),
        )
    return table


AGREEMENT_CAPTION = "F1: exact spans.  ct F1: casualty (label, value) pairs per document."


def render_pair_sources(pair: PairAgreement) -> str | None:
    """Who reported each figure, compared between the two, where either linked a source:
    on the casualty spans both marked, whether their sources agree (both none, or the
    source spans overlap), and claim-level F1 over (label, value, source text)."""
    s = pair.report.sources
    if s is None:
        return None
    return (
        f"sources: agree on {s.agree} of {s.matched} shared casualty span(s) "
        f"({_f(s.accuracy)}, exact offsets {_f(s.exact_accuracy)}); "
        f"claims (label, value, source) F1 {_f(s.claims.f1)}"
    )


# ---- disagreements ---------------------------------------------------------------------


@dataclass
class SpanDifference:
    """A span some annotators have and others lack."""

    span: Span
    has: list[str]
    lacks: list[str]


@dataclass
class Disagreement:
    """A document where submitted annotations differ."""

    document: Document
    annotators: list[str]
    differences: list[SpanDifference] = field(default_factory=list)


def disagreements(store: Store, annotators: Sequence[str] = ()) -> Iterator[Disagreement]:
    """Documents (in id order) whose submitted annotations differ, with the spans that do."""
    for group in store.shared_submissions(annotators):
        names = [a.annotator for a in group]
        holders: dict[SpanKey, tuple[Span, list[str]]] = {}
        for a in group:
            for s in a.gold_spans():
                holders.setdefault(span_key(s), (s, []))[1].append(a.annotator)
        diffs = [
            SpanDifference(span, has, [n for n in names if n not in has])
            for span, has in holders.values()
            if len(has) < len(names)
        ]
        if diffs:
            diffs.sort(key=lambda d: (d.span.start, d.span.end, d.span.label))
            yield Disagreement(group[0].document, names, diffs)


def format_disagreement(d: Disagreement) -> list[str]:
    """Plain lines (controls made visible) for one document: a header, a line a span."""
    source = f" {one_line(d.document.source, 30)}" if d.document.source else ""
    lines = [
        f"document {d.document.id}{source}: {', '.join(map(one_line, d.annotators))}"
        f" submitted; {len(d.differences)} difference(s)"
    ]
    for diff in d.differences:
        s = diff.span
        who = ", ".join(map(one_line, diff.has))
        if len(diff.lacks) > 1 or len(diff.has) > 1:
            who += f" (not {', '.join(map(one_line, diff.lacks))})"
        extra = attrs_text(s)
        lines.append(
            f"  {shown(s.label):<8} {s.start:>5}-{s.end:<5} {quoted(s.text_in(d.document.text))}"
            + (f" {extra}" if extra else "")
            + f"  {who}"
        )
    return lines


def without_submissions(store: Store, annotators: Iterable[str]) -> list[str]:
    """The names among `annotators` that have no submitted annotation to compare."""
    return [
        n for n in annotators if not store.count_annotations(annotator=n, statuses=(SUBMITTED,))
    ]


# ---- adjudication ----------------------------------------------------------------------


def adjudicate(store: Store, doc_id: int, take: str, reviewer: str) -> tuple[Annotation, bool]:
    """Make `take`'s accepted spans the reviewer's reviewed gold of the document; the
    annotation, and whether it replaced an earlier review by the same reviewer."""
    earlier = any(
        e.action == "adjudicate" for e in store.audit_log(doc_id=doc_id, annotator=reviewer)
    )
    return store.adjudicate(doc_id, take, reviewer), earlier


@dataclass
class AgreedResult:
    """What `adjudicate --agreed` did and left."""

    reviewed: list[int] = field(default_factory=list)
    already_reviewed: int = 0
    own_work: list[int] = field(default_factory=list)  # the reviewer submitted there too
    disagreeing: int = 0


def adjudicate_agreed(store: Store, reviewer: str) -> AgreedResult:
    """Review in one transaction every document whose submitters (two or more) agree
    exactly and that has no reviewed gold yet."""
    result = AgreedResult()
    done = store.reviewed_document_ids()
    choices = []
    for group in store.shared_submissions():
        doc_id = group[0].document.id
        if not all_agree(group):
            result.disagreeing += 1
        elif doc_id in done:
            result.already_reviewed += 1
        elif any(a.annotator == reviewer for a in group):
            result.own_work.append(doc_id)
        else:
            choices.append((doc_id, group[0].annotator))
    if choices:
        store.adjudicate_many(choices, reviewer)
    result.reviewed = [doc_id for doc_id, _ in choices]
    return result


# ---- the audit log ---------------------------------------------------------------------


def parse_since(value: str) -> str:
    """An ISO date or date-time as the UTC timestamp events are compared with."""
    moment = datetime.fromisoformat(value)  # ValueError on bad input
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _span_words(s: Span, text: str) -> str:
    return f"{shown(s.label)} {quoted(s.text_in(text), 30)}"


def _count(s: Span) -> str:
    return attrs_text(s) or "-"


# The review screen's decisions (review_session.py), as `summarize` names them.
_REVIEW_ACTIONS = {
    "review_take": "take {who}'s version",
    "review_take_all": "take all of {who}",
    "review_agreed": "accept agreed",
    "review_add": "add",
    "review_edit": "edit",
    "review_drop": "drop",
}


def _spans_words(spans: Sequence[Span], text: str) -> str:
    """'nothing', one or two spans with their counts, or 'N span(s)'."""
    if not spans:
        return "nothing"
    if len(spans) > 2:
        return f"{len(spans)} span(s)"
    return ", ".join(
        _span_words(s, text) + (f" {attrs_text(s)}" if attrs_text(s) else "") for s in spans
    )


def summarize(event: Event, text: str) -> str:
    """A short human line for one event: "accept KILLED 'more than 100'",
    "relabel ORG -> GPE 'Jableh'", "submit". `text` is the document's text."""
    action, before, after = event.action, event.before or Change(), event.after or Change()
    old, new = [s.span for s in before.spans], [s.span for s in after.spans]
    notes = after.notes
    if action == "undo":
        return f"undo event {one_line(str(event.undoes))}"
    if action in _REVIEW_ACTIONS:
        take = notes.get("take")
        who = ", ".join(one_line(str(n), 16) for n in take) if isinstance(take, list) else ""
        decision = _REVIEW_ACTIONS[action].format(who=who or "?")
        return f"{decision}: {_spans_words(old, text)} -> {_spans_words(new, text)}"
    if action == "submit_review":
        return f"submit reviewed gold, {notes.get('gold_spans', '?')} span(s)"
    if action == "adjudicate":
        replaced = f", replaced {len(old)}" if before.annotation is not None else ""
        return f"take {one_line(str(notes.get('take', '?')), 20)}, {len(new)} span(s){replaced}"
    if action == "import":
        source = f" from {quoted(str(notes['source']), 24)}" if notes.get("source") else ""
        if "added" in notes:
            return f"import {notes['added']} document(s){source}"
        return f"import gold, {len(new)} span(s){source}"
    if action in ("accept_all", "late_suggestions"):
        what = {"accept_all": "accept all", "late_suggestions": "late suggestions"}
        return f"{what[action]}: {len(new)} span(s)"
    if action == "flag" and after.annotation is not None and after.annotation.comment:
        return f"flag {quoted(after.annotation.comment)}"
    if len(old) == 1 and len(new) == 1:
        b, a = old[0], new[0]
        if action == "relabel":
            return f"relabel {shown(b.label)} -> {shown(a.label)} {quoted(a.text_in(text), 30)}"
        if action == "resize":
            return (
                f"resize {shown(a.label)} {quoted(b.text_in(text), 20)}"
                f" -> {quoted(a.text_in(text), 20)}"
            )
        if action == "set_attrs":
            return f"set {_span_words(a, text)} {_count(b)} -> {_count(a)}"
        return f"{one_line(action)} {_span_words(a, text)}"
    if len(new) == 1 and not old:
        return f"{one_line(action)} {_span_words(new[0], text)}"
    if len(old) == 1 and not new:
        return f"{one_line(action)} {_span_words(old[0], text)}"
    return one_line(action)


def document_texts(store: Store) -> Callable[[int], str]:
    """A document's text by id, read once each ("" for a document no longer there)."""
    texts: dict[int, str] = {}

    def text_of(doc_id: int) -> str:
        if doc_id not in texts:
            try:
                texts[doc_id] = store.document(doc_id).text
            except StoreError:
                texts[doc_id] = ""
        return texts[doc_id]

    return text_of


def render_log(events: Iterable[Event], text_of: Callable[[int], str]) -> Table:
    """The audit trail as a Rich table of Text cells: time, who, action, document, change."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("time (UTC)", no_wrap=True)
    table.add_column("who", max_width=12, overflow="ellipsis", no_wrap=True)
    table.add_column("action", no_wrap=True)
    table.add_column("doc", justify="right", no_wrap=True)
    table.add_column("change", overflow="fold")
    for e in events:
        doc_id = e.doc_id
        text = text_of(doc_id) if doc_id is not None else ""
        table.add_row(
            Text(e.ts[:19].replace("T", " ")),
            Text(one_line(e.annotator or "-", 24)),
            Text(one_line(e.action, 20)),
            Text("" if doc_id is None else str(doc_id)),
            Text(shown(summarize(e, text))),  # belt and braces: every part is mapped already
        )
    return table
