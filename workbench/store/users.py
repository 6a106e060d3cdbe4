"""Users and their roles (workbench/roles.py), and the database's own settings."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..model import Change
from ..roles import ADMIN, ROLES
from .base import StoreBase, _now
from .errors import StoreError

SERVICE_ACCOUNT = "service_account"
CURRENT_MODEL = "suggest_model"  # the pipeline `workbench suggest --model` made current


@dataclass(frozen=True)
class User:
    name: str
    role: str
    added_at: str
    removed_at: str | None = None

    @property
    def active(self) -> bool:
        return self.removed_at is None


@dataclass(frozen=True)
class Roles:
    """Who the database knows, read once per command: active users' roles."""

    roles: dict[str, str]
    service_account: str | None = None

    def role(self, name: str) -> str | None:
        return self.roles.get(name)


def read_roles(path: Path) -> Roles:
    """The users of the database at `path`, read without writing; empty where there is
    no database or it predates users (a single-person install)."""
    if not path.exists():
        return Roles({})
    uri = path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:  # a WAL file read with no -shm and no write access
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "users" not in tables:
            return Roles({})
        roles = dict(conn.execute("SELECT name, role FROM users WHERE removed_at IS NULL"))
        row = conn.execute(
            "SELECT value FROM settings WHERE key = ?", (SERVICE_ACCOUNT,)
        ).fetchone()
        return Roles(roles, row[0] if row else None)
    finally:
        conn.close()


class UsersMixin(StoreBase):
    def users(self, *, removed: bool = False) -> list[User]:
        """Every user, by name; removed users too when `removed`."""
        where = "" if removed else " WHERE removed_at IS NULL"
        return [User(**r) for r in self._rows(f"SELECT * FROM users{where} ORDER BY name")]

    def add_user(self, name: str, role: str, by: str) -> list[User]:
        """Add a user (or bring back a removed one); returns who was added. On a
        database with no users yet, `by` (who runs the command) is first made its admin."""
        _check_role(role)
        added: list[User] = []
        with self._write() as conn:
            if conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0:
                added.append(self._insert_user(conn, by, ADMIN, by))
                if name == by:
                    return added
            row = conn.execute("SELECT removed_at FROM users WHERE name = ?", (name,)).fetchone()
            if row is not None and row[0] is None:
                raise StoreError(f"{name} is already a user; change a role with users set-role")
            added.append(self._insert_user(conn, name, role, by))
        return added

    def _insert_user(self, conn: sqlite3.Connection, name: str, role: str, by: str) -> User:
        now = _now()
        conn.execute(
            "INSERT INTO users (name, role, added_at) VALUES (?, ?, ?) ON CONFLICT (name)"
            " DO UPDATE SET role = excluded.role, added_at = excluded.added_at,"
            " removed_at = NULL",
            (name, role, now),
        )
        self._event(conn, by, "user-add", after=Change(notes={"user": name, "role": role}))
        return User(name, role, now)

    def set_role(self, name: str, role: str, by: str) -> str:
        """Change a user's role; returns the old one."""
        _check_role(role)
        with self._write() as conn:
            old = self._active_role(conn, name)
            if old == ADMIN and role != ADMIN:
                self._keep_an_admin(conn, name)
            conn.execute("UPDATE users SET role = ? WHERE name = ?", (role, name))
            self._event(
                conn,
                by,
                "user-role",
                before=Change(notes={"user": name, "role": old}),
                after=Change(notes={"user": name, "role": role}),
            )
        return old

    def remove_user(self, name: str, by: str) -> None:
        """Take a user's access away; their annotations and events stay."""
        with self._write() as conn:
            old = self._active_role(conn, name)
            if old == ADMIN:
                self._keep_an_admin(conn, name)
            conn.execute("UPDATE users SET removed_at = ? WHERE name = ?", (_now(), name))
            self._event(conn, by, "user-remove", before=Change(notes={"user": name, "role": old}))

    def set_service_account(self, account: str, by: str) -> None:
        """Record the OS account of the SSH deployment (`workbench ssh-entry`)."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key)"
                " DO UPDATE SET value = excluded.value",
                (SERVICE_ACCOUNT, account),
            )
            self._event(conn, by, "service-account", after=Change(notes={"account": account}))

    def current_model(self) -> str | None:
        """The pipeline the database's suggestions come from, when `workbench suggest
        --model` chose one; None: the configured model."""
        row = self._one("SELECT value FROM settings WHERE key = ?", [CURRENT_MODEL])
        return None if row is None else str(row["value"])

    def set_current_model(self, model: str | None, by: str) -> None:
        """Make `model` the one every suggester of this database uses (None: back to
        the configured model), so the annotator and `suggest` never mix two models."""
        with self._write() as conn:
            before = self._setting(conn, CURRENT_MODEL)
            if model is None:
                conn.execute("DELETE FROM settings WHERE key = ?", (CURRENT_MODEL,))
            else:
                conn.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key)"
                    " DO UPDATE SET value = excluded.value",
                    (CURRENT_MODEL, model),
                )
            if before != model:
                self._event(
                    conn,
                    by,
                    "current-model",
                    before=Change(notes={"model": before}),
                    after=Change(notes={"model": model}),
                )

    def _setting(self, conn: sqlite3.Connection, key: str) -> str | None:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _active_role(self, conn: sqlite3.Connection, name: str) -> str:
        row = conn.execute(
            "SELECT role FROM users WHERE name = ? AND removed_at IS NULL", (name,)
        ).fetchone()
        if row is None:
            raise StoreError(f"{name} is not a user")
        return str(row[0])

    def _keep_an_admin(self, conn: sqlite3.Connection, name: str) -> None:
        others = conn.execute(
            "SELECT count(*) FROM users WHERE role = ? AND removed_at IS NULL AND name != ?",
            (ADMIN, name),
        ).fetchone()[0]
        if not others:
            raise StoreError(f"{name} is the only admin; make someone else admin first")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise StoreError(f"unknown role {role!r}; one of {', '.join(ROLES)}")


class PeopleFiguresMixin(StoreBase):
    """What `workbench stats` counts per person (annotations, labels, times)."""

    def status_counts(self) -> list[tuple[str, str, int]]:
        """(annotator, status, annotations) for every annotator and status."""
        rows = self._rows(
            "SELECT annotator, status, count(*) AS n FROM annotations"
            " GROUP BY annotator, status ORDER BY annotator, status"
        )
        return [(r["annotator"], r["status"], int(r["n"])) for r in rows]

    def submitted_label_counts(self) -> list[tuple[str, str, int]]:
        """(annotator, label, accepted spans) over submitted annotations."""
        rows = self._rows(
            "SELECT a.annotator, s.label, count(*) AS n FROM annotation_spans s"
            " JOIN annotations a ON a.id = s.annotation_id"
            " WHERE a.status = 'submitted' AND s.status = 'accepted'"
            " GROUP BY a.annotator, s.label ORDER BY a.annotator, s.label"
        )
        return [(r["annotator"], r["label"], int(r["n"])) for r in rows]

    def work_times(self) -> list[tuple[str, str, str]]:
        """(annotator, open time, first submit/skip/flag time) per annotation, from the
        events: how long each document took its annotator."""
        rows = self._rows(
            "SELECT annotator, min(CASE WHEN action = 'open' THEN ts END) AS opened,"
            " min(CASE WHEN action IN ('submit', 'skip', 'flag') THEN ts END) AS done"
            " FROM events WHERE annotation_id IS NOT NULL GROUP BY annotator, annotation_id"
            " HAVING opened IS NOT NULL AND done IS NOT NULL ORDER BY annotator"
        )
        return [(r["annotator"], r["opened"], r["done"]) for r in rows]
