"""Commands that write the graph out or report on it: `export`, `push`, `reason`."""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import click
import pyoxigraph as ox

from diplograph.atomic import atomic_writer, write_atomically
from diplograph.cli.app import (
    cli,
    endpoint_option,
    front,
    graph_of,
    opened_endpoint,
    output_option,
    reader_gone,
)
from diplograph.dumps.scope import Scope
from diplograph.errors import ExitCode, UsageError
from diplograph.namespaces import compact
from diplograph.rdf.reading import RDF_FORMATS, format_name, format_of_extension
from diplograph.store.folder import GRAPH_BASE

Decorator = Callable[[Callable[..., None]], Callable[..., None]]


def graph_options(default: Scope, *, ontology: bool) -> Decorator:
    """--asserted / --inferred / --all (which exclude each other) and --with-ontology,
    --with-shapes: which named graphs go out, with the command's defaults. The command
    receives the chosen scope as `scope`."""
    help = {Scope.ASSERTED: "The asserted facts",
            Scope.INFERRED: "Only the inferred facts (OWL RL entailments, time bounds)",
            Scope.ALL: "Asserted and inferred facts"}
    options = [
        *(click.option(f"--{scope.value}", f"scope_{scope.value}", is_flag=True,
                       help=help[scope] + (" (default)." if scope is default else "."))
          for scope in Scope),
        click.option("--with-ontology/--without-ontology", default=ontology,
                     help="Add the ontology's axioms" + (" (default)." if ontology else ".")),
        click.option("--with-shapes", is_flag=True, help="Add the SHACL shapes."),
    ]

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(command)
        def chosen(*args: Any, **kwargs: Any) -> None:
            given = [scope for scope in Scope if kwargs.pop(f"scope_{scope.value}")]
            if len(given) > 1:
                raise UsageError(" and ".join(f"--{s.value}" for s in given) + " exclude each "
                                 "other",
                                 hint="--all is the asserted and the inferred facts together")
            command(*args, scope=(given[0] if given else default).value, **kwargs)

        for option in reversed(options):
            chosen = option(chosen)
        return chosen

    return decorate


def format_for(name: str | None, output: Path | None) -> tuple[ox.RdfFormat, bool]:
    """The RDF format and whether to gzip: `--format`, else from --output's extension
    (`dump.nt.gz` is gzipped N-Triples), else Turtle. An extension that names no RDF
    format, or names another than `--format`, is refused."""
    compressed = output is not None and output.suffix.lower() == ".gz"
    stem = output.with_suffix("") if output is not None and compressed else output
    ext = stem.suffix.lstrip(".") if stem is not None else ""
    json = ext.lower() == "json"  # a .json dump is JSON-LD
    by_extension = format_of_extension("jsonld" if json else ext) if ext else None
    if ext and by_extension is None:
        raise UsageError(f"--output {output}: .{ext.lower()} is not an RDF format's extension",
                         hint=f"name the file .{', .'.join(RDF_FORMATS)} (or .rdf, .owl; "
                              "add .gz to compress)")
    if name is not None:
        chosen = format_of_extension(name)  # a --format name is an extension too
        if chosen is None:
            raise UsageError(f"unknown RDF format {name!r}",
                             hint=f"one of: {', '.join(RDF_FORMATS)}")
        if by_extension is not None and by_extension != chosen:
            raise UsageError(f"--format {format_name(chosen)} does not match --output {output}, "
                             f"which would be {format_name(by_extension)}",
                             hint="drop --format, or give the file the format's extension")
        return chosen, compressed
    return by_extension or ox.RdfFormat.TURTLE, compressed


@cli.command()
@click.option("--format", "fmt", type=click.Choice(tuple(RDF_FORMATS)),
              help="RDF format (default: from --output's extension, else Turtle).")
@output_option
@graph_options(Scope.ASSERTED, ontology=False)
@click.option("--manifest", "manifest_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a JSON manifest (triples per graph, sha256s, date) to this file.")
@click.pass_context
def export(ctx: click.Context, fmt: str | None, output: Path | None, scope: str,
           with_ontology: bool, with_shapes: bool, manifest_path: Path | None) -> None:
    """Export the graph as an RDF dump with its VoID description.

    Quad formats (nq, trig) keep one named graph per source file, one for the
    inferred facts and one for the VoID description. A `.gz` output is gzipped.
    """
    if output is not None and str(output) == "-":
        output = None
    rdf_format, compressed = format_for(fmt, output)
    graph = graph_of(ctx)
    with atomic_writer(output) if output is not None else spooled_stdout() as sink:
        written = graph.export(sink, rdf_format, scope=Scope(scope), ontology=with_ontology,
                               shapes=with_shapes, compressed=compressed)
    if manifest_path is not None:
        sidecar = graph.manifest(written)
        write_atomically(manifest_path, (json.dumps(sidecar, indent=2) + "\n").encode())


@contextlib.contextmanager
def spooled_stdout() -> Iterator[BinaryIO]:
    """A temporary file copied to standard output once the block ends without error: a
    dump that fails halfway gives no output rather than half of one."""
    import tempfile

    with tempfile.TemporaryFile(prefix="diplograph-") as spool:
        yield spool
        spool.seek(0)
        sys.stdout.flush()
        try:
            shutil.copyfileobj(spool, sys.stdout.buffer, 1 << 20)
            sys.stdout.buffer.flush()
        except BrokenPipeError:  # as for any output: `| head` is no error
            reader_gone()


@cli.command()
@click.option("--stats", is_flag=True, help="Count the inferred triples by property.")
@click.pass_context
def reason(ctx: click.Context, stats: bool) -> None:
    """Materialise the OWL RL closure (if the sources changed), report its size and
    every contradiction it holds, with its rule and the source lines involved.

    Exit 0 if the graph is consistent, 1 if not."""
    graph = graph_of(ctx, warn=False)
    counts = Counter({compact(p): n for p, n in graph.inferred().items()})
    click.echo(f"{sum(counts.values())} triples inferred")
    if stats:
        width = max((len(str(n)) for n in counts.values()), default=1)
        for prop, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            click.echo(f"{n:>{width}}  {prop}")
    found = graph.consistency
    if not found.consistent:
        count = len(found.contradictions)
        click.echo(f"inconsistent: {count} clash{'es' * (count > 1)}")
        for clash in found.contradictions:
            click.echo(f"  {clash}")
        ctx.exit(int(ExitCode.NONCONFORMING))


@cli.command()
@endpoint_option
@click.option("--graph-store", metavar="URL",
              help="The store's Graph Store Protocol endpoint (default: beside --endpoint "
                   "for Oxigraph, Virtuoso, Fuseki, GraphDB and RDF4J).")
@graph_options(Scope.ALL, ontology=True)
@click.option("--prune", is_flag=True,
              help=f"Also remove the store's graphs under {GRAPH_BASE} that this push does "
                   "not hold (a source file removed or renamed since an earlier push).")
@click.pass_context
def push(ctx: click.Context, endpoint_url: str | None, graph_store: str | None, scope: str,
         with_ontology: bool, with_shapes: bool, prune: bool) -> None:
    """Load the graph into a SPARQL 1.1 triple store, replacing what an earlier push left.

    Each named graph (one per source file, the entailments, the VoID description)
    replaces the store's graph of that name through the Graph Store HTTP Protocol
    (PUT), so pushing twice changes nothing; then the triples of each graph are
    counted through the query endpoint. By default the graphs queries see go:
    data, ontology and entailments. Credentials come from $DIPLOGRAPH_ENDPOINT_USER
    and $DIPLOGRAPH_ENDPOINT_PASSWORD or ~/.netrc (basic or digest).

    Exit 6 if the store cannot be reached or fails a request, 7 if it wants other
    credentials, 8 if it holds other triple counts than were pushed.
    """
    if endpoint_url is None:
        raise click.UsageError("push needs --endpoint URL (the store's SPARQL query endpoint)")
    endpoint = opened_endpoint(ctx, endpoint_url, graph_store)
    assert endpoint is not None
    pushed = front(ctx, endpoint, limits=None).push(endpoint, Scope(scope), ontology=with_ontology,
                                              shapes=with_shapes, prune=prune)
    width = max(len(str(n)) for n in pushed.held.values())
    for graph, held in pushed.held.items():
        click.echo(f"{held:>{width}}  {graph}")
    for graph in pushed.removed:
        click.echo(f"{'-':>{width}}  {graph} (removed)")
    click.echo(f"{sum(pushed.held.values())} triples in {len(pushed.held)} graphs at "
               f"{pushed.graph_store}, each count checked at {endpoint.url}")
    if pushed.repeated:
        click.echo(f"warning: {pushed.repeated} triples are in more than one graph: where the "
                   "default graph does not merge them (Virtuoso), queries without DISTINCT "
                   "give their rows twice", err=True)
