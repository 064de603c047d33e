"""`plot timeline|relations|network`: the graph drawn as SVG, PNG or an HTML page."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from diplograph.cli.app import cli, graph_of, output_option
from diplograph.cli.querying import LANGUAGES
from diplograph.errors import UsageError
from diplograph.plots import FORMATS as PICTURE_FORMATS

Command = Callable[..., None]


@cli.group()
def plot() -> None:
    """Draw the graph: a timeline of two states, a state's relations on a world map, the
    network of relations between states. Every mark links to the IRI it shows (SVG, HTML)."""


def picture_options(command: Command) -> Command:
    """--output, --format and --lang, shared by every picture."""
    command = click.option("--lang", default="en", show_default=True,
                           shell_complete=lambda *_: [click.shell_completion.CompletionItem(x)
                                                      for x in LANGUAGES],
                           help="Language of the labels (falling back to English).")(command)
    command = click.option("--format", "fmt", type=click.Choice(PICTURE_FORMATS),
                           help="svg, png or html (default: from --output's extension, "
                                "else svg).")(command)
    return output_option(command)


def to_stdout(output: Path | None) -> bool:
    """No --output, or `-`."""
    return output is None or str(output) == "-"


def picture_format(fmt: str | None, output: Path | None) -> str:
    """--format, else the output's extension, else SVG; PNG only into a file or a pipe."""
    if fmt is None and output is not None and not to_stdout(output):
        fmt = output.suffix.lstrip(".").lower()
        if fmt not in PICTURE_FORMATS:
            raise UsageError(f"--output: cannot tell the picture format of {output.name}",
                             hint="name the file .svg, .png or .html, or give --format")
    fmt = fmt or "svg"
    if fmt == "png" and to_stdout(output) and sys.stdout.isatty():
        raise UsageError("a PNG is not for a terminal", hint="give --output FILE.png")
    return fmt


def save(data: bytes, output: Path | None) -> None:
    """Write the picture atomically, or to stdout."""
    from diplograph.atomic import write_atomically

    if output is None or to_stdout(output):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_atomically(output, data)


@plot.command("timeline")
@click.option("--a", "a", required=True, help="One state: ISO code, name or IRI.")
@click.option("--b", "b", required=True, help="The other state.")
@click.option("--from", "start", help="Only events on or after this date (YYYY[-MM[-DD]]).")
@click.option("--to", "end", help="Only events up to this date (YYYY[-MM[-DD]]).")
@picture_options
@click.pass_context
def timeline_command(ctx: click.Context, a: str, b: str, start: str | None, end: str | None,
                     fmt: str | None, output: Path | None, lang: str) -> None:
    """Every dated event between two states on a time axis, one lane per kind of event."""
    from diplograph.plots.timeline import timeline

    fmt = picture_format(fmt, output)
    save(timeline(graph_of(ctx), a, b, fmt=fmt, start=start, end=end, lang=lang), output)


@plot.command("relations")
@click.option("--country", required=True, help="The state: ISO code, name or IRI.")
@picture_options
@click.pass_context
def relations_command(ctx: click.Context, country: str, fmt: str | None, output: Path | None,
                      lang: str) -> None:
    """A world map of a state's partners, shaded by the year relations were established,
    with its embassies abroad and the foreign embassies at home."""
    from diplograph.plots.worldmap import relations

    fmt = picture_format(fmt, output)
    save(relations(graph_of(ctx), country, fmt=fmt, lang=lang), output)


@plot.command("network")
@click.option("--region", "regions", multiple=True,
              help="Only states of this UN M49 region or subregion (Asia, 'Central Asia'); "
                   "may be repeated.")
@click.option("--max-edges", default=600, show_default=True, type=click.IntRange(min=1),
              help="Draw at most this many edges, the heaviest.")
@picture_options
@click.pass_context
def network_command(ctx: click.Context, regions: tuple[str, ...], max_edges: int,
                    fmt: str | None, output: Path | None, lang: str) -> None:
    """States as nodes; relations, visits and agreements between two states as one edge
    weighted by their number. Many states sit on a ring grouped by region, few are laid
    out by force."""
    from diplograph.plots.network import network

    fmt = picture_format(fmt, output)
    save(network(graph_of(ctx), fmt=fmt, regions=regions, lang=lang, max_edges=max_edges),
         output)
