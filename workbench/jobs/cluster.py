"""`predict` and `suggest` on a Dask cluster: the serial suggestion path, run on workers.

The driver (the machine running `workbench`) checks and reads the inputs, cuts them
into partitions and sends each to the cluster; a worker runs exactly what the serial
commands run (`predict.predict_records`, `suggesting.suggest_each`) on a suggester it
builds once per process, in a `WorkerPlugin`'s setup. Results come back to the
driver, which alone writes: one shard per partition under `--out` (a temporary name,
renamed when complete), or the database through `Store.save_suggestions`. So workers
need the same workbench and model installed, but no shared file system and no
database.

A worker that dies mid-partition has its partition run again elsewhere (the
scheduler reschedules the tasks of a lost worker, up to
`distributed.scheduler.allowed-failures` times); a partition whose task raised is
retried `retries` times. Each shard is written once, by the driver, when its
result arrives, so neither can write a shard twice or half.

Dask is an optional dependency (`pip install 'workbench[cluster]'`), imported only
inside these functions, so `workbench --help` never loads it.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ..config import ConfigError
from . import Report, no_progress
from .cluster_client import WAIT_FOR_WORKERS, ClusterError, _distributed, _threads
from .cluster_inputs import (
    MANIFEST,
    PARTITION_SIZE,
    InputFile,
    Partition,
    partitions,
    prepare_out,
    write_atomic,
)
from .suggesting import Failure, OnFailure, describe, gold_patterns

RETRIES = 2

if TYPE_CHECKING:
    from distributed import Client

    from ..config import Config
    from ..model import Span
    from ..nlp.suggest import Suggester
    from ..store import Store
    from .predict import PredictInput

# --- the suggester on every worker -------------------------------------------------------


@dataclass(frozen=True)
class SuggesterSpec:
    """What `nlp.suggest.suggester_for` needs, sent to the workers to build it there."""

    config: Config
    model: str | None = None
    gold_patterns: tuple[tuple[str, str], ...] = ()

    @classmethod
    def for_store(cls, store: Store, config: Config, model: str | None = None) -> SuggesterSpec:
        """The suggester `suggesting.store_suggester` builds: plus the store's gold ruler."""
        return cls(config, model or store.current_model(), tuple(gold_patterns(store, config)))

    def build(self) -> Suggester:
        from ..nlp.suggest import suggester_for

        return suggester_for(self.config, self.model, self.gold_patterns)

    @property
    def name(self) -> str:
        """The plugin's name: runs with different suggesters can share a cluster."""
        return "workbench-suggester-" + hashlib.sha256(repr(self).encode()).hexdigest()[:12]


def _plugin_class() -> type:
    from distributed import WorkerPlugin

    class SuggesterPlugin(WorkerPlugin):
        """Builds the suggester once, when a worker process starts or the plugin arrives."""

        def __init__(self, spec: SuggesterSpec) -> None:
            self.spec = spec
            self.name = spec.name
            self.suggester: Suggester | None = None
            self.lock = threading.Lock()  # one partition at a time per pipeline

        def setup(self, worker: Any) -> None:
            self.suggester = self.spec.build()

        def __getstate__(self) -> dict[str, Any]:
            return {"spec": self.spec}

        def __setstate__(self, state: dict[str, Any]) -> None:
            self.__init__(state["spec"])  # type: ignore[misc]

    SuggesterPlugin.__module__ = __name__
    return SuggesterPlugin


def __getattr__(name: str) -> Any:
    # The plugin class derives from distributed's WorkerPlugin, so it is made on first
    # use, on the driver and on each worker alike (unpickling looks it up here by name).
    if name == "SuggesterPlugin":
        globals()[name] = plugin_class = _plugin_class()
        return plugin_class
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class RemoteSuggester:
    """A suggester installed on every worker of a client's cluster."""

    client: Client
    spec: SuggesterSpec
    version: str


def install_suggester(client: Client, spec: SuggesterSpec) -> RemoteSuggester:
    """Register the plugin (each worker builds the pipeline now, and any worker that
    joins later builds it as it starts) and check that all workers agree on the model."""
    plugin_class = __getattr__("SuggesterPlugin")
    try:  # a scheduler started just now may still be waiting for its workers
        client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
    except TimeoutError:
        raise ClusterError(f"no Dask worker joined in {WAIT_FOR_WORKERS} s") from None
    try:
        client.register_plugin(plugin_class(spec), name=spec.name)
    except ImportError as e:
        raise ClusterError(
            f"a worker cannot import workbench ({e}): install the same workbench and model "
            "on every worker"
        ) from None
    except Exception as e:  # noqa: BLE001 (a worker's setup raised: a model it cannot load)
        # Unregistered, or the scheduler would hand the broken plugin to every new worker.
        client.unregister_worker_plugin(spec.name)
        code = 2 if isinstance(e, ConfigError) else 1  # as serial predict: a bad --model
        raise ClusterError(f"a worker could not build the suggester: {e}", code) from None
    versions = client.run(_worker_version, spec.name)
    distinct = sorted(set(versions.values()))
    if len(distinct) > 1:
        listing = "; ".join(f"{w}: {v}" for w, v in sorted(versions.items()))
        raise ClusterError(f"workers disagree on the model ({listing}): install the same models")
    return RemoteSuggester(client, spec, distinct[0])


def pipeline_loads(client: Client) -> int:
    """Pipelines built so far by the workers' processes, summed (from the build cache)."""
    return sum(client.run(_pipelines_built).values())


def _pipelines_built() -> int:
    from ..nlp.suggest import build_suggester

    return build_suggester.cache_info().misses


def _local(name: str, worker: Any = None) -> Any:
    if worker is None:
        from distributed import get_worker

        worker = get_worker()
    return worker.plugins[name]


def _worker_version(name: str, dask_worker: Any = None) -> str:
    # client.run passes the worker as `dask_worker`: it runs outside any task.
    return str(_local(name, dask_worker).suggester.version)


# --- predict -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PartitionResult:
    """What a worker sends back: the shard's bytes, what failed, and how long it took."""

    data: bytes
    written: int
    failures: list[Failure]
    seconds: float
    worker: str


def predict_partition(name: str, inputs: list[PredictInput], batch_size: int) -> PartitionResult:
    """On a worker: serial `predict` over one partition, with that worker's suggester."""
    from .predict import predict_records

    plugin = _local(name)
    failures: list[Failure] = []
    start = time.perf_counter()
    with plugin.lock:
        lines = list(
            predict_records(
                inputs,
                plugin.suggester,
                on_failure=failures.append,
                batch_size=batch_size,
                n_process=1,
            )
        )
    seconds = time.perf_counter() - start
    return PartitionResult(b"".join(lines), len(lines), failures, seconds, str(os.getpid()))


@dataclass
class PredictRun:
    """What a cluster `predict` did (the manifest, as written under --out)."""

    documents: int = 0
    written: int = 0
    failures: list[Failure] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    shards: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    worker_seconds: float = 0.0


def require() -> None:
    """Raise ClusterError (exit 2, what to install) unless Dask's distributed is there."""
    _distributed()


def predict_on_cluster(
    remote: RemoteSuggester,
    files: list[InputFile],
    out: Path,
    *,
    partition_size: int = PARTITION_SIZE,
    batch_size: int = 64,
    skip_invalid: bool = False,
    retries: int = RETRIES,
    on_failure: OnFailure = lambda _: None,
    report: Report = no_progress,
) -> PredictRun:
    """Suggestions for `files` (checked with `check_inputs`) as shards under `out`, one
    per partition, and a manifest written last; `report(n)` as partitions complete."""
    from distributed import as_completed

    started = datetime.now(UTC)
    clock = time.perf_counter()
    prepare_out(out)
    run = PredictRun()
    pending = partitions(files, partition_size, skip_invalid=skip_invalid)
    submitted: dict[Any, Partition] = {}

    def submit(part: Partition) -> Any:
        future = remote.client.submit(
            predict_partition,
            remote.spec.name,
            part.inputs,
            batch_size,
            key=f"workbench-predict-{part.index}-{os.urandom(4).hex()}",
            retries=retries,
            pure=False,
        )
        submitted[future] = part
        return future

    # Enough in flight to keep every worker busy; the rest stays unread.
    window = as_completed([submit(p) for p in islice(pending, 2 * _threads(remote.client))])
    try:
        for future in window:
            part = submitted.pop(future)
            result = _result(future, part.shard, part.inputs)
            write_atomic(out / part.shard, result.data)
            for failure in result.failures:
                on_failure(failure)
            run.documents += len(part.inputs)
            run.written += result.written
            run.failures.extend(result.failures)
            run.invalid.extend(part.invalid)
            run.worker_seconds += result.seconds
            run.shards.append(
                {
                    "shard": part.shard,
                    "input": str(part.path),
                    "first": part.inputs[0].where if part.inputs else None,
                    "last": part.inputs[-1].where if part.inputs else None,
                    "documents": len(part.inputs),
                    "written": result.written,
                    "failed": [f"{f.where}: {f.error}" for f in result.failures],
                    "invalid": part.invalid,
                    "worker_pid": result.worker,
                    "seconds": round(result.seconds, 3),
                }
            )
            report(len(part.inputs))
            for nxt in islice(pending, 1):
                window.add(submit(nxt))
    except BaseException:
        remote.client.cancel(list(submitted))
        raise
    run.shards.sort(key=lambda s: s["shard"])
    run.seconds = time.perf_counter() - clock
    manifest = {
        "inputs": [
            {"path": str(f.path), "documents": f.documents, "invalid": f.invalid} for f in files
        ],
        "model_version": remote.version,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(run.seconds, 3),
        "documents": run.documents,
        "written": run.written,
        "failed": len(run.failures),
        "invalid": len(run.invalid),
        "partition_size": partition_size,
        "shards": run.shards,
    }
    write_atomic(out / MANIFEST, orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    return run


def _result(future: Any, what: str, inputs: list[PredictInput] | None = None) -> Any:
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker as e:
        first = f" ({inputs[0].where} ...)" if inputs else ""
        raise ClusterError(f"{what}{first}: its workers kept dying: {e}") from None
    except Exception as e:  # noqa: BLE001 (a worker's exception, already retried)
        raise ClusterError(f"{what}: {describe(e)}") from None


# --- suggest -----------------------------------------------------------------------------


def suggest_batch(name: str, texts: list[str], batch_size: int) -> list[list[Span] | str]:
    """On a worker: the serial suggester over one batch; a failed text gives its error."""
    from .suggesting import suggest_each

    plugin = _local(name)
    with plugin.lock:
        results = list(suggest_each(plugin.suggester, texts, batch_size=batch_size))
    return [describe(r) if isinstance(r, BaseException) else r for r in results]


def suggest_on_cluster(
    store: Store,
    remote: RemoteSuggester,
    *,
    partition_size: int = 512,
    batch_size: int = 64,
    retries: int = RETRIES,
    max_batches: int | None = None,
    on_failure: OnFailure = lambda _: None,
    report: Report = no_progress,
) -> int:
    """Suggest every document lacking `remote`'s suggestions, on the cluster; returns how
    many were saved. The driver reads batches and saves each as it comes back (one
    writer, one transaction a batch), so a run stopped half-way and started again
    redoes only what is missing. `max_batches` stops after that many batches."""
    from distributed import as_completed

    documents = store.documents_to_suggest(remote.version)

    def batches() -> Iterator[list[Any]]:
        count = 0
        while (max_batches is None or count < max_batches) and (
            batch := list(islice(documents, partition_size))
        ):
            count += 1
            yield batch

    pending = batches()
    submitted: dict[Any, list[Any]] = {}

    def submit(batch: list[Any]) -> Any:
        future = remote.client.submit(
            suggest_batch,
            remote.spec.name,
            [d.text for d in batch],
            batch_size,
            key=f"workbench-suggest-{batch[0].id}-{os.urandom(4).hex()}",
            retries=retries,
            pure=False,
        )
        submitted[future] = batch
        return future

    done = 0
    window = as_completed([submit(b) for b in islice(pending, 2 * _threads(remote.client))])
    try:
        for future in window:
            batch = submitted.pop(future)
            results = _result(future, f"documents {batch[0].id}..{batch[-1].id}")
            good = []
            for doc, spans in zip(batch, results, strict=True):
                if isinstance(spans, str):
                    on_failure(Failure(f"document {doc.id}", spans))
                else:
                    good.append((doc.id, spans))
            store.save_suggestions(good, remote.version)
            done += len(good)
            report(len(batch))
            for nxt in islice(pending, 1):
                window.add(submit(nxt))
    except BaseException:
        remote.client.cancel(list(submitted))
        raise
    return done
