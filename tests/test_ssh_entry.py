"""`workbench ssh-entry NAME`: the forced command of the service-account deployment,
without sshd: SSH_ORIGINAL_COMMAND set as sshd would set it. The test's own account
plays the service account (it is recorded as such), and is not itself a user."""

from __future__ import annotations

import os
import pwd

import click
import orjson
import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.cli.base import Context
from workbench.store import Store

from .conftest import db_snapshot, new_doc

ME = pwd.getpwuid(os.getuid()).pw_name


@pytest.fixture
def served(tmp_path):
    db = tmp_path / "team.db"
    with Store(db) as store:
        store.add_documents([new_doc("Two people were killed.")], annotator="lead")
        store.add_user("lead", "admin", "lead")
        store.add_user("bob", "annotator", "lead")
        store.add_user("rita", "reviewer", "lead")
        store.set_service_account(ME, "lead")
    return db


def entry(db, name: str, command: str | None):
    env = {} if command is None else {"SSH_ORIGINAL_COMMAND": command}
    return CliRunner().invoke(cli, ["--db", str(db), "ssh-entry", name], env=env)


def test_the_name_on_the_key_is_who_runs_the_command(served):
    result = entry(served, "rita", "stats --json")
    assert result.exit_code == 0, result.output
    assert "bob" not in orjson.loads(result.output)["annotators"]  # nothing submitted yet
    log = entry(served, "rita", "review log --limit 1")
    assert log.exit_code == 0 and "service-account" in log.output


def test_the_role_of_the_name_on_the_key_applies(served):
    before = db_snapshot(served)
    result = entry(served, "bob", "review log")
    assert result.exit_code == 2
    assert result.output == (
        "workbench: error: bob is an annotator; reading everyone's work needs the"
        " reviewer or auditor role\n"
    )
    assert db_snapshot(served) == before


@pytest.mark.parametrize(
    "command",
    [
        "bash",
        "sh -c id",
        "annotate; bash",
        "--annotator rita annotate",
        "annotate --annotator rita",
        "users add bob --role admin",
        "review adjudicate 1 --take bob",
        "export --out /tmp/x --force",
        "import /etc/passwd",
    ],
)
def test_nothing_but_the_listed_commands_runs(served, command):
    before = db_snapshot(served)
    result = entry(served, "rita", command)
    assert result.exit_code == 2
    assert result.output.startswith("workbench: error: rita: ")
    assert len(result.output.strip().splitlines()) == 1
    assert db_snapshot(served) == before


def test_only_the_recorded_service_account_may_vouch_for_a_name(served, tmp_path):
    with Store(served) as store:
        store.set_service_account("someone-else", "lead")
    result = entry(served, "rita", "stats")
    assert result.exit_code == 2
    assert (
        f"ssh-entry runs only as the service account someone-else; this process runs as {ME}"
        in result.output
    )


def test_without_a_service_account_ssh_entry_refuses(tmp_path):
    db = tmp_path / "plain.db"
    with Store(db) as store:
        store.add_user("lead", "admin", "lead")
    result = entry(db, "lead", "stats")
    assert result.exit_code == 2 and "no service account is recorded" in result.output


def test_an_unknown_name_is_refused(served):
    result = entry(served, "mallory", "stats")
    assert result.exit_code == 2 and "mallory is not a user" in result.output


def test_the_name_does_not_outlive_the_command(served):
    entry(served, "rita", "stats")
    # The test account itself is not a user: outside ssh-entry it is refused.
    result = CliRunner().invoke(cli, ["--db", str(served), "stats"])
    assert result.exit_code == 2 and f"{ME} is not a user" in result.output


def test_the_forced_commands_configuration_reaches_the_command(served, tmp_path, monkeypatch):
    """`workbench --config team.toml ssh-entry NAME`: the command it runs reads that
    configuration, not the default one (it was silently dropped)."""
    import workbench.stats

    team = tmp_path / "team.toml"
    team.write_text("[workbench]\noverlap = 2\n", encoding="utf-8")
    configs = []
    real = workbench.stats.team_stats

    def recording(store):  # what the command's context was built from
        context = click.get_current_context().find_object(Context)
        configs.append((context.config.path, context.config.overlap))
        return real(store)

    monkeypatch.setattr(workbench.stats, "team_stats", recording)
    result = CliRunner().invoke(
        cli,
        ["--config", str(team), "--db", str(served), "ssh-entry", "rita"],
        env={"SSH_ORIGINAL_COMMAND": "stats --json"},
    )
    assert result.exit_code == 0, result.output
    assert configs == [(team, 2)]
