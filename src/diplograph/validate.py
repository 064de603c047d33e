"""Checking new facts against the SHACL shapes in the context of the whole graph
(the only importer of pyshacl)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import Graph
from rdflib.namespace import SH
from rdflib.term import Node

from diplograph.bridge import rdflib_graph, to_oxigraph
from diplograph.namespaces import compact
from diplograph.rdfio import read_triples
from diplograph.store import KnowledgeGraph

_PREFIX_DECL = re.compile(r"@?prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I)


@dataclass(frozen=True)
class Finding:
    """One SHACL result about a new fact."""

    severity: str
    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str
    location: str | None


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating input files."""

    files: tuple[str, ...]
    triples: int
    focus_nodes: int
    findings: tuple[Finding, ...]

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "Violation" for f in self.findings)


@dataclass(frozen=True)
class NewFacts:
    """Parsed input files and where each subject is written."""

    triples: tuple[ox.Triple, ...]
    locations: dict[str, str]
    files: tuple[str, ...]

    @classmethod
    def read(cls, paths: Sequence[Path]) -> NewFacts:
        triples: list[ox.Triple] = []
        locations: dict[str, str] = {}
        for path in paths:
            parsed = read_triples(path)
            triples.extend(parsed)
            text = path.read_text(encoding="utf-8")
            for subject in {t.subject for t in parsed if isinstance(t.subject, ox.NamedNode)}:
                line = _first_line(text, subject.value)
                locations.setdefault(subject.value, f"{path}:{line}" if line else str(path))
        return cls(tuple(triples), locations, tuple(str(p) for p in paths))


def _first_line(text: str, iri: str) -> int | None:
    """The first line where an IRI is written, in full or as a declared prefixed name."""
    spellings = [f"<{iri}>"]
    for prefix, base in _PREFIX_DECL.findall(text):
        if iri.startswith(base) and len(iri) > len(base):
            spellings.append(f"{prefix}:{iri[len(base):]}")
    for number, line in enumerate(text.splitlines(), start=1):
        for spelling in spellings:
            if re.search(rf"(?<![\w:/#-]){re.escape(spelling)}(?![\w-])", line):
                return number
    return None


def _shown(node: Node | None) -> str | None:
    if node is None:
        return None
    term = to_oxigraph(node)
    return compact(term.value) if isinstance(term, ox.NamedNode) else str(term.value)


def validate_facts(graph: KnowledgeGraph, facts: NewFacts) -> ValidationReport:
    """SHACL-validate the new facts merged into the existing graph (asserted and
    inferred, ontology included), keeping only results about the new facts."""
    data = rdflib_graph(chain(graph.triples(), facts.triples))
    shapes = rdflib_graph(graph.shapes())
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                     allow_warnings=True, advanced=True)
    assert isinstance(results, Graph)
    subjects = {t.subject.value for t in facts.triples if isinstance(t.subject, ox.NamedNode)}
    findings = []
    for result in results.subjects(predicate=SH.focusNode):
        focus = results.value(result, SH.focusNode)
        focus_iri = str(focus)
        if focus_iri not in subjects:
            continue
        severity = str(results.value(result, SH.resultSeverity)).rpartition("#")[2]
        findings.append(Finding(
            severity=severity,
            focus=_shown(focus) or focus_iri,
            path=_shown(results.value(result, SH.resultPath)),
            value=_shown(results.value(result, SH.value)),
            message=str(results.value(result, SH.resultMessage) or "does not conform"),
            shape=_shown(results.value(result, SH.sourceShape)) or "",
            location=facts.locations.get(focus_iri),
        ))
    findings.sort(key=lambda f: (f.location or "", f.focus, f.path or "", f.message))
    return ValidationReport(facts.files, len(facts.triples), len(subjects), tuple(findings))
