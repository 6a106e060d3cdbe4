"""`workbench predict`: suggestions for texts outside any database, as JSONL."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from ..interchange.jsonl import record
from ..interchange.readers import InputError, parse_record
from ..nlp.suggest import Suggester


def read_predict_input(source: Path) -> list[dict[str, Any]]:
    """Records from JSONL ({"text": ...} per line) or plain text (one document); '-' is stdin."""
    name = "<stdin>" if str(source) == "-" else str(source)
    data = sys.stdin.buffer.read() if str(source) == "-" else source.read_bytes()
    if source.suffix.lower() in (".jsonl", ".ndjson") or data.lstrip()[:1] == b"{":
        records = []
        for number, raw in enumerate(data.splitlines(), start=1):
            if raw.strip():
                doc = parse_record(raw, Path(name), number)
                records.append({**doc.meta, "text": doc.text})
        return records
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        raise InputError(name, data[: e.start].count(b"\n") + 1, "invalid UTF-8") from None
    if not text.strip():
        raise InputError(name, None, "empty document")
    return [{"text": text}]


def predict_records(
    records: list[dict[str, Any]], suggester: Suggester, *, batch_size: int, n_process: int
) -> Iterator[bytes]:
    """One JSONL line per record: its keys kept, "spans" from the suggester."""
    results = suggester.suggest(
        (r["text"] for r in records), batch_size=batch_size, n_process=n_process
    )
    for rec, spans in zip(records, results, strict=True):
        extra = {k: v for k, v in rec.items() if k != "text"}
        yield orjson.dumps(record(rec["text"], spans, extra)) + b"\n"
