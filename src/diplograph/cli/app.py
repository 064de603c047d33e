"""The root command, what every command shares, and the one place errors become exit codes."""

from __future__ import annotations

import functools
import importlib
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from diplograph import __version__
from diplograph.atomic import write_atomically
from diplograph.errors import DiplographError, ExitCode, UsageError
from diplograph.graph import Graph
from diplograph.rdf.reading import RDF_FORMATS, format_name, format_of_extension
from diplograph.sparql.limits import DEFAULT_MEMORY, DEFAULT_TIMEOUT, QUERY_THREAD, Limits
from diplograph.sparql.results import RESULT_FORMATS, render
from diplograph.sparql.running import Result

if TYPE_CHECKING:  # rich is loaded only when a compile shows its bar, httpx for endpoints
    from rich.console import Console
    from rich.progress import Progress

    from diplograph.sparql.endpoints import Endpoint

# the formats an --output file's extension stands for, for rows (and ASK)
ROWS_EXTENSIONS = {
    "csv": "csv", "tsv": "tsv", "json": "json", "srj": "json", "xml": "xml", "srx": "xml",
    "ndjson": "ndjson", "jsonl": "ndjson", "txt": "table",
}


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


def project_of(ctx: click.Context) -> Graph:
    """The graph of the root's --project and --store, its store not opened yet (built
    from the root's options if the root callback has not run, as during shell
    completion)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Graph):
        root.obj = Graph.open(root.params.get("project"), root.params.get("store"))
    return root.obj


def graph_of(ctx: click.Context, *, warn: bool = True) -> Graph:
    """The graph with its compiled store open: compiled first, with a progress bar on a
    terminal, if the sources changed; then, with `warn`, a warning on stderr if it is
    inconsistent (`reason` lists the clashes instead)."""
    graph = project_of(ctx)
    if not graph.is_open:
        with CompileStatus() as status:
            graph.compile(status.update)
        found = graph.consistency
        if warn and not found.consistent:
            click.echo(found.warning(), err=True)
    return graph


def front(ctx: click.Context, endpoint: Endpoint | None = None, *, limits: Limits | None,
          store: bool = True) -> Graph:
    """The graph with its queries run under `limits`, at `endpoint` if given; its
    compiled store opened first (with the progress bar) unless `store` is False."""
    graph = (graph_of(ctx) if store else project_of(ctx)).limited(limits)
    return graph if endpoint is None else graph.at(endpoint)


DEBUG_ENV = "DIPLOGRAPH_DEBUG"
DEBUG_HINT = f"run again with --debug (or {DEBUG_ENV}=1) to see the traceback"


class Interrupted(DiplographError):
    """Ctrl-C."""

    exit_code = ExitCode.INTERRUPTED


class Terminated(DiplographError):
    """SIGTERM: `kill`, a service manager or a container stopping the process."""

    exit_code = ExitCode.TERMINATED


class TerminateSignal(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be, so that the same clean-up runs: no
    temporary file, half-built store or worker process is left behind."""


def _on_terminate(signum: int, frame: object) -> None:
    raise TerminateSignal


#: the module of `diplograph.cli` that defines each command, imported when it is looked up
COMMAND_MODULES = {
    "add": "facts", "check": "facts", "validate": "facts",
    "export": "dumps", "push": "dumps", "reason": "dumps",
    "plot": "plotting",
    "queries": "querying", "query": "querying", "sparql": "querying",
    "serve": "serving",
    "store": "stores",
}


class ErrorReportingGroup(click.Group):
    """The one place exceptions become exit codes: library errors, click's usage errors
    and, as a last resort, anything unexpected, each as one `error: ... (hint: ...)`
    line on stderr. With --debug the traceback comes first."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TerminateSignal:
            raise Terminated("terminated", hint=None) from None
        except KeyboardInterrupt:  # before click turns it into an Abort and a blank line
            raise Interrupted("interrupted", hint=None) from None

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv or os.environ.get(DEBUG_ENV, "") not in ("", "0")
        try:
            value = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
            code = value if isinstance(value, int) else 0
        except BaseException as exc:  # the last resort
            if isinstance(exc, SystemExit | GeneratorExit):
                raise
            if debug:
                import traceback

                traceback.print_exc()
            code = report(exc)
        if not standalone_mode:
            return code
        sys.exit(code)


class RootGroup(ErrorReportingGroup):
    """The root command, which imports a command's module only when that command is
    looked up (a query does not pay for the imports of export, plots or the server);
    listing the commands (`--help`, completion, an unknown name) imports them all."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            if cmd_name in COMMAND_MODULES:
                importlib.import_module(f"diplograph.cli.{COMMAND_MODULES[cmd_name]}")
            else:  # every name known, for click's "did you mean"
                self.load_all()
        return super().get_command(ctx, cmd_name)

    def load_all(self) -> MutableMapping[str, click.Command]:
        """Every command, each module imported; by name."""
        for module in sorted(set(COMMAND_MODULES.values())):
            importlib.import_module(f"diplograph.cli.{module}")
        return self.commands


def reader_gone() -> None:
    """The reader of standard output went away (`| head`): what is left goes nowhere,
    with no error when it is flushed at exit."""
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - open until exit


def report(exc: BaseException) -> int:
    """Say what went wrong in one line on stderr; the exit code."""
    if isinstance(exc, DiplographError):
        return say(exc.message, exc.hint, exc.exit_code)
    if isinstance(exc, click.UsageError):
        where = exc.ctx.command_path if exc.ctx is not None else "diplograph"
        return say(" ".join(exc.format_message().split()), f"`{where} --help` shows the usage",
                   ExitCode.USAGE)
    if isinstance(exc, TerminateSignal):
        return say("terminated", None, ExitCode.TERMINATED)
    if isinstance(exc, click.Abort | KeyboardInterrupt):
        return say("interrupted", None, ExitCode.INTERRUPTED)
    if isinstance(exc, click.ClickException):
        return say(" ".join(exc.format_message().split()), None, ExitCode.USAGE)
    if isinstance(exc, BrokenPipeError):  # the reader of our output went away (| head)
        reader_gone()
        return ExitCode.OK
    if isinstance(exc, OSError):
        return say(f"{exc.filename or 'file'}: {exc.strerror or exc}",
                   "check the path and permissions", ExitCode.BAD_INPUT)
    if isinstance(exc, UnicodeDecodeError):
        return say(f"input is not UTF-8 text (byte {exc.start}: {exc.reason})",
                   "save the file as UTF-8", ExitCode.BAD_INPUT)
    detail = " ".join(str(exc).split("\n")[0].split())
    return say(f"internal error: {type(exc).__name__}" + (f": {detail}" if detail else ""),
               DEBUG_HINT, ExitCode.INTERNAL)


def say(message: str, hint: str | None, code: ExitCode) -> int:
    """Print one error line on stderr (a line break or other control character in it,
    quoted from the input, shown escaped); the exit code."""
    line = f"error: {message}" + (f" (hint: {hint})" if hint else "")
    click.echo("".join(c if c.isprintable() else c.encode("unicode_escape").decode()
                       for c in line), err=True)
    return int(code)


def emit(text: str, output: Path | None) -> None:
    """Write to the output file atomically, or to stdout (no file, or `-`)."""
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
    else:
        write_atomically(output, text.encode("utf-8"))


def result_format(kind: str, fmt: str | None, output: Path | None) -> str:
    """The format of a result of this kind ("select", "ask" or "graph"): --format, else
    the --output file's extension, else a table on a terminal and CSV in a pipe or a
    file (Turtle for a graph). A format that does not suit the result, an extension
    that names no format for it, or an extension and a --format that disagree, is
    refused."""
    graph = kind == "graph"
    formats = tuple(RDF_FORMATS) if graph else RESULT_FORMATS
    what = "a graph (CONSTRUCT, DESCRIBE)" if graph else "query results"
    if fmt is not None and fmt not in formats:
        raise UsageError(f"{fmt!r} is not a format for {what}",
                         hint=f"one of: {', '.join(formats)}")
    if output is None or str(output) == "-":
        return fmt or ("ttl" if graph else "table" if sys.stdout.isatty() else "csv")
    ext = output.suffix.lstrip(".").lower()
    if not ext:
        return fmt or ("ttl" if graph else "csv")
    if graph:
        rdf = format_of_extension(ext)
        by_extension = None if rdf is None else format_name(rdf)
    else:
        by_extension = ROWS_EXTENSIONS.get(ext)
    if by_extension is None:
        extensions = (*RDF_FORMATS, "rdf", "owl") if graph else tuple(ROWS_EXTENSIONS)
        raise UsageError(f"--output {output}: .{ext} is no format for {what}",
                         hint="name the file " + ", ".join(f".{e}" for e in extensions))
    if fmt is not None and fmt != by_extension:
        raise UsageError(f"--format {fmt} does not match --output {output}, which would be "
                         f"{by_extension}", hint="drop --format, or give the file the "
                         "format's extension")
    return by_extension


def show_result(result: Result, fmt: str | None, output: Path | None) -> None:
    """Render a result; an empty SELECT also says so on stderr, with what constrained it."""
    emit(render(result, result_format(result.kind, fmt, output)), output)
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
                             help="Write to this regular file (atomically) instead of stdout "
                                  "(`-`: stdout).")


class Seconds(click.FloatRange):
    """A finite number of seconds above a floor (`nan` and `inf` would never end)."""

    def __init__(self, floor: float) -> None:
        super().__init__(min=floor, min_open=floor == 0)

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a finite number of seconds", param, ctx)
        return seconds


def limits_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--timeout and --memory, given to the command as `limits`."""

    def with_limits(*args: Any, timeout: float, memory: int, **kwargs: Any) -> Any:
        return command(*args, limits=Limits(timeout, memory), **kwargs)

    functools.update_wrapper(with_limits, command)
    options = [
        click.option("--timeout", type=Seconds(0),
                     default=DEFAULT_TIMEOUT, show_default=True, metavar="SECONDS",
                     help="Stop the query after this many seconds (exit 4)."),
        click.option("--memory", type=click.IntRange(min=16), default=DEFAULT_MEMORY,
                     show_default=True, metavar="MIB",
                     help="Stop the query when it takes this much more memory (exit 5)."),
    ]
    for option in reversed(options):
        with_limits = option(with_limits)
    return with_limits


endpoint_option = click.option(
    "--endpoint", "endpoint_url", metavar="URL", envvar="DIPLOGRAPH_ENDPOINT",
    help="A SPARQL 1.1 endpoint to run at instead of the local store (default: "
         "$DIPLOGRAPH_ENDPOINT; credentials from $DIPLOGRAPH_ENDPOINT_USER and "
         "$DIPLOGRAPH_ENDPOINT_PASSWORD, or ~/.netrc).")


def opened_endpoint(ctx: click.Context, url: str | None,
                    graph_store: str | None = None) -> Endpoint | None:
    """The endpoint at `url` (None without one), closed when the command ends."""
    if url is None:
        return None
    from diplograph.sparql.endpoints import Endpoint

    return ctx.with_resource(Endpoint(url, graph_store))


inference_option = click.option("--no-inference", is_flag=True,
                                help="Query asserted facts only, without OWL RL entailments.")


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="diplograph")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path),
              help="Project folder with ontology/, data/, queries/ "
                   "(default: $DIPLOGRAPH_PROJECT, the working directory, or the bundled graph).")
@click.option("--store", type=click.Path(file_okay=False, path_type=Path),
              help="Cache folder for compiled stores "
                   "(default: $DIPLOGRAPH_STORE or the XDG cache).")
@click.option("--debug", is_flag=True,
              help=f"Show the traceback of an error (also ${DEBUG_ENV}=1).")
@click.pass_context
def cli(ctx: click.Context, project: Path | None, store: Path | None, debug: bool) -> None:
    """diplograph: a knowledge graph of diplomatic relations between states.

    Run named SPARQL queries, export RDF dumps, validate new facts.
    Exit codes: 0 ok, 1 data does not conform, 2 usage error, 3 bad input,
    4 time limit, 5 memory ceiling, 6 endpoint unreachable or failing, 7 credentials
    refused, 8 pushed counts differ, 70 internal error, 130 interrupted, 143 terminated.
    """
    ctx.obj = Graph.open(project, store)


def main() -> None:
    """The console script. SIGTERM stops it as Ctrl-C does, then ends it by that signal
    (status 143 in a shell; a service manager sees a stop, not a failure). A query
    stopped at a limit, by Ctrl-C or SIGTERM runs on in its thread, which the engine
    cannot stop, as may a compile's writer: the process then ends at once."""
    signal.signal(signal.SIGTERM, _on_terminate)
    try:
        cli(prog_name="diplograph")
    except SystemExit as done:
        if done.code == ExitCode.TERMINATED:
            sys.stdout.flush()
            sys.stderr.flush()
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
        if done.code == ExitCode.INTERRUPTED or any(
                t.name == QUERY_THREAD and t.is_alive() for t in threading.enumerate()):
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(done.code if isinstance(done.code, int) else 1)
        raise
