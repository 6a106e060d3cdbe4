"""Every command and every option is documented (sqlite-utils' habit).

The command tree is walked from the click group itself, so a new command or option
fails here until the README's Commands section (or docs/*.md) mentions it.
"""

from __future__ import annotations

import re

import click

from workbench.cli import cli

REPO = __import__("pathlib").Path(__file__).resolve().parents[1]


def units() -> list[str]:
    """README.md and docs/*.md cut into paragraphs, each table row a unit of its own."""
    found = []
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
            if block.lstrip().startswith("|"):
                found += block.splitlines()
            else:
                found.append(block)
    return found


def mentions(unit: str, words: str) -> bool:
    return re.search(re.escape(words) + r"(?![\w-])", unit) is not None


def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    """("review log", command) for every command under `group`, groups included."""
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((prefix + name, command))
        if isinstance(command, click.Group):
            found += commands(command, prefix + name + " ")
    return found


def flags(command: click.Command) -> list[str]:
    """The long option names of a command (--help and --version excluded)."""
    names = []
    for param in command.params:
        if isinstance(param, click.Option):
            names += [o for o in param.opts + param.secondary_opts if o.startswith("--")]
    return [n for n in names if n not in ("--help", "--version")]


def test_the_walk_finds_the_commands_and_options_we_know():
    found = dict(commands(cli))
    assert {"import", "export", "review log", "config show"} <= set(found)
    assert "--force" in flags(found["export"]) and "--since" in flags(found["review log"])


def test_every_command_has_a_docstring_and_a_mention():
    found = units()
    missing = [
        name
        for name, command in commands(cli)
        if not command.help or not any(mentions(u, f"workbench {name}") for u in found)
    ]
    assert not missing, f"undocumented commands: {missing}"


def test_every_option_is_documented_beside_its_command():
    """A command's option is named in a paragraph or table row that names the command
    (`workbench review log ... --since`); a global option anywhere."""
    found = units()
    missing = [
        f"{name or '(global)'} {flag}"
        for name, command in [("", cli), *commands(cli)]
        for flag in flags(command)
        if not any(
            mentions(u, flag) and (not name or mentions(u, f"workbench {name}")) for u in found
        )
    ]
    assert not missing, f"options missing from README.md and docs/*.md: {missing}"
