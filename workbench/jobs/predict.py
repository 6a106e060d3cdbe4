"""`workbench predict`: suggestions for texts outside any database, as JSONL."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ..interchange.jsonl import record
from ..interchange.readers import InputError, parse_record
from .suggesting import Failure, OnFailure, describe, suggest_each

if TYPE_CHECKING:
    from ..nlp.suggest import Suggester


@dataclass(frozen=True)
class PredictInput:
    """One input record and where it was read ("input.jsonl:3", or the file's name)."""

    where: str
    record: dict[str, Any]


def read_predict_input(source: Path) -> list[PredictInput]:
    """Records from JSONL ({"text": ...} per line) or plain text (one document); '-' is stdin."""
    name = "<stdin>" if str(source) == "-" else str(source)
    data = sys.stdin.buffer.read() if str(source) == "-" else source.read_bytes()
    if source.suffix.lower() in (".jsonl", ".ndjson") or data.lstrip()[:1] == b"{":
        records = []
        for number, raw in enumerate(data.splitlines(), start=1):
            if raw.strip():
                doc = parse_record(raw, Path(name), number)
                records.append(PredictInput(f"{name}:{number}", {**doc.meta, "text": doc.text}))
        return records
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        raise InputError(name, data[: e.start].count(b"\n") + 1, "invalid UTF-8") from None
    if not text.strip():
        raise InputError(name, None, "empty document")
    return [PredictInput(name, {"text": text})]


def predict_records(
    inputs: list[PredictInput],
    suggester: Suggester,
    *,
    on_failure: OnFailure,
    batch_size: int,
    n_process: int,
) -> Iterator[bytes]:
    """One JSONL line per record: its keys kept, "spans" from the suggester.

    A record whose processing fails is passed to `on_failure` (with its input line)
    and left out; the others go on.
    """
    for start in range(0, len(inputs), 512):
        chunk = inputs[start : start + 512]
        results = suggest_each(
            suggester, [i.record["text"] for i in chunk], batch_size=batch_size, n_process=n_process
        )
        for item, spans in zip(chunk, results, strict=True):
            if isinstance(spans, BaseException):
                on_failure(Failure(item.where, describe(spans)))
                continue
            extra = {k: v for k, v in item.record.items() if k != "text"}
            try:
                line = orjson.dumps(record(item.record["text"], spans, extra)) + b"\n"
            except TypeError as e:  # orjson.JSONEncodeError: a key the input carried
                on_failure(Failure(item.where, describe(e)))
                continue
            yield line
