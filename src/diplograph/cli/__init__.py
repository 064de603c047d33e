"""The command line: a thin click layer that parses, calls the library and renders.

One module per group of commands; importing them registers the commands."""

from diplograph.cli import dumps, facts, plotting, querying, serving, stores
from diplograph.cli.app import cli, main

__all__ = ["cli", "dumps", "facts", "main", "plotting", "querying", "serving", "stores"]
