"""Commands that write the graph out or report on it: `export`, `reason`."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from diplograph.atomic import write_atomically
from diplograph.cli.app import app_of, cli, output_option
from diplograph.errors import UsageError
from diplograph.export import Scope, dump, encode, format_for, manifest, select_graphs
from diplograph.layout import INFERRED
from diplograph.namespaces import compact
from diplograph.rdfio import RDF_FORMATS


@cli.command()
@click.option("--format", "fmt", type=click.Choice(tuple(RDF_FORMATS)),
              help="RDF format (default: from --output's extension, else Turtle).")
@output_option
@click.option("--asserted", is_flag=True, help="The asserted facts (the default).")
@click.option("--inferred", is_flag=True, help="Only the OWL RL entailments.")
@click.option("--all", "everything", is_flag=True, help="Asserted and inferred facts.")
@click.option("--with-ontology", is_flag=True, help="Add the ontology's axioms.")
@click.option("--with-shapes", is_flag=True, help="Add the SHACL shapes.")
@click.option("--manifest", "manifest_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a JSON manifest (triples per graph, sha256s, date) to this file.")
@click.pass_context
def export(ctx: click.Context, fmt: str | None, output: Path | None, asserted: bool,
           inferred: bool, everything: bool, with_ontology: bool, with_shapes: bool,
           manifest_path: Path | None) -> None:
    """Export the graph as an RDF dump with its VoID description.

    Quad formats (nq, trig) keep one named graph per source file, one for the
    inferred facts and one for the VoID description. A `.gz` output is gzipped.
    """
    chosen = [scope for scope, given in ((Scope.ASSERTED, asserted), (Scope.INFERRED, inferred),
                                         (Scope.ALL, everything)) if given]
    if len(chosen) > 1:
        raise UsageError(" and ".join(f"--{s.value}" for s in chosen) + " exclude each other",
                         hint="--all is the asserted and the inferred facts together")
    if output is not None and str(output) == "-":
        output = None
    rdf_format, compressed = format_for(fmt, output)
    app = app_of(ctx)
    graphs = select_graphs(app.graph, chosen[0] if chosen else Scope.ASSERTED,
                           ontology=with_ontology, shapes=with_shapes)
    result = dump(app.graph, rdf_format, graphs)
    data = encode(result, compressed)
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_atomically(output, data)
    if manifest_path is not None:
        sidecar = manifest(result, data, app.project, graphs)
        write_atomically(manifest_path, (json.dumps(sidecar, indent=2) + "\n").encode())


@cli.command()
@click.option("--stats", is_flag=True, help="Count the inferred triples by property.")
@click.pass_context
def reason(ctx: click.Context, stats: bool) -> None:
    """Materialise the OWL RL closure (if the sources changed) and report its size."""
    graph = app_of(ctx).graph
    quads = graph.store.quads_for_pattern(None, None, None, INFERRED)
    counts = Counter(compact(q.predicate.value) for q in quads)
    click.echo(f"{sum(counts.values())} triples inferred")
    if stats:
        width = max((len(str(n)) for n in counts.values()), default=1)
        for prop, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            click.echo(f"{n:>{width}}  {prop}")
