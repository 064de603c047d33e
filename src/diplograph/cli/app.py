"""The root command, what every command shares, and the one place errors become exit codes."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from diplograph import __version__
from diplograph.atomic import write_atomically
from diplograph.catalog import Catalog
from diplograph.errors import DiplographError, ExitCode
from diplograph.project import Project
from diplograph.query import Result
from diplograph.rdfio import RDF_FORMATS
from diplograph.render import RESULT_FORMATS, render
from diplograph.store import KnowledgeGraph, open_graph

if TYPE_CHECKING:  # rich is loaded only when a compile shows its bar
    from rich.console import Console
    from rich.progress import Progress

OUTPUT_EXTENSIONS = {
    "csv": "csv", "tsv": "tsv", "json": "json", "srj": "json", "xml": "xml", "srx": "xml",
    "ndjson": "ndjson", "jsonl": "ndjson", "txt": "table", "rdf": "xml",
}


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
            with CompileStatus() as status:
                self._graph = open_graph(self.project, self.store_dir, progress=status.update)
        return self._graph

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = Catalog.load(self.project.queries_dir)
        return self._catalog


class CompileStatus:
    """A progress bar on a terminal's stderr while the store compiles; silent otherwise."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console
        self.bar: Progress | None = None

    def update(self, step: str, done: float) -> None:
        """Show the step and how much of the compile is `done` (0 to 1)."""
        if self.console is None:
            from rich.console import Console

            self.console = Console(stderr=True)
        if not self.console.is_terminal:
            return
        if self.bar is None:
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

            self.bar = Progress(TextColumn("compiling the graph store"), BarColumn(),
                                TaskProgressColumn(), TextColumn("{task.description}"),
                                console=self.console, transient=True)
            self.bar.add_task(step, total=1.0)
            self.bar.start()
        self.bar.update(self.bar.task_ids[0], completed=done, description=step)

    def __enter__(self) -> CompileStatus:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


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
        except BrokenPipeError:  # the reader of our output went away (| head)
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - no flush error at exit
            ctx.exit(0)
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
        given = ", ".join(f"{k}={'|'.join(t.value for t in terms)}"
                          for k, terms in result.bound.items()) or "no parameters"
        click.echo(f"no rows ({given})", err=True)


format_option = click.option(
    "--format", "fmt", type=click.Choice(tuple(dict.fromkeys(RESULT_FORMATS + tuple(RDF_FORMATS)))),
    help="Output format: rows as table, csv, tsv, json, xml (W3C SPARQL results) or ndjson; "
         "graphs as ttl, nt, nq, trig, jsonld or xml (default: from --output's extension, "
         "else table on a terminal, CSV otherwise).")
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


def main() -> None:
    """The console script."""
    cli(prog_name="diplograph")
