"""Validation reports as text for people, JSON for programs, Turtle (sh:ValidationReport)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from diplograph.namespaces import PREFIXES
from diplograph.sparql.results import shown
from diplograph.store.cache import Term
from diplograph.validation.project_check import CHECKS, CheckReport
from diplograph.validation.reach import path_text
from diplograph.validation.severity import Severity
from diplograph.validation.shacl import Finding, ValidationReport

SH = PREFIXES["sh"]
REPORT_FORMATS = ("text", "json", "turtle")


def _counts(report: ValidationReport) -> str:
    by = {s: sum(f.severity is s for f in report.findings) for s in Severity}
    return (f"{by[Severity.VIOLATION]} violations, {by[Severity.WARNING]} warnings, "
            f"{by[Severity.INFO]} infos")


def as_text(report: ValidationReport, fail_on: Severity, max_results: int | None) -> str:
    """Findings grouped by shape, each with its input file:line; then a summary line
    that also says how many subjects were checked, so an empty pass is visible."""
    listed = report.findings[:max_results]
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in listed:
        groups[f.shape].append(f)
    lines = []
    for shape, findings in groups.items():
        lines.append(f"{shape} ({len(findings)})")
        for f in findings:
            where = f"{f.location}: " if f.location else ""
            path = f" {path_shown(report, f.path)}" if f.path else ""
            lines.append(f"  {where}{f.severity.name.lower()}: {shown(f.focus)}{path}: "
                         f"{f.message}")
            if f.value is not None:
                lines.append(f"      value: {shown(f.value)}")
    if len(listed) < len(report.findings):
        lines.append(f"... {len(report.findings) - len(listed)} more results (--max-results)")
    verdict = "conforms" if report.conforms(fail_on) else "does not conform"
    lines.append(f"{', '.join(report.files)}: {verdict}: {report.triples} triples, "
                 f"{report.focus_nodes} subjects checked; {_counts(report)}")
    return "\n".join(lines) + "\n"


def as_json(report: ValidationReport, fail_on: Severity, max_results: int | None) -> str:
    """The report as one JSON document."""
    doc = {
        "conforms": report.conforms(fail_on),
        "files": list(report.files),
        "triples": report.triples,
        "subjects_checked": report.focus_nodes,
        "results": len(report.findings),
        "findings": [_json_finding(report, f) for f in report.findings[:max_results]],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def path_shown(report: ValidationReport, path: Term) -> str:
    """A result path: an IRI as written, a complex path in SPARQL's syntax."""
    if isinstance(path, ox.BlankNode):
        return path_text(report.shapes, path)
    return shown(path)


def _json_finding(report: ValidationReport, f: Finding) -> dict[str, Any]:
    return {
        "severity": f.severity.name.lower(),
        "severity_iri": None if f.severity_iri is None else f.severity_iri.value,
        "focus": str(f.focus.value),
        "path": None if f.path is None else path_shown(report, f.path),
        "value": None if f.value is None else str(f.value.value),
        "message": f.message,
        "shape": f.shape,
        "source_shape": _node_id(f.source_shape),
        "constraint_component": None if f.component is None else f.component.value,
        "location": f.location,
    }


def _node_id(node: Term | None) -> str | None:
    """An IRI as it is, a blank node as `_:id` (as the Turtle report names it)."""
    if node is None:
        return None
    return f"_:{node.value}" if isinstance(node, ox.BlankNode) else str(node.value)


def as_turtle(report: ValidationReport, fail_on: Severity, max_results: int | None) -> str:
    """A SHACL sh:ValidationReport: each result's sh:sourceShape is the shape node (an
    anonymous property shape comes with what the shapes say of it and the sh:property
    link from its node shape), its sh:sourceConstraintComponent the component."""
    node = ox.BlankNode("report")
    triples = [
        ox.Triple(node, ox.NamedNode(PREFIXES["rdf"] + "type"),
                  ox.NamedNode(SH + "ValidationReport")),
        ox.Triple(node, ox.NamedNode(SH + "conforms"),
                  ox.Literal(str(report.conforms(fail_on)).lower(),
                             datatype=ox.NamedNode(PREFIXES["xsd"] + "boolean"))),
    ]
    for number, f in enumerate(report.findings[:max_results]):
        result = ox.BlankNode(f"result{number}")
        triples.append(ox.Triple(node, ox.NamedNode(SH + "result"), result))
        values: list[tuple[str, Term]] = [
            ("type", ox.NamedNode(SH + "ValidationResult")),
            ("focusNode", f.focus),
            ("resultSeverity", f.severity_iri or ox.NamedNode(SH + f.severity.name.title())),
            ("resultMessage", ox.Literal(f.message, language="en")),
        ]
        if f.source_shape is not None:
            values.append(("sourceShape", f.source_shape))
        if f.component is not None:
            values.append(("sourceConstraintComponent", f.component))
        if f.path is not None:
            values.append(("resultPath", f.path))
        if f.value is not None:
            values.append(("value", f.value))
        for name, value in values:
            predicate = PREFIXES["rdf"] + "type" if name == "type" else SH + name
            triples.append(ox.Triple(result, ox.NamedNode(predicate), value))
    triples += report.shapes
    return (ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"").decode()


RENDERERS = {"text": as_text, "json": as_json, "turtle": as_turtle}
_LEVEL = {Severity.VIOLATION: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


def check_as_text(report: CheckReport) -> str:
    """Each problem as `where: level: [check] message`, then each check's verdict."""
    lines = [f"{p.location + ': ' if p.location else ''}{_LEVEL[p.severity]}: [{p.check}] "
             f"{p.message}" for p in report.problems]
    for name, what in CHECKS.items():
        count = report.count(name)
        errors, others = count[Severity.VIOLATION], count[Severity.WARNING] + count[Severity.INFO]
        verdict = "FAIL" if errors else "ok  "
        extra = f" ({errors} errors, {others} warnings and infos)" if errors or others else ""
        lines.append(f"{verdict} {name}: {what}{extra}")
    total = report.count()
    lines.append(f"{len(CHECKS)} checks: {total[Severity.VIOLATION]} errors, "
                 f"{total[Severity.WARNING]} warnings, {total[Severity.INFO]} infos")
    return "\n".join(lines) + "\n"


def check_as_json(report: CheckReport) -> str:
    """The check report as one JSON document."""
    doc = {
        "ok": report.ok,
        "checks": {name: {"description": what,
                          **{_LEVEL[s] + "s": report.count(name)[s] for s in Severity}}
                   for name, what in CHECKS.items()},
        "problems": [{"check": p.check, "severity": _LEVEL[p.severity], "message": p.message,
                      "location": p.location} for p in report.problems],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


CHECK_RENDERERS = {"text": check_as_text, "json": check_as_json}
