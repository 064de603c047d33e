"""Commands that run queries: `queries` (list, show, lint, test), `query NAME`, `sparql`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from click.shell_completion import CompletionItem

from diplograph.cli.app import (
    cli,
    endpoint_option,
    format_option,
    front,
    graph_of,
    inference_option,
    limits_options,
    opened_endpoint,
    output_option,
    project_of,
    show_result,
)
from diplograph.errors import ExitCode, InputError
from diplograph.namespaces import compact
from diplograph.sparql.catalog import NamedQuery
from diplograph.sparql.header import Parameter
from diplograph.sparql.limits import Limits
from diplograph.sparql.running import Support

LANGUAGES = ("az", "en", "ru")
Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def complete_query_name(ctx: click.Context, param: click.Parameter,
                        incomplete: str) -> list[CompletionItem]:
    """Stored query names starting with what was typed."""
    return [CompletionItem(name, help=q.summary)
            for name, q in project_of(ctx).catalog.queries.items() if name.startswith(incomplete)]


def value_completer(parameter: Parameter) -> Completer:
    """Completion of a parameter's values: country codes from the graph, enum values,
    language tags."""

    def complete(ctx: click.Context, param: click.Parameter,
                 incomplete: str) -> list[CompletionItem]:
        if parameter.type == "country":
            options = graph_of(ctx).country_codes()
        elif parameter.type == "enum":
            options = list(parameter.values)
        elif parameter.type == "lang":
            options = list(LANGUAGES)
        else:
            options = []
        return [CompletionItem(o) for o in options if o.lower().startswith(incomplete.lower())]

    return complete


@cli.group(invoke_without_command=True)
@click.pass_context
def queries(ctx: click.Context) -> None:
    """List the named queries: name, summary and parameters (`?` optional, `...` several)."""
    if ctx.invoked_subcommand is None:
        catalog = project_of(ctx).catalog
        rows = [(q.name, q.summary, " ".join(p.signature for p in q.parameters))
                for q in catalog.queries.values()]
        width = max(len(r[0]) for r in rows) if rows else 0
        for name, summary, params in rows:
            click.echo(f"{name:<{width}}  {summary}" + (f"  [{params}]" if params else ""))


@queries.command("show")
@click.argument("name", shell_complete=complete_query_name)
@click.pass_context
def queries_show(ctx: click.Context, name: str) -> None:
    """Print a named query: its header and SPARQL."""
    click.echo(project_of(ctx).catalog.get(name).text, nl=False)


@queries.command("lint")
@click.pass_context
def queries_lint(ctx: click.Context) -> None:
    """Check every stored query against the graph: each IRI of the project's namespaces
    is in the ontology or the data, each property of a triple pattern is known.

    Exit 0 if there are no problems, 1 if there are."""
    graph = graph_of(ctx)
    problems = graph.lint()
    for problem in problems:
        click.echo(problem)
    click.echo(f"{len(graph.catalog.queries)} queries, {len(problems)} problems", err=True)
    if problems:
        ctx.exit(int(ExitCode.NONCONFORMING))


@queries.command("test")
@limits_options
@endpoint_option
@click.pass_context
def queries_test(ctx: click.Context, limits: Limits, endpoint_url: str | None) -> None:
    """Run every documented example and check what it promises: at least so many rows,
    a row with given values (true of the bundled graph and of any graph that adds facts
    to it).

    Exit 0 if every example keeps its promise, 1 otherwise."""
    runs = front(ctx, opened_endpoint(ctx, endpoint_url), limits=limits).examples()
    for run in runs:
        call = " ".join([run.query, *run.example.arguments])
        got = run.error if run.error is not None else f"{run.rows} rows" + (
            "" if run.has_row else ", none of them the promised row")
        verdict = "ok  " if run.ok else "FAIL"
        click.echo(f"{verdict} {call}: {got} (expected {run.example.promise})")
    failed = sum(not r.ok for r in runs)
    click.echo(f"{len(runs)} examples, {failed} failed", err=True)
    if failed or not runs:
        ctx.exit(int(ExitCode.NONCONFORMING))


class QueryGroup(click.Group):
    """`diplograph query NAME --param value`: one sub-command per stored query."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return project_of(ctx).catalog.names

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return named_query_command(project_of(ctx).catalog.get(cmd_name))


def _option(p: Parameter) -> click.Option:
    notes = (" [required]" if p.required else "") + (f" [default: {p.default}]"
                                                     if p.default else "")
    notes += " [may be repeated]" if p.multi else ""
    metavar = f"[{'|'.join(p.values)}]" if p.values else p.type.upper()
    # every option collects all its values, so that a single-valued one given twice is
    # refused (by `bind_parameters`) rather than the last value silently winning
    return click.Option([f"--{p.name}", f"param_{p.name}"], metavar=metavar,
                        multiple=True, help=(p.help + notes).strip(),
                        shell_complete=value_completer(p))


def support_lines(number: int, supports: list[Support], lang: str) -> list[str]:
    """How `--explain` reports one row: each fact with provenance, its sources and the
    sentence it was read from (in `lang`, else English, else as written)."""
    lines = [f"row {number}:" + ("" if supports else " no fact of this row carries a source")]
    for support in supports:
        quotes = {q.language: q.value for q in support.quotes}
        quote = quotes.get(lang) or quotes.get("en") or next(iter(quotes.values()), "")
        lines.append(f"  {compact(support.node.value)} from {', '.join(support.sources)}")
        if quote:
            lines.append(f"    \"{quote}\"")
    return lines


def named_query_command(named: NamedQuery) -> click.Command:
    """A click command whose options are the query's declared parameters."""

    @format_option
    @output_option
    @inference_option
    @limits_options
    @endpoint_option
    @click.option("--show-sparql", is_flag=True,
                  help="Print the query as it runs, values written in, on stderr.")
    @click.option("--explain", "explain_rows", is_flag=True,
                  help="Print on stderr the sources and sentences behind each row.")
    @click.pass_context
    def run(ctx: click.Context, /, fmt: str | None, output: Path | None, no_inference: bool,
            limits: Limits, endpoint_url: str | None, show_sparql: bool, explain_rows: bool,
            **params: str | tuple[str, ...] | None) -> None:
        values = {k.removeprefix("param_"): v for k, v in params.items() if v}
        graph = front(ctx, opened_endpoint(ctx, endpoint_url), limits=limits)
        result = graph.run(named, values, inference=not no_inference)
        if show_sparql:
            click.echo(graph.sparql_of(named, result), err=True)
        show_result(result, fmt, output)
        if explain_rows:
            lang = next((t.value for t in result.bound.get("lang", ())), "en")
            for number, row in enumerate(result.rows, start=1):
                for line in support_lines(number, graph.explain(row), lang):
                    click.echo(line, err=True)

    command = click.command(name=named.name, help=f"{named.summary}\n\n{named.description}",
                            short_help=named.summary)(run)
    command.params.extend(_option(p) for p in named.parameters)
    return command


@cli.group(cls=QueryGroup)
def query() -> None:
    """Run a named query: diplograph query NAME --PARAM VALUE ..."""


def _names_a_file(text: str) -> bool:
    """Whether a `sparql` argument is the path of a file (a query text is no path; a
    long one is too long to be one)."""
    try:
        return Path(text).is_file()
    except OSError:
        return False


@cli.command()
@click.argument("query_or_file")
@format_option
@output_option
@inference_option
@limits_options
@endpoint_option
@click.pass_context
def sparql(ctx: click.Context, query_or_file: str, fmt: str | None, output: Path | None,
           no_inference: bool, limits: Limits, endpoint_url: str | None) -> None:
    """Run an ad-hoc SELECT, ASK, CONSTRUCT or DESCRIBE query (text, a file, or - for
    stdin). The project's prefixes (dg, dgr, country, dgv, dgsh) and those of the reused
    vocabularies (schema, org, prov, skos, dcterms, time, wd, owl, rdf, rdfs, xsd, sh)
    are predeclared; a PREFIX in the query wins. Graphs come back with them."""
    if query_or_file == "-":
        text = _decoded(sys.stdin.buffer.read(), "standard input")
    elif _names_a_file(query_or_file):
        text = _decoded(Path(query_or_file).read_bytes(), query_or_file)
    else:
        text = _argument(query_or_file)
    endpoint = opened_endpoint(ctx, endpoint_url)
    graph = front(ctx, endpoint, store=endpoint is None, limits=limits)
    show_result(graph.sparql(text, inference=not no_inference), fmt, output)


def _argument(text: str) -> str:
    """A query given as an argument: the bytes the shell passed must be UTF-8 too
    (Python hands on bytes that are not as lone surrogates)."""
    try:
        data = os.fsencode(text)
    except UnicodeEncodeError as exc:
        raise InputError(f"query: not UTF-8 text (character {exc.start})",
                         hint="give the query as UTF-8 text") from exc
    return _decoded(data, "query")


def _decoded(data: bytes, name: str) -> str:
    """A query's text: UTF-8, a leading byte-order mark skipped."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start})",
                         hint="save the query as UTF-8") from exc
