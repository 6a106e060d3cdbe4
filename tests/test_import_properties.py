"""Property: an import either takes the whole file or leaves the database as it was."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.interchange.readers import InputError
from workbench.jobs.importing import import_paths
from workbench.store import Store

from .conftest import db_snapshot

texts = st.text(min_size=0, max_size=40)
offsets = st.integers(min_value=-3, max_value=45)
spans = st.fixed_dictionaries(
    {"start": offsets, "end": offsets, "label": st.sampled_from(["GPE", "KILLED", ""])}
)
records = st.fixed_dictionaries({"text": texts, "spans": st.lists(spans, max_size=3)})


def valid(record: dict) -> bool:
    text = record["text"]
    if not text.strip():
        return False
    return all(s["label"] and 0 <= s["start"] < s["end"] <= len(text) for s in record["spans"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records, min_size=1, max_size=5), st.binary(max_size=8))
def test_import_is_all_or_nothing(batch, junk):
    with tempfile.TemporaryDirectory() as tmp:
        db, src = Path(tmp) / "a.db", Path(tmp) / "in.jsonl"
        with Store(db) as store:
            store.add_documents([])
        before = db_snapshot(db)
        lines = b"".join(json.dumps(r).encode() + b"\n" for r in batch)
        src.write_bytes(lines + junk)
        with Store(db) as store:
            try:
                result = import_paths(store, [src])
            except InputError as e:
                assert e.path == str(src) and e.reason
                assert db_snapshot(db) == before
                return
        assert all(valid(r) for r in batch)
        with Store(db) as store:
            stored = {store.document(i).text for i in store.document_ids()}
            assert stored == {r["text"] for r in batch}
            assert result.added == len(stored)
            assert store.integrity_check() == "ok"
