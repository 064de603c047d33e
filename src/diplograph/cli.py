"""The command line: parse, call the library, render. No RDF logic lives here."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import click

from diplograph import __version__
from diplograph.atomic import write_atomically
from diplograph.catalog import Catalog, NamedQuery
from diplograph.errors import DiplographError, ExitCode
from diplograph.export import Scope, dump
from diplograph.project import Project
from diplograph.query import Result, run_named, run_sparql
from diplograph.render import RDF_FORMATS, RESULT_FORMATS, rdf_format, render
from diplograph.store import KnowledgeGraph, open_graph
from diplograph.validate import NewFacts, ValidationReport, validate_facts

OUTPUT_EXTENSIONS = {"csv": "csv", "tsv": "tsv", "json": "json", "txt": "table"}


@dataclass
class App:
    """What every command shares: the project, where its store lives, and lazy handles."""

    project: Project
    store_dir: Path | None
    _graph: KnowledgeGraph | None = field(default=None, repr=False)
    _catalog: Catalog | None = field(default=None, repr=False)

    @property
    def graph(self) -> KnowledgeGraph:
        if self._graph is None:
            self._graph = open_graph(self.project, self.store_dir)
        return self._graph

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = Catalog.load(self.project.queries_dir)
        return self._catalog


def app_of(ctx: click.Context) -> App:
    """The root context's App (built from the root's options if the root callback has
    not run, as during shell completion)."""
    root = ctx.find_root()
    if not isinstance(root.obj, App):
        project = root.params.get("project")
        root.obj = App(Project.locate(project), root.params.get("store"))
    return root.obj


class ErrorReportingGroup(click.Group):
    """Turns library errors into one `error: ... (hint: ...)` line on stderr and the
    error's exit code: the one place exceptions become exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DiplographError as exc:
            fail(ctx, exc.message, exc.hint, exc.exit_code)
        except OSError as exc:
            fail(ctx, f"{exc.filename or 'file'}: {exc.strerror or exc}",
                 "check the path and permissions", ExitCode.BAD_INPUT)


def fail(ctx: click.Context, message: str, hint: str | None, code: ExitCode) -> NoReturn:
    """Report an error in one line and exit with its code."""
    click.echo(f"error: {message}" + (f" (hint: {hint})" if hint else ""), err=True)
    ctx.exit(int(code))


def emit(text: str, output: Path | None) -> None:
    """Write to the output file atomically, or to stdout."""
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output, text.encode("utf-8"))


def result_format(fmt: str | None, output: Path | None) -> str:
    """--format, else the --output file's extension, else a table on a terminal, CSV in a pipe."""
    if fmt:
        return fmt
    if output is not None:
        ext = output.suffix.lstrip(".").lower()
        if ext in OUTPUT_EXTENSIONS:
            return OUTPUT_EXTENSIONS[ext]
        if ext in RDF_FORMATS:
            return ext
    return "table" if sys.stdout.isatty() else "csv"


def show_result(result: Result, fmt: str | None, output: Path | None) -> None:
    """Render a result; an empty SELECT also says so on stderr, with what constrained it."""
    emit(render(result, result_format(fmt, output)), output)
    if result.kind == "select" and not result.rows:
        given = ", ".join(f"{k}={v.value}" for k, v in result.bound.items()) or "no parameters"
        click.echo(f"no rows ({given})", err=True)


format_option = click.option(
    "--format", "fmt", type=click.Choice(RESULT_FORMATS + tuple(RDF_FORMATS)),
    help="Output format (default: table on a terminal, CSV otherwise; "
         "or from --output's extension).")
output_option = click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
                             help="Write to this file (atomically) instead of stdout.")
inference_option = click.option("--no-inference", is_flag=True,
                                help="Query asserted facts only, without OWL RL entailments.")


@click.group(cls=ErrorReportingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="diplograph")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path),
              help="Project folder with ontology/, data/, queries/ "
                   "(default: $DIPLOGRAPH_PROJECT, the working directory, or the bundled graph).")
@click.option("--store", type=click.Path(file_okay=False, path_type=Path),
              help="Cache folder for compiled stores "
                   "(default: $DIPLOGRAPH_STORE or the XDG cache).")
@click.pass_context
def cli(ctx: click.Context, project: Path | None, store: Path | None) -> None:
    """diplograph: a knowledge graph of diplomatic relations between states.

    Run named SPARQL queries, export RDF dumps, validate new facts.
    Exit codes: 0 ok, 1 data does not conform, 2 usage error, 3 bad input.
    """
    logging.getLogger("rdflib").setLevel(logging.ERROR)  # we report ill-typed terms ourselves
    ctx.obj = App(Project.locate(project), store)


@cli.group(invoke_without_command=True)
@click.pass_context
def queries(ctx: click.Context) -> None:
    """List the named queries."""
    if ctx.invoked_subcommand is None:
        catalog = app_of(ctx).catalog
        rows = [
            (q.name, q.summary, " ".join(
                f"{p.name}{'' if p.required else '?'}:{p.type}" for p in q.parameters))
            for q in catalog.queries.values()
        ]
        width = max(len(r[0]) for r in rows) if rows else 0
        for name, summary, params in rows:
            click.echo(f"{name:<{width}}  {summary}" + (f"  [{params}]" if params else ""))


@queries.command("show")
@click.argument("name")
@click.pass_context
def queries_show(ctx: click.Context, name: str) -> None:
    """Print a named query: its header and SPARQL."""
    click.echo(app_of(ctx).catalog.get(name).text, nl=False)


class QueryGroup(click.Group):
    """`diplograph query NAME --param value`: one sub-command per stored query."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(app_of(ctx).catalog.queries)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return named_query_command(app_of(ctx).catalog.get(cmd_name))


def named_query_command(named: NamedQuery) -> click.Command:
    """A click command whose options are the query's declared parameters."""
    options: list[click.Parameter] = [
        click.Option([f"--{p.name}", f"param_{p.name}"], metavar=p.type.upper(),
                     help=(p.help + (" [required]" if p.required else "")
                           + (f" [default: {p.default}]" if p.default else "")).strip())
        for p in named.parameters
    ]

    @format_option
    @output_option
    @inference_option
    @click.pass_context
    def run(ctx: click.Context, /, fmt: str | None, output: Path | None, no_inference: bool,
            **params: str | None) -> None:
        values = {k.removeprefix("param_"): v for k, v in params.items() if v is not None}
        graph = app_of(ctx).graph
        show_result(run_named(graph, named, values, inference=not no_inference), fmt, output)

    command = click.command(name=named.name, help=f"{named.summary}\n\n{named.description}",
                            short_help=named.summary)(run)
    command.params.extend(options)
    return command


@cli.group(cls=QueryGroup)
def query() -> None:
    """Run a named query: diplograph query NAME --PARAM VALUE ..."""


@cli.command()
@click.argument("query_or_file")
@format_option
@output_option
@inference_option
@click.pass_context
def sparql(ctx: click.Context, query_or_file: str, fmt: str | None, output: Path | None,
           no_inference: bool) -> None:
    """Run an ad-hoc SELECT, ASK or CONSTRUCT query (text, a file, or - for stdin)."""
    if query_or_file == "-":
        text = sys.stdin.read()
    elif Path(query_or_file).is_file():
        text = Path(query_or_file).read_text(encoding="utf-8")
    else:
        text = query_or_file
    show_result(run_sparql(app_of(ctx).graph, text, inference=not no_inference), fmt, output)


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


@cli.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Report format.")
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...], fmt: str) -> None:
    """Check new facts (Turtle, N-Triples) against the shapes, in the context of the graph.

    Exit 0 if they conform, 1 if there are violations, 3 if a file cannot be read."""
    report = validate_facts(app_of(ctx).graph, NewFacts.read(files))
    click.echo(report_text(report) if fmt == "text" else report_json(report), nl=False)
    if not report.conforms:
        ctx.exit(int(ExitCode.NONCONFORMING))


def report_text(report: ValidationReport) -> str:
    """The validation report for people: one block per finding, then a summary."""
    lines = []
    for f in report.findings:
        where = f"{f.location}: " if f.location else ""
        lines.append(f"{where}{f.severity}: {f.focus}"
                     + (f" {f.path}" if f.path else "") + f": {f.message}")
        if f.value is not None:
            lines.append(f"    value: {f.value}")
        lines.append(f"    shape: {f.shape}")
    violations = sum(f.severity == "Violation" for f in report.findings)
    verdict = "conforms" if report.conforms else "does not conform"
    lines.append(f"{', '.join(report.files)}: {verdict}: {report.triples} triples, "
                 f"{report.focus_nodes} subjects checked, {violations} violations, "
                 f"{len(report.findings) - violations} other results")
    return "\n".join(lines) + "\n"


def report_json(report: ValidationReport) -> str:
    """The validation report as JSON."""
    doc = {"conforms": report.conforms, **asdict(report)}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    """The console script."""
    cli(prog_name="diplograph")
