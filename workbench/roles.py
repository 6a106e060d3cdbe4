"""Who may do what: the roles, their permissions, and the one table of commands.

Pure: no I/O. The CLI checks every command against `COMMANDS` in one place
(`cli/base.py`, `guard_commands`), so a command cannot forget its check; a test
walks the command tree and fails for a command missing from the table.

A database with no users is a single-person install: every check passes, as before
roles existed. Once `workbench users add` has run, every person must be a user.
"""

from __future__ import annotations

from dataclasses import dataclass

ANNOTATOR, REVIEWER, ADMIN, AUDITOR = "annotator", "reviewer", "admin", "auditor"
ROLES = (ANNOTATOR, REVIEWER, ADMIN, AUDITOR)


@dataclass(frozen=True)
class Permission:
    """Something a command needs: `doing` names it in refusals, `roles` hold it."""

    name: str
    doing: str
    roles: tuple[str, ...]

    def needs(self) -> str:
        """'the reviewer role', 'the reviewer, admin or auditor role'."""
        names = [r for r in ROLES if r in self.roles and r != ADMIN] or [ADMIN]
        if len(names) == 1:
            return f"the {names[0]} role"
        return f"the {', '.join(names[:-1])} or {names[-1]} role"


ANYONE = Permission("anyone", "this", ROLES)
OWN_WORK = Permission("own", "annotating", (ANNOTATOR, REVIEWER, ADMIN))
READ_OWN = Permission("read-own", "reading your own progress", ROLES)
READ_ALL = Permission("read-all", "reading everyone's work", (REVIEWER, ADMIN, AUDITOR))
ADJUDICATE = Permission("adjudicate", "adjudicating", (REVIEWER, ADMIN))
IMPORT = Permission("import", "importing documents", (ADMIN,))
SUGGEST = Permission("suggest", "suggesting spans", (ADMIN,))
TRAIN = Permission("train", "training a model", (ADMIN,))
MANAGE_USERS = Permission("manage-users", "managing users", (ADMIN,))
ACT_AS = Permission("act-as", "acting as someone else (--annotator)", (ADMIN,))

# Every command, by its path under `workbench`, and what it needs. Commands that only
# read (READ_*, ANYONE) run for an auditor on a read-only connection.
COMMANDS: dict[str, Permission] = {
    "annotate": OWN_WORK,
    "serve": OWN_WORK,
    "init": IMPORT,
    "import": IMPORT,
    "status": READ_OWN,
    "suggest": SUGGEST,
    "predict": READ_ALL,  # a model over files; the gold ruler reads everyone's gold
    "train": TRAIN,
    "evaluate": READ_ALL,
    "export": READ_ALL,
    "stats": READ_ALL,
    "config show": ANYONE,
    "config init": ANYONE,
    "review agreement": READ_ALL,
    "review disagreements": READ_ALL,
    "review log": READ_ALL,
    "review verify": READ_ALL,
    "review adjudicate": ADJUDICATE,
    "users list": READ_OWN,
    "users add": MANAGE_USERS,
    "users set-role": MANAGE_USERS,
    "users remove": MANAGE_USERS,
    "users service-account": MANAGE_USERS,
    "ssh-entry": ANYONE,  # checks the service account itself
}

# What an auditor (and --read-only) may run: nothing that writes.
READ_ONLY_PERMISSIONS = frozenset({ANYONE.name, READ_OWN.name, READ_ALL.name})


class Refused(Exception):
    """A person may not do this: the message is the one line to show."""


def check(name: str, role: str | None, command: str) -> None:
    """Raise Refused unless `name` (of `role`; None: not a user) may run `command`."""
    permission = COMMANDS.get(command)
    if permission is None:  # a command missing from the table is refused, not allowed
        raise Refused(f"{command} has no entry in the table of roles; nobody may run it")
    if role is None:
        raise Refused(
            f"{name} is not a user of this database;"
            f" an admin adds them with: workbench users add {name} --role annotator"
        )
    if role not in permission.roles:
        raise Refused(
            f"{name} is {_article(role)} {role}; {permission.doing} needs {permission.needs()}"
        )


def may_act_as(name: str, role: str | None, other: str) -> None:
    """Raise Refused unless `name` may record work under `other`'s name."""
    if other == name:
        return
    if role != ADMIN:
        shown = "not a user" if role is None else f"{_article(role)} {role}"
        raise Refused(
            f"{name} is {shown}; acting as {other} (--annotator or WORKBENCH_ANNOTATOR)"
            " needs the admin role"
        )


def is_read_only(command: str) -> bool:
    """True for a command that never writes the database."""
    permission = COMMANDS.get(command)
    return permission is not None and permission.name in READ_ONLY_PERMISSIONS


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


# What a person may ask for over SSH (SSH_ORIGINAL_COMMAND), by its first words; with
# whether options may follow. Anything else is refused: no shell, no other command.
SSH_COMMANDS: dict[tuple[str, ...], bool] = {
    ("annotate",): False,
    ("review",): False,
    ("stats",): True,
    ("export",): True,
    ("review", "log"): True,
}
# Options that would write a file on the server as the service account.
_SSH_REFUSED_OPTIONS = ("--out", "--force")


def ssh_command(original: str) -> list[str]:
    """The workbench arguments for an SSH_ORIGINAL_COMMAND ('' opens the annotator),
    or Refused: only SSH_COMMANDS run, and export only to standard output."""
    import shlex

    try:
        words = shlex.split(original)
    except ValueError as e:
        raise Refused(f"cannot read the SSH command ({e})") from None
    if not words:
        return ["annotate"]
    allowed = "annotate, review, stats [--json], export [options], review log [options]"
    for n in (2, 1):
        head = tuple(words[:n])
        if head in SSH_COMMANDS:
            rest = words[n:]
            if rest and not SSH_COMMANDS[head]:
                break
            for word in rest:
                option = word.split("=", 1)[0]
                if option in _SSH_REFUSED_OPTIONS:
                    raise Refused(f"over SSH, {option} is refused: export writes to stdout")
            return words
    raise Refused(f"over SSH you may run only: {allowed}; not {original!r}")
