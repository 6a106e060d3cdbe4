"""Documents/second of `workbench predict`: serial, `--n-process 2`, and `--cluster local:2`.

    python benchmarks/cluster_predict.py [--n 20000] [--workers 2] [--partition-size 500]

The paragraphs are generated here (news-like: casualty counts, places, dates), written
as four JSONL shards. Each run goes through the job functions the CLI calls, in this
process: serial `predict_records` (n_process 1, then 2) on a suggester built before
the clock, and `jobs.cluster.predict_on_cluster` on a LocalCluster whose start and
pipeline loads are timed apart. Printed: documents/second of each and the cluster's
ratio to serial, the per-partition overhead (worker time not spent in the suggester,
per partition), and the pipelines the workers built (must equal the workers). The
three outputs are compared line for line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROBE = 40  # one-document partitions for the overhead probe
sys.path.insert(0, str(REPO))

PLACES = ["Kabul", "Lagos", "Aleppo", "Mosul", "Goma", "Nairobi", "Khartoum", "Sanaa", "Kyiv"]
ACTORS = ["the army", "rebels", "police", "a militia", "the interior ministry", "witnesses"]
DAYS = ["on Monday", "on Tuesday", "late on Friday", "overnight", "on Sunday morning"]
COUNTS = ["{n}", "at least {n}", "more than {n}", "nearly {n}", "around {n}", "dozens of"]
EVENTS = [
    "{count} people were killed when a car bomb exploded in a market in {place} {day}",
    "{count} civilians were wounded in shelling near {place}, according to {actor}",
    "{actor} said {count} fighters died in clashes outside {place} {day}",
    "the death toll from the flooding in {place} rose to {n} {day}",
    "{count} protesters were injured as {actor} dispersed a crowd in {place}",
]
FILLER = [
    "Officials said the number could rise as rescue teams searched the rubble.",
    "The United Nations called for an independent investigation.",
    "Aid agencies warned that hospitals were running short of supplies.",
    "No group has claimed responsibility for the attack.",
    "Residents described scenes of panic as the explosions shook the district.",
]


def paragraphs(n: int, seed: int = 7) -> list[str]:
    """`n` news-like paragraphs of two to four sentences, reproducible from `seed`."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        num = rng.choice([2, 3, 5, 12, 17, 40, 100, 250])
        count = rng.choice(COUNTS).format(n=num)
        event = rng.choice(EVENTS).format(
            count=count,
            n=num,
            place=rng.choice(PLACES),
            day=rng.choice(DAYS),
            actor=rng.choice(ACTORS),
        )
        extra = " ".join(rng.sample(FILLER, rng.randint(1, 3)))
        out.append(f"{event[0].upper()}{event[1:]}. {extra} (Report {i}.)")
    return out


def write_shards(texts: list[str], folder: Path, shards: int = 4) -> list[Path]:
    paths = []
    size = -(-len(texts) // shards)
    for k in range(shards):
        path = folder / f"wire-{k:02d}.jsonl"
        chunk = texts[k * size : (k + 1) * size]
        path.write_text("".join(json.dumps({"text": t, "n": k}) + "\n" for t in chunk), "utf-8")
        paths.append(path)
    return paths


def serial(paths: list[Path], n_process: int) -> tuple[list[bytes], float]:
    from workbench.config import load_config
    from workbench.jobs.predict import predict_records, read_predict_input
    from workbench.nlp.suggest import suggester_for

    suggester = suggester_for(load_config(None))  # built (and cached) before the clock
    inputs = [i for p in paths for i in read_predict_input(p)]
    start = time.perf_counter()
    lines = list(
        predict_records(inputs, suggester, on_failure=print, batch_size=64, n_process=n_process)
    )
    return lines, time.perf_counter() - start


def on_cluster(paths: list[Path], workers: int, partition_size: int) -> dict:
    from workbench.config import load_config
    from workbench.jobs import cluster, cluster_client, cluster_inputs

    start = time.perf_counter()
    with cluster_client.connect(f"local:{workers}", dashboard_address=":0") as client:
        client.wait_for_workers(workers)
        started = time.perf_counter()
        remote = cluster.install_suggester(client, cluster.SuggesterSpec(load_config(None)))
        loaded = time.perf_counter()
        files = cluster_inputs.check_inputs(paths)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            run = cluster.predict_on_cluster(remote, files, out, partition_size=partition_size)
            lines = [
                line
                for shard in sorted(out.glob("part-*.jsonl"))
                for line in shard.read_bytes().splitlines(keepends=True)
            ]
        # Overhead alone: many one-document partitions, so neither the suggester nor
        # an uneven last partition dominates.
        probe = Path(tmp_probe := tempfile.mkdtemp()) / "probe.jsonl"
        probe.write_text('{"text": "Two were hurt."}\n' * PROBE, "utf-8")
        small = cluster.predict_on_cluster(
            remote, cluster_inputs.check_inputs([probe]), probe.parent / "out", partition_size=1
        )
        shutil.rmtree(tmp_probe)
        loads = cluster.pipeline_loads(client)
        live = len(client.scheduler_info()["workers"])
    return {
        "lines": lines,
        "seconds": run.seconds,
        "worker_seconds": run.worker_seconds,
        "partitions": len(run.shards),
        "start": started - start,
        "load": loaded - started,
        "loads": loads,
        "probe": (small.seconds * live - small.worker_seconds) / len(small.shards),
        "workers": live,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="paragraphs (default 20,000)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partition-size", type=int, default=500)
    args = parser.parse_args()

    texts = paragraphs(args.n)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_shards(texts, Path(tmp))
        base, t_serial = serial(paths, 1)
        multi, t_multi = serial(paths, 2)
        c = on_cluster(paths, args.workers, args.partition_size)

    n = args.n
    print(f"{n:,} paragraphs, {c['partitions']} partitions of <= {args.partition_size}")
    cores = os.cpu_count()
    print(f"{cores} cores; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"serial predict            {n / t_serial:8.1f} docs/s  ({t_serial:6.1f} s)")
    print(f"predict --n-process 2     {n / t_multi:8.1f} docs/s  ({t_multi:6.1f} s)")
    print(
        f"predict --cluster local:{args.workers}  {n / c['seconds']:8.1f} docs/s  "
        f"({c['seconds']:6.1f} s; cluster start {c['start']:.1f} s, pipeline loads "
        f"{c['load']:.1f} s, not counted)"
    )
    print(f"ratio cluster / serial     {t_serial / c['seconds']:.2f}x")
    print(f"ratio --n-process 2 / serial {t_serial / t_multi:.2f}x")
    # Worker time beyond the suggester: scheduling, transfer, the driver's writes, and
    # the idle tail while the last partitions finish.
    overhead = (c["seconds"] * c["workers"] - c["worker_seconds"]) / c["partitions"]
    print(
        f"per-partition overhead     {c['probe'] * 1000:.0f} ms ({PROBE} one-document partitions)"
    )
    print(f"  in the run above         {overhead * 1000:.0f} ms (worker time not in the suggester)")
    rate = n / c["worker_seconds"]
    print(f"in the suggester, per worker {rate:.1f} docs/s ({c['worker_seconds']:.1f} s in all)")
    verdict = "ok" if c["loads"] == c["workers"] else "MISMATCH"
    print(f"pipeline loads             {c['loads']} for {c['workers']} workers ({verdict})")
    same = base == multi == c["lines"]
    print(f"outputs identical          {'yes' if same else 'NO'}")
    if not same or c["loads"] != c["workers"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
