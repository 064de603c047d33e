"""SHACL-SPARQL constraints (sh:sparql / sh:select) evaluated by Oxigraph.

pyshacl re-parses a constraint's SPARQL with rdflib for every focus node (80 ms
each); here each constraint runs on an in-memory Oxigraph store, with the variables
SHACL pre-binds written into the query as constants ($this, $currentShape, and a
property shape's path for $PATH). Covered: constraints of node shapes and of their
property shapes, deactivation, any severity, the results' defaults (?value is the
focus node of a node shape; ?path is a property shape's path). Queries SHACL forbids
(MINUS, VALUES, SERVICE, a nested SELECT not returning $this, re-binding a pre-bound
variable) are refused, as the suite asks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from diplograph.errors import InputError
from diplograph.rdf.reading import blank_noise
from diplograph.validation.reach import SH, SHAPES_GRAPH, Node, Shapes, path_text, sh

VIOLATION = SH + "Violation"
OWL_IMPORTS = ox.NamedNode("http://www.w3.org/2002/07/owl#imports")
_FORBIDDEN = [
    (re.compile(r"(?<![\w:-])MINUS\b", re.I), "MINUS"),
    (re.compile(r"(?<![\w:-])VALUES\b", re.I), "VALUES"),
    (re.compile(r"(?<![\w:-])SERVICE\b", re.I), "SERVICE"),
    (re.compile(r"\bAS\s+[?$](this|currentShape|shapesGraph)\b", re.I),
     "AS re-binding a pre-bound variable"),
]
_SUBSELECT = re.compile(r"\{\s*SELECT\b(.*?)(?:\bWHERE\b|\{)", re.I | re.S)
_PROJECTION = re.compile(r"\bSELECT\b(.*?)(?=\bWHERE\b|\{)", re.I | re.S)
_PREBOUND = re.compile(r"((?i:\bbound)\s*\(\s*)?[?$](this|currentShape|PATH)\b(\s*\))?")


@dataclass(frozen=True)
class SparqlResult:
    """One solution of a constraint: a SHACL validation result."""

    shape: Node
    severity: str
    focus: Node
    path: Node | None
    value: Node | None
    message: str


@dataclass(frozen=True)
class Constraint:
    """One active sh:sparql constraint of a shape, its prefixes written in."""

    shape: Node
    select: str
    message: ox.Literal | None
    severity: str
    path: Node | None


def is_sparql_triple(t: ox.Triple) -> bool:
    """True for the sh:sparql links that attach constraints to shapes."""
    return t.predicate == sh("sparql")


def left_out(shapes: Shapes) -> set[Node]:
    """The constraints `constraints` leaves out (pyshacl cannot run them either)."""
    return {node for _, node in shapes.pairs(sh("sparql")) if any(
        isinstance(q, ox.Literal) and SHAPES_GRAPH.search(blank_noise(q.value))
        for q in shapes.objects(node, sh("select")))}


def constraints(shapes: Shapes) -> list[Constraint]:
    """The active SPARQL constraints but those using what pyshacl does not support; a
    query SHACL forbids is an error."""
    found = []
    for shape, node in shapes.pairs(sh("sparql")):
        if shapes.is_true(node, sh("deactivated")) or shapes.is_true(shape, sh("deactivated")):
            continue
        select = shapes.value(node, sh("select"))
        if not isinstance(select, ox.Literal):
            raise InputError(f"shape {shape}: sh:sparql {node} has no sh:select query",
                             hint="give the constraint one sh:select string")
        code = blank_noise(select.value)
        _check(shape, code)
        if SHAPES_GRAPH.search(code):
            continue  # pyshacl cannot run it: left out on both ways, and `validate` warns
        level = shapes.value(shape, sh("severity"))
        found.append(Constraint(
            shape=shape, select=_prefixes(shapes, node) + select.value,
            message=_literal(shapes.value(node, sh("message"))
                             or shapes.value(shape, sh("message"))),
            severity=level.value if isinstance(level, ox.NamedNode) else VIOLATION,
            path=shapes.value(shape, sh("path"))))
    return found


def _literal(term: Node | None) -> ox.Literal | None:
    return term if isinstance(term, ox.Literal) else None


def _check(shape: Node, code: str) -> None:
    """Refuse what SHACL-SPARQL forbids in a constraint's query."""
    for pattern, what in _FORBIDDEN:
        if pattern.search(code):
            raise InputError(f"shape {shape}: a SPARQL constraint may not use {what}",
                             hint="rewrite the query (SHACL 5.2.1: pre-binding)")
    for projection in _SUBSELECT.findall(code):
        if not re.search(r"[?$]this\b", projection):
            raise InputError(f"shape {shape}: a nested SELECT must return $this",
                             hint="list $this in the nested SELECT (not *)")


def _prefixes(shapes: Shapes, node: Node) -> str:
    """The PREFIX lines of the sh:prefixes declarations the constraint names."""
    lines = []
    holders = list(shapes.objects(node, sh("prefixes")))
    for holder in holders:  # and the ontologies they import, as pyshacl reads them
        holders += [o for o in shapes.objects(holder, OWL_IMPORTS) if o not in holders]
        for declaration in shapes.objects(holder, sh("declare")):
            prefix = shapes.value(declaration, sh("prefix"))
            namespace = shapes.value(declaration, sh("namespace"))
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix.value}: <{namespace.value}>\n")
    return "".join(sorted(set(lines)))


def pre_bound(constraint: Constraint, shapes: Shapes, this: Node) -> str:
    """The query with $this, $currentShape and $PATH replaced by their values (SHACL's
    pre-binding): in a projection as `(value AS ?var)`, `bound($var)` as true."""
    text = constraint.select
    code = blank_noise(text)
    projections = [m.span(1) for m in _PROJECTION.finditer(code)]
    values = {"this": str(this), "currentShape": str(constraint.shape),
              "PATH": "" if constraint.path is None else path_text(shapes, constraint.path)}
    pieces: list[str] = []
    last = 0
    for match in _PREBOUND.finditer(code):
        value = values[match[2]]
        inside = [n for n, (start, end) in enumerate(projections) if start <= match.start() < end]
        if match[1] and match[3]:
            written = "(true)"
        elif inside:  # the outer SELECT returns the value; a nested one, an unused name
            name = match[2] if inside[0] == 0 else f"prebound_{len(pieces)}"
            written = f"{match[1] or ''}({value} AS ?{name}){match[3] or ''}"
        else:
            written = f"{match[1] or ''}{value}{match[3] or ''}"
        pieces += [text[last:match.start()], written]
        last = match.end()
    return "".join([*pieces, text[last:]])


def evaluate(shapes: Shapes, data: Iterable[ox.Triple],
             focus: dict[Node, list[Node]],
             found: list[Constraint]) -> list[SparqlResult]:
    """The results of every constraint on the focus nodes of its shape."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in data)
    results: set[SparqlResult] = set()
    for constraint in found:
        for node in focus.get(constraint.shape, []):
            answer = store.query(pre_bound(constraint, shapes, node))
            assert isinstance(answer, ox.QuerySolutions)
            names = {v.value for v in answer.variables}
            for solution in answer:
                results.add(_result(constraint, node, solution, names))
    return sorted(results, key=str)


def _result(constraint: Constraint, node: Node, solution: ox.QuerySolution,
            names: set[str]) -> SparqlResult:
    def bound(name: str) -> Node | None:
        term = solution[name] if name in names else None
        return None if isinstance(term, ox.Triple) else term

    if bound("failure") is not None:
        raise InputError(f"shape {constraint.shape}: a SPARQL constraint reported a failure "
                         f"on {node}", hint="see the constraint's ?failure solution")
    path = bound("path")
    return SparqlResult(
        shape=constraint.shape, severity=constraint.severity, focus=bound("this") or node,
        path=path if isinstance(path, ox.NamedNode) else constraint.path,
        value=bound("value") or (node if constraint.path is None else None),
        message=_message(constraint.message, bound))


def _message(template: ox.Literal | None, bound: object) -> str:
    """sh:message with {?var} / {$var} replaced by the solution's values."""
    if template is None:
        return "does not conform"

    def value(match: re.Match[str]) -> str:
        term = bound(match[1])  # type: ignore[operator]
        return "" if term is None else str(term.value)

    return re.sub(r"\{[?$](\w+)\}", value, template.value)
