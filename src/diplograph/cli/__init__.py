"""The command line: a thin click layer that parses, calls the library and renders.

One module per group of commands; importing one registers its commands, which the root
group does when a command is looked up (`app.COMMAND_MODULES`)."""

from diplograph.cli.app import cli, main

__all__ = ["cli", "main"]
