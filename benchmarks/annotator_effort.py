"""Annotator effort: keystrokes per document, from scratch and with suggestions.

Drives the real annotator (Textual's Pilot on a real SQLite file) as an oracle that
knows the gold of the dev passages (`../shared/casualty-dev/`: entity gold and casualty
gold). With suggestions it goes through them in text order: a right one is accepted
(`a`), a wrong boundary is fixed with the boundary keys (`[` `]` `,` `.`) and a wrong
label with the label's palette key before accepting, a casualty count with a wrong
value or qualifier is fixed in the value form (`e`), anything else is rejected (`x`).
Then it adds what is missing with the token cursor (`v`, `h`/`l`/`j`/`k` to the first
token, `L` to the last, the palette key) and submits (`s`). From scratch it only adds.
Every key is a real key press; the figure is the number of presses, and at the end the
submitted gold is compared with the gold (the oracle must have reached it).

    python benchmarks/annotator_effort.py [--docs N]

Three runs over the same passages: from scratch; the base suggester (spaCy's small
model mapped onto the scheme, plus the casualty rules: the components of issue 11
switched off); and the current suggester. Printed: keystrokes per document, the ratio
to from scratch, the share of suggestions accepted untouched, and the share of gold
spans the oracle reached. Source (claim) links are not counted here: the oracle labels
entities and casualty counts, and SOURCE-only suggestions are left out of the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from workbench.config import DEFAULT_CONFIG_PATH, load_config
from workbench.jobs.evaluating import read_gold_files_merged
from workbench.model import ACCEPTED, PENDING, SOURCE_LABEL, Span, link_key
from workbench.store import NewDocument, Store
from workbench.tui.app import make_app

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "casualty-dev"
ANNOTATOR = "oracle"
VERSION = "bench"


@dataclass
class Tally:
    keys: int = 0
    suggested: int = 0
    untouched: int = 0
    gold: int = 0
    reached: int = 0
    docs: int = 0
    per_key: dict[str, int] = field(default_factory=dict)


def read_gold(limit: int | None) -> list[tuple[str, list[Span]]]:
    """(text, gold spans) of each dev passage: entity gold and casualty gold merged."""
    out = read_gold_files_merged([DEV / "entities_dev.jsonl", DEV / "casualties_dev.jsonl"])
    return out[:limit] if limit else out


def suggestions(texts: list[str], variant: str) -> list[list[Span]]:
    from workbench.nlp import suggest

    config = load_config(DEFAULT_CONFIG_PATH)
    suggester = suggest.suggester_for(config)
    nlp = suggester.nlp
    disabled = []
    if variant == "base":
        disabled = [n for n in nlp.pipe_names if n.startswith("workbench_") and "casualt" not in n]
        disabled += [n for n in nlp.pipe_names if "actor" in n]
    out = []
    with nlp.select_pipes(disable=disabled):
        for doc in nlp.pipe(texts):
            spans = []
            for s in suggester.spans(doc):
                if s.label == SOURCE_LABEL:
                    continue
                attrs = {k: v for k, v in s.attrs.items() if k != link_key("SOURCE")}
                spans.append(s.with_(attrs=attrs))
            out.append(spans)
    return out


def _same(a: Span, b: Span) -> bool:
    return (a.start, a.end, a.label) == (b.start, b.end, b.label)


def _count_ok(a: Span, gold: Span) -> bool:
    if not gold.attrs:
        return True
    return (a.value, a.qualifier) == (gold.value, gold.qualifier)


class Oracle:
    def __init__(self, pilot, tally: Tally, gold: list[Span], keys: dict[str, str]) -> None:
        self.pilot, self.tally, self.gold, self.keys = pilot, tally, gold, keys
        self.done: set[Span] = set()

    @property
    def session(self):
        return self.pilot.app.screen.session

    async def press(self, key: str) -> None:
        self.tally.keys += 1
        self.tally.per_key[key] = self.tally.per_key.get(key, 0) + 1
        await self.pilot.press(key)

    async def focus_on(self, span_id: int) -> None:
        s = self.session
        target = next(i for i, x in enumerate(s.spans) if x.id == span_id)
        while s.focus_index != target:
            await self.press("j" if target > s.focus_index else "k")

    def _focused(self) -> Span:
        return self.session.focus.span

    async def fix_count(self, gold: Span) -> None:
        """The value form: clear the value, type the gold's, pick the qualifier."""
        span = self._focused()
        if _count_ok(span, gold):
            return
        await self.press("e")
        await self.pilot.pause()
        form = self.pilot.app.screen
        from textual.widgets import Input, OptionList

        field_ = form.query_one(Input)
        await self.press("end")
        for _ in field_.value:
            await self.press("backspace")
        for ch in "" if gold.value is None else str(gold.value):
            await self.press(ch)
        await self.press("tab")
        options = form.query_one(OptionList)
        from workbench.model import QUALIFIERS

        want = QUALIFIERS.index(gold.qualifier)
        if options.highlighted is None:
            await self.press("down")
        while options.highlighted != want:
            await self.press("down" if (options.highlighted or 0) < want else "up")
        await self.press("enter")
        await self.pilot.pause()

    async def review(self) -> None:
        """Decide every suggestion, in text order."""
        seen: set[int] = set()
        while True:
            pending = [x for x in self.session.spans if x.status == PENDING and x.id not in seen]
            if not pending:
                return
            target = pending[0]
            seen.add(target.id)
            self.tally.suggested += 1
            await self.focus_on(target.id)
            span = target.span
            left = [g for g in self.gold if g not in self.done]
            exact = next((g for g in left if _same(span, g)), None)
            if exact is not None:
                if _count_ok(span, exact):
                    self.tally.untouched += 1
                await self.fix_count(exact)
                await self.press("a")
                self.done.add(exact)
                continue
            near = next((g for g in left if g.start < span.end and span.start < g.end), None)
            if near is not None and await self.fix(near):
                await self.fix_count(near)
                if self.session.focus and self.session.focus.status == PENDING:
                    await self.press("a")
                self.done.add(near)
                continue
            await self.focus_on(target.id)
            await self.press("x")

    async def fix(self, gold: Span) -> bool:
        """Bring the focused span to the gold's bounds and label; False where the
        tokens cannot reach them (then it is rejected and added)."""
        s = self.session
        t = s.tokens
        span = self._focused()
        if gold.start not in t.starts or gold.end not in t.ends:
            return False
        if span.label != gold.label:
            await self.press(self.keys[gold.label])
        for _ in range(200):
            span = self._focused()
            if span.start > gold.start:
                await self.press("left_square_bracket")
            elif span.end < gold.end:
                await self.press("full_stop")
            elif span.start < gold.start:
                await self.press("right_square_bracket")
            elif span.end > gold.end:
                await self.press("comma")
            else:
                return True
        return False

    async def add_missing(self) -> None:
        for gold in self.gold:
            if gold in self.done:
                continue
            s = self.session
            t = s.tokens
            if gold.start not in t.starts or gold.end not in t.ends:
                continue  # not on token boundaries: the cursor cannot select it
            first, last = t.starts.index(gold.start), t.ends.index(gold.end)
            await self.press("v")
            await self.walk_to(first)
            while s.cursor < last:
                await self.press("L")
            await self.press(self.keys[gold.label])
            await self.fix_count(gold)
            self.done.add(gold)

    async def walk_to(self, target: int) -> None:
        s = self.session
        t = s.tokens
        for _ in range(2000):
            if s.cursor == target:
                return
            here, goal = t.starts[s.cursor], t.starts[target]
            width = self.pilot.app.screen.query_one("DocumentView").scrollable_content_region.width
            if abs(goal - here) > width:
                before = s.cursor
                await self.press("j" if goal > here else "k")
                overshoot = (t.starts[s.cursor] - goal) * (1 if goal > here else -1)
                if s.cursor == before or overshoot > width // 2:
                    await self.press("k" if goal > here else "j")
                    break
            else:
                await self.press("l" if target > s.cursor else "h")
        while s.cursor != target:
            await self.press("l" if target > s.cursor else "h")


async def run_doc(text: str, gold: list[Span], spans: list[Span] | None, tally: Tally) -> None:
    config = load_config(DEFAULT_CONFIG_PATH)
    keys = {name: spec.key for name, spec in config.labels.items()}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "annotations.db"
        with Store(db) as store:
            store.add_documents([NewDocument(text, {}, "dev")])
            if spans is not None:
                store.save_suggestions([(store.document_ids()[0], spans)], VERSION)
        app = make_app(db, config, ANNOTATOR, prefetch=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            oracle = Oracle(pilot, tally, gold, keys)
            if spans:
                await oracle.review()
            await oracle.add_missing()
            got = {x.span for x in oracle.session.spans if x.status == ACCEPTED}
            await oracle.press("s")
            await pilot.pause()
        tally.gold += len(gold)
        tally.reached += sum(1 for g in gold if any(_same(g, x) and _count_ok(x, g) for x in got))
        tally.docs += 1


async def main_async(args: argparse.Namespace) -> None:
    passages = read_gold(args.docs)
    texts = [t for t, _ in passages]
    runs: dict[str, list[list[Span]] | None] = {"from scratch": None}
    print(f"{len(passages)} dev passages; computing suggestions...", file=sys.stderr)
    runs["base suggester"] = suggestions(texts, "base")
    runs["current suggester"] = suggestions(texts, "current")
    tallies: dict[str, Tally] = {}
    for name, suggested in runs.items():
        tally = tallies[name] = Tally()
        for i, (text, gold) in enumerate(passages):
            await run_doc(text, gold, None if suggested is None else suggested[i], tally)
        print(f"  {name}: done", file=sys.stderr)
    scratch = tallies["from scratch"].keys / tallies["from scratch"].docs
    print("\n| run | keys per document | vs from scratch | accepted untouched | gold reached |")
    print("| --- | --- | --- | --- | --- |")
    for name, t in tallies.items():
        per_doc = t.keys / t.docs
        share = f"{t.untouched / t.suggested:.0%} of {t.suggested}" if t.suggested else "-"
        print(
            f"| {name} | {per_doc:.1f} | {per_doc / scratch:.2f}x ({1 - per_doc / scratch:.0%}"
            f" fewer) | {share} | {t.reached}/{t.gold} |"
        )
    if args.keys:
        for name, t in tallies.items():
            print(name, dict(sorted(t.per_key.items(), key=lambda kv: -kv[1])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=None, help="only the first N passages")
    parser.add_argument("--keys", action="store_true", help="print the count of each key")
    args = parser.parse_args()
    if not DEV.is_dir():
        sys.exit(f"no dev set at {DEV.relative_to(ROOT.parent)}: nothing to measure")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
