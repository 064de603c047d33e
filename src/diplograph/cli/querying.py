"""Commands that run queries: `queries`, `query NAME`, `sparql`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from diplograph.catalog import NamedQuery
from diplograph.cli.app import (
    app_of,
    cli,
    format_option,
    inference_option,
    output_option,
    show_result,
)
from diplograph.query import run_named, run_sparql


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
