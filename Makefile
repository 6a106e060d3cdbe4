PY ?= .venv/bin/python

.PHONY: test lint snapshot-update bench

test:
	$(PY) -m pytest

lint:
	$(PY) -m ruff check workbench tests benchmarks
	$(PY) -m ruff format --check workbench tests benchmarks
	$(PY) -m mypy

snapshot-update:
	$(PY) -m pytest tests/tui --snapshot-update

bench:
	for f in benchmarks/*.py; do $(PY) $$f; done
