"""Who you are and what your role lets you do (workbench/roles.py, cli/base.py).

The person is the operating-system account: these tests run the real CLI, and where
they need several people on one machine they replace `workbench.cli.os_account`
(the one function that asks the user database) with a chosen name.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import workbench.cli as cli_module
from workbench.cli import cli
from workbench.roles import (
    ADMIN,
    ANNOTATOR,
    AUDITOR,
    COMMANDS,
    REVIEWER,
    ROLES,
    Refused,
    check,
    ssh_command,
)
from workbench.store import Store

from .conftest import db_snapshot, new_doc

ME = pwd.getpwuid(os.getuid()).pw_name

# Arguments that get each command past click's parsing to its role check.
ARGS: dict[str, list[str]] = {
    "annotate": [],
    "serve": [],
    "init": [],
    "import": ["no-such-file.txt"],
    "status": [],
    "suggest": [],
    "predict": ["no-such-file.txt"],
    "train": ["--out", "model-out"],
    "evaluate": [],
    "export": [],
    "stats": [],
    "review agreement": [],
    "review disagreements": [],
    "review log": [],
    "review verify": [],
    "review adjudicate": ["1", "--take", "amira"],
    "users list": [],
    "users add": ["zoe", "--role", "annotator"],
    "users set-role": ["bob", "reviewer"],
    "users remove": ["bob"],
    "users service-account": ["wb"],
}
# What each role may run (ANYONE commands, config and ssh-entry, are left out).
ALLOWED = {
    ANNOTATOR: {"annotate", "serve", "status", "users list"},
    AUDITOR: {"status", "users list", "evaluate", "export", "predict", "stats"}
    | {"review agreement", "review disagreements", "review log", "review verify"},
}
ALLOWED[REVIEWER] = ALLOWED[ANNOTATOR] | ALLOWED[AUDITOR] | {"review adjudicate"}
ALLOWED[ADMIN] = set(ARGS)
PEOPLE = {ADMIN: "lead", ANNOTATOR: "bob", REVIEWER: "rita", AUDITOR: "audrey"}


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """A database with one document and a user of each role; lead is its admin."""
    db = tmp_path / "team.db"
    with Store(db) as store:
        store.add_documents([new_doc("Two people were killed in Dushanbe.")], annotator="lead")
        store.add_user("lead", ADMIN, "lead")
        for role, name in PEOPLE.items():
            if role != ADMIN:
                store.add_user(name, role, "lead")
    return db


def run_as(monkeypatch, name: str, args: list[str], env: dict[str, str] | None = None):
    monkeypatch.setattr(cli_module, "os_account", lambda: name)
    return CliRunner().invoke(cli, args, env=env)


def _tree(group: click.Group, prefix: str = "") -> set[str]:
    out: set[str] = set()
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out |= _tree(command, f"{prefix}{name} ")
        else:
            out.add(f"{prefix}{name}")
    return out


def test_every_command_is_in_the_table_of_roles_and_every_entry_is_a_command():
    assert _tree(cli) == set(COMMANDS)
    assert set(ARGS) | {"config show", "config init", "ssh-entry"} == set(COMMANDS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("command", sorted(ARGS))
def test_each_role_is_refused_what_the_table_denies_in_one_line_and_nothing_changes(
    team, monkeypatch, role, command
):
    name = PEOPLE[role]
    if command in ALLOWED[role]:
        # Allowed (the annotator, training... are not run here; the tests below run
        # allowed read commands through the CLI): the table does not refuse it.
        check(name, role, command)
        return
    before = db_snapshot(team)
    result = run_as(monkeypatch, name, ["--db", str(team), *command.split(), *ARGS[command]])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"workbench: error: {name} is a")
    assert "needs the" in lines[0]
    assert db_snapshot(team) == before


def test_the_refusal_reads_as_the_issue_asks(team, monkeypatch):
    args = ["--db", str(team), "review", "adjudicate", "1", "--take", "amira"]
    result = run_as(monkeypatch, "bob", args)
    assert result.output == (
        "workbench: error: bob is an annotator; adjudicating needs the reviewer role\n"
    )


def test_someone_not_a_user_is_refused_and_told_how_to_be_added(team, monkeypatch):
    result = run_as(monkeypatch, "mallory", ["--db", str(team), "status"])
    assert result.exit_code == 2
    assert "mallory is not a user" in result.output
    assert "workbench users add mallory" in result.output


def test_annotator_cannot_act_as_someone_else_by_option_or_variable(team, monkeypatch):
    before = db_snapshot(team)
    by_option = run_as(monkeypatch, "bob", ["--db", str(team), "--annotator", "rita", "status"])
    by_env = run_as(
        monkeypatch, "bob", ["--db", str(team), "status"], env={"WORKBENCH_ANNOTATOR": "rita"}
    )
    for result in (by_option, by_env):
        assert result.exit_code == 2
        assert "bob is an annotator; acting as rita" in result.output
        assert "needs the admin role" in result.output
    assert db_snapshot(team) == before


def test_admin_may_act_as_a_colleague_to_import_their_corpus(team, monkeypatch, tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("Three soldiers were wounded.", encoding="utf-8")
    result = run_as(
        monkeypatch, "lead", ["--db", str(team), "--annotator", "bob", "import", str(text)]
    )
    assert result.exit_code == 0, result.output
    with Store(team) as store:
        events = [e for e in store.audit_log() if e.action == "import"]
    assert events[-1].annotator == "bob"


def test_reviewer_cannot_adjudicate_in_another_reviewers_name(team, monkeypatch):
    result = run_as(
        monkeypatch,
        "rita",
        ["--db", str(team), "review", "adjudicate", "1", "--take", "bob", "--reviewer", "lead"],
    )
    assert result.exit_code == 2
    assert "rita is a reviewer; acting as lead" in result.output


def test_a_database_without_users_works_as_before_for_anyone(tmp_path, monkeypatch):
    db = tmp_path / "solo.db"
    with Store(db) as store:
        store.add_documents([new_doc("One man died.")], annotator="x")
    result = run_as(monkeypatch, "anyone", ["--db", str(db), "--annotator", "amira", "status"])
    assert result.exit_code == 0, result.output


def test_first_user_added_becomes_admin_and_is_told_so(tmp_path, monkeypatch):
    db = tmp_path / "new.db"
    result = run_as(
        monkeypatch, "lead", ["--db", str(db), "users", "add", "bob", "--role", "annotator"]
    )
    assert result.exit_code == 0, result.output
    assert "lead is the first user and so this database's admin." in result.output
    with Store(db) as store:
        assert {u.name: u.role for u in store.users()} == {"lead": ADMIN, "bob": ANNOTATOR}


def test_remove_keeps_history_and_the_last_admin_cannot_go(team, monkeypatch):
    removed = run_as(monkeypatch, "lead", ["--db", str(team), "users", "remove", "bob"])
    assert removed.exit_code == 0, removed.output
    again = run_as(monkeypatch, "bob", ["--db", str(team), "status"])
    assert again.exit_code == 2 and "bob is not a user" in again.output
    last = run_as(
        monkeypatch, "lead", ["--db", str(team), "users", "set-role", "lead", "annotator"]
    )
    assert last.exit_code == 2 and "only admin" in last.output
    with Store(team) as store:
        assert [u.name for u in store.users(removed=True) if u.removed_at] == ["bob"]
        actions = [e.action for e in store.audit_log()]
    assert "user-remove" in actions and actions.count("user-add") == 4


def test_an_annotator_sees_their_own_progress_in_status(team, monkeypatch):
    with Store(team) as store:
        store.submit(store.open_annotation(1, "bob").id, "bob")
    result = run_as(monkeypatch, "bob", ["--db", str(team), "status"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "bob: 1 done (1 today) of 1"


def test_set_role_changes_what_a_user_may_do(team, monkeypatch):
    assert (
        run_as(
            monkeypatch, "lead", ["--db", str(team), "users", "set-role", "bob", "reviewer"]
        ).exit_code
        == 0
    )
    result = run_as(monkeypatch, "bob", ["--db", str(team), "review", "log"])
    assert result.exit_code == 0, result.output


def test_user_and_logname_change_nothing(tmp_path):
    """The real process: USER and LOGNAME claim to be someone else; the person is still
    the account running it (ME), so it becomes the first user, and is then refused
    nothing or everything as ME, never as 'someone'."""
    db = tmp_path / "env.db"
    env = {**os.environ, "USER": "someone", "LOGNAME": "someone"}
    env.pop("WORKBENCH_ANNOTATOR", None)
    run = [sys.executable, "-m", "workbench", "--db", str(db)]
    added = subprocess.run(
        [*run, "users", "add", "bob", "--role", "annotator"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"{ME} is the first user" in added.stdout
    with Store(db) as store:
        assert {u.name for u in store.users()} == {ME, "bob"}
        store.set_role("bob", ADMIN, ME)
        store.set_role(ME, ANNOTATOR, "bob")
    env["USER"] = env["LOGNAME"] = "bob"  # bob is an admin now: claiming to be him
    refused = subprocess.run(
        [*run, "users", "remove", "bob"], env=env, capture_output=True, text=True
    )
    assert refused.returncode == 2
    assert (
        refused.stderr
        == f"workbench: error: {ME} is an annotator; managing users needs the admin role\n"
    )


def test_ssh_command_runs_only_what_is_listed():
    assert ssh_command("") == ["annotate"]
    assert ssh_command("annotate") == ["annotate"]
    assert ssh_command("review") == ["review"]
    assert ssh_command("stats --json") == ["stats", "--json"]
    assert ssh_command("review log --doc 3") == ["review", "log", "--doc", "3"]
    assert ssh_command("export --format conll") == ["export", "--format", "conll"]
    for bad in (
        "bash",
        "annotate; bash",
        "--annotator amira annotate",
        "annotate --annotator amira",
        "review adjudicate 1 --take bob",
        "users add me --role admin",
        "export --out /home/wb/.ssh/authorized_keys",
        "export --out=x --force",
        "review verify",
        "'unclosed",
    ):
        with pytest.raises(Refused):
            ssh_command(bad)
