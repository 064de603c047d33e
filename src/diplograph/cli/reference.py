"""The command-line reference, written from the commands' own `--help`:
`python -m diplograph.cli.reference > docs/cli-reference.md` (a test holds the file to it)."""

from __future__ import annotations

from collections.abc import Iterator

import click

from diplograph.cli import cli
from diplograph.cli.app import RootGroup

HEADER = """# Command-line reference

Every command's `--help`, as the command prints it. This page is generated:
`python -m diplograph.cli.reference > docs/cli-reference.md`. Named queries are
commands too (`diplograph query NAME --help`); they are listed by `diplograph queries`.
"""


def commands(group: click.Group, path: tuple[str, ...]) -> Iterator[tuple[str, click.Command]]:
    """Every command registered under `group`, depth first, by name, with its full
    invocation (a named query's command is made from the project's catalog, not listed)."""
    yield " ".join(path), group
    listed = group.load_all() if isinstance(group, RootGroup) else group.commands
    for name, command in sorted(listed.items()):
        if command.hidden:
            continue
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield " ".join((*path, name)), command


def help_text(invocation: str, command: click.Command) -> str:
    """The command's `--help` as printed at a width of 88 columns."""
    settings = cli.context_settings  # -h as well as --help, as every command inherits
    with click.Context(command, info_name=invocation, terminal_width=88,
                       max_content_width=88, **settings) as ctx:
        return command.get_help(ctx)


def reference() -> str:
    """The whole reference as Markdown."""
    sections = [HEADER]
    for invocation, command in commands(cli, ("diplograph",)):
        sections.append(f"## `{invocation}`\n\n```text\n{help_text(invocation, command)}\n```\n")
    return "\n".join(sections)


if __name__ == "__main__":
    click.echo(reference(), nl=False)
