"""Commands that check new facts: `validate`."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from diplograph.cli.app import app_of, cli
from diplograph.errors import ExitCode
from diplograph.validate import NewFacts, ValidationReport, validate_facts


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
