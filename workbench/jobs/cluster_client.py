"""The Dask side of cluster mode: connect to a scheduler or start a LocalCluster, and
say what it is. Dask is imported only inside these functions."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from distributed import Client

INSTALL_HINT = "--cluster needs Dask: pip install 'workbench[cluster]'"
WAIT_FOR_WORKERS = 60  # seconds


class ClusterError(Exception):
    """The cluster cannot do the work; `code` is the exit status (2: bad usage)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ClusterError(INSTALL_HINT, code=2) from None
    return distributed


@contextmanager
def connect(target: str, *, dashboard_address: str | None = ":8787") -> Iterator[Client]:
    """A Client of `target`: "local" or "local:N" starts a LocalCluster of N worker
    processes (one thread each) for this run; anything else is a scheduler's address."""
    distributed = _distributed()
    if target == "local" or target.startswith("local:"):
        count = target.partition(":")[2] or str(os.cpu_count() or 1)
        if not count.isdigit() or int(count) < 1:
            raise ClusterError(f"--cluster {target}: expected local or local:N, N >= 1", code=2)
        # One thread per worker: spaCy holds the GIL, so a process per core is the unit.
        with (
            distributed.LocalCluster(
                n_workers=int(count),
                threads_per_worker=1,
                processes=True,
                dashboard_address=dashboard_address,
                # Workers share this terminal: their failures reach the user as one
                # line each from here, not as their tracebacks.
                silence_logs=logging.CRITICAL,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = distributed.Client(target, timeout="20s")
    except (OSError, TimeoutError, ValueError) as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {target}: {e}") from None
    with client:
        yield client


def describe_cluster(client: Client) -> str:
    """One line: the scheduler, its workers and threads, and the dashboard link if any."""
    nthreads = client.nthreads()
    threads = sum(nthreads.values())
    address = client.scheduler.address
    line = f"Dask scheduler {address}: {len(nthreads)} worker(s), {threads} thread(s)"
    link = dashboard_link(client)
    return f"{line}; dashboard {link}" if link else line


def dashboard_link(client: Client) -> str | None:
    """The scheduler's dashboard, or None when it has none (no bokeh where it runs: the
    scheduler then serves only a page asking for it)."""
    if "dashboard" not in client.scheduler_info().get("services", {}):
        return None
    if not client.run_on_scheduler(_has_bokeh):
        return None
    try:
        return str(client.dashboard_link)
    except (KeyError, AttributeError):
        return None


def _has_bokeh() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def _threads(client: Client) -> int:
    return max(1, sum(client.nthreads().values()))
