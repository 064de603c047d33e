"""Commands that check and add new facts: `validate`, `add`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from diplograph.cli.app import cli, graph_of, project_of
from diplograph.errors import ExitCode
from diplograph.validation.reports import CHECK_RENDERERS, RENDERERS, REPORT_FORMATS
from diplograph.validation.severity import Severity
from diplograph.validation.shacl import ValidationReport

FAIL_ON = {"violation": Severity.VIOLATION, "warning": Severity.WARNING, "info": Severity.INFO}

files_argument = click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)


def report_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--format, --max-results, --fail-on and --open-namespace, shared by validate and add."""
    for option in reversed([
        click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text",
                     show_default=True, help="Report format (turtle: a sh:ValidationReport)."),
        click.option("--max-results", type=click.IntRange(min=0),
                     help="Show at most this many results (the summary counts them all)."),
        click.option("--fail-on", type=click.Choice(tuple(FAIL_ON)), default="violation",
                     show_default=True, help="Lowest severity that makes the facts fail."),
        click.option("--open-namespace", "open_namespaces", multiple=True, metavar="IRI",
                     help="Accept any class or property whose IRI starts with this "
                          "(the ontology's terms only, by default); repeatable."),
    ]):
        command = option(command)
    return command


def print_report(report: ValidationReport, fmt: str, max_results: int | None,
                 fail_on: str, *, err: bool = False) -> None:
    click.echo(RENDERERS[fmt](report, FAIL_ON[fail_on], max_results), nl=False, err=err)


def shown(path: Path) -> str:
    """A path as a user would type it: relative to the working directory if inside it."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def print_warnings(report: ValidationReport) -> None:
    """What validation says about the shapes (a fallback, an unsupported feature)."""
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)


@cli.command()
@files_argument
@report_options
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...], fmt: str, max_results: int | None,
             fail_on: str, open_namespaces: tuple[str, ...]) -> None:
    """Check new facts (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) against the
    shapes, in the context of the graph and the ontology. Nothing is changed.

    Exit 0 if they conform, 1 if not, 3 if a file cannot be read."""
    report = graph_of(ctx).validate(files, open_namespaces=open_namespaces)
    print_warnings(report)
    print_report(report, fmt, max_results, fail_on)
    if not report.conforms(FAIL_ON[fail_on]):
        ctx.exit(int(ExitCode.NONCONFORMING))


@cli.command()
@files_argument
@click.option("--to", "to", type=click.Path(dir_okay=False, path_type=Path),
              help="The data file to append to (default: data/additions.ttl).")
@click.option("--dry-run", is_flag=True, help="Show what would be appended; change nothing.")
@report_options
@click.pass_context
def add(ctx: click.Context, files: tuple[Path, ...], to: Path | None, dry_run: bool, fmt: str,
        max_results: int | None, fail_on: str, open_namespaces: tuple[str, ...]) -> None:
    """Validate new facts and, if the whole batch conforms, append them to a data file.

    Facts the graph already holds are left out; blank nodes are refused. The file is
    replaced atomically, and only if it then parses to exactly old + new facts.
    Exit 0 if added (or nothing new), 1 if the facts do not conform, 3 on bad input."""
    outcome = project_of(ctx).add(files, to=to, dry_run=dry_run, fail_on=FAIL_ON[fail_on],
                                  open_namespaces=open_namespaces)
    print_warnings(outcome.report)
    if not outcome.report.conforms(FAIL_ON[fail_on]):
        print_report(outcome.report, fmt, max_results, fail_on)
        click.echo(f"error: nothing added to {shown(outcome.target)}: the facts do not conform",
                   err=True)
        ctx.exit(int(ExitCode.NONCONFORMING))
    subjects = len({t.subject for t in outcome.added})
    if not outcome.added:
        click.echo(f"nothing to add: the graph already holds all "
                   f"{outcome.report.triples} triples", err=True)
    elif dry_run:
        click.echo(outcome.block, nl=False)
        click.echo(f"would add {len(outcome.added)} triples about {subjects} subjects to "
                   f"{shown(outcome.target)}", err=True)
    else:
        click.echo(f"added {len(outcome.added)} triples about {subjects} subjects to "
                   f"{shown(outcome.target)}", err=True)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(tuple(CHECK_RENDERERS)), default="text",
              show_default=True, help="Report format.")
@click.pass_context
def check(ctx: click.Context, fmt: str) -> None:
    """Check the whole project, as ROBOT report/verify do: the ontology in OWL 2 RL and
    consistent, labels in each declared language and definitions, every class the data
    uses covered by a shape, the whole data conforming to the shapes, every quote in its
    source, the stored queries linted.

    Exit 0 if there is no error, 1 if there is one, 3 if a file cannot be read."""
    report = graph_of(ctx).check()
    click.echo(CHECK_RENDERERS[fmt](report), nl=False)
    if not report.ok:
        ctx.exit(int(ExitCode.NONCONFORMING))
