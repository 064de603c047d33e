"""Commands that write the graph out: `export`."""

from __future__ import annotations

from pathlib import Path

import click

from diplograph.atomic import write_atomically
from diplograph.cli.app import app_of, cli, output_option
from diplograph.export import Scope, dump
from diplograph.render import RDF_FORMATS, rdf_format


@cli.command()
@click.option("--format", "fmt", type=click.Choice(tuple(RDF_FORMATS)),
              help="RDF format (default: from --output's extension, else Turtle).")
@output_option
@click.option("--asserted", "scope", flag_value=Scope.ASSERTED.value, default=True,
              help="Asserted facts and ontology (default).")
@click.option("--inferred", "scope", flag_value=Scope.INFERRED.value,
              help="Only the OWL RL entailments.")
@click.option("--all", "scope", flag_value=Scope.ALL.value, help="Asserted and inferred.")
@click.pass_context
def export(ctx: click.Context, fmt: str | None, output: Path | None, scope: str) -> None:
    """Export the graph as an RDF dump."""
    name = fmt or (output.suffix.lstrip(".").lower() if output and output.suffix else "ttl")
    data = dump(app_of(ctx).graph, rdf_format(name), Scope(scope))
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        write_atomically(output, data)
