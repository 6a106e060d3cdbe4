"""The configuration's relation labels: the default, a team's own, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.config import ConfigError, load_config


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "workbench.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_default_relation_is_source(tmp_path: Path) -> None:
    assert load_config(_config(tmp_path, "[workbench]\n")).relations == ("SOURCE",)


def test_a_team_adds_a_relation(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, '[workbench]\nrelations = ["SOURCE", "PLACE"]\n'))
    assert config.relations == ("SOURCE", "PLACE")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('["VALUE"]', "casualty"),
        ('["Qualifier"]', "casualty"),
        ('["SOURCE", "SOURCE"]', "listed twice"),
        ('"SOURCE"', "must be a list"),
        ('["two words"]', "not a label name"),
    ],
)
def test_a_relation_that_would_clash_is_refused(tmp_path: Path, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(_config(tmp_path, f"[workbench]\nrelations = {value}\n"))
