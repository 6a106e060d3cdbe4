"""Every benchmark script still loads against the package (its imports resolve), so a
rename in the package cannot silently break the figures the README quotes. Loading
runs a script's top level only: its `main()` waits for `__name__ == "__main__"`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.jobs.evaluating import read_gold_files_merged
from workbench.model import Span

BENCHMARKS = sorted((Path(__file__).resolve().parents[1] / "benchmarks").glob("*.py"))
LOAD = (
    "import importlib.util, sys; p = sys.argv[1]; "
    "spec = importlib.util.spec_from_file_location('bench', p); "
    "m = sys.modules['bench'] = importlib.util.module_from_spec(spec); "
    "spec.loader.exec_module(m)"
)


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_script_loads(script):
    assert '__name__ == "__main__"' in script.read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", LOAD, str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr.strip().splitlines()[-1:]


def test_gold_of_two_files_on_the_same_passages_is_merged(tmp_path):
    text = "Two were killed in Kabul."
    entities, casualties = tmp_path / "e.jsonl", tmp_path / "c.jsonl"
    gpe = {"start": 19, "end": 24, "label": "GPE"}
    killed = {"start": 0, "end": 3, "label": "KILLED", "value": 2, "qualifier": "exact"}
    entities.write_text(json.dumps({"text": text, "spans": [gpe]}) + "\n")
    casualties.write_text(
        json.dumps({"text": text, "spans": [killed]})
        + "\n"
        + json.dumps({"text": "Quiet.", "spans": []})
        + "\n"
    )
    merged = read_gold_files_merged([entities, casualties, entities])
    assert [t for t, _ in merged] == [text, "Quiet."]
    assert [(s.start, s.label) for s in merged[0][1]] == [(0, "KILLED"), (19, "GPE")]
    assert all(isinstance(s, Span) for s in merged[0][1])
