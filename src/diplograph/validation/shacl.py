"""Checking new facts against the SHACL shapes in the context of the graph (the only
importer of pyshacl).

Only the new facts' subjects are validated, on a small graph: the ontology, the new
facts, what the store already knows about those subjects, the types of every node they
point to (all they say, if a shape looks further), and what
`ontology/shapes-context.rq` adds for the SPARQL constraints. Tests hold the results
equal to validating the whole merged graph."""

from __future__ import annotations

import contextlib
import importlib
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from itertools import permutations
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from diplograph.errors import InputError, syntax_problem
from diplograph.namespaces import compact
from diplograph.project import Project
from diplograph.rdf.positions import InputText
from diplograph.rdf.reading import blank_noise, read_input
from diplograph.reasoning import consistency
from diplograph.sparql.safety import check_query
from diplograph.sparql.syntax import where_groups
from diplograph.sparql.vocabulary import RDF_TYPE
from diplograph.store.cache import KnowledgeGraph, Term
from diplograph.store.folder import ONTOLOGY_BASE
from diplograph.validation import sparql_constraints

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from diplograph.reasoning.closure import Inconsistency

MAX_NESTING = 100
MAX_LITERAL = 1_000_000  # characters: pyshacl's regular expressions run out of memory
_SH = "http://www.w3.org/ns/shacl#"
_OWL = "http://www.w3.org/2002/07/owl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_FIRST, _RDF_REST, _RDF_NIL = (ox.NamedNode(_RDF + n) for n in ("first", "rest", "nil"))
_SH_PROPERTY, _SH_PATH, _SH_NOT = (ox.NamedNode(_SH + n) for n in ("property", "path", "not"))
_SH_LISTS = [ox.NamedNode(_SH + n) for n in ("and", "or", "xone")]
_SH_VALUE_READS = {ox.NamedNode(_SH + n) for n in ("node", "closed")}
_EQUALITY = (ox.NamedNode(_OWL + "sameAs"), ox.NamedNode(_OWL + "differentFrom"))
_OWL_RL_RULE = (ox.NamedNode("https://w3id.org/diplograph/shapes#OwlRlConsistencyRule"),
                ox.NamedNode("https://w3id.org/diplograph/shapes#OwlRlConsistencyConstraintComponent"))
_LANGUAGE = ox.NamedNode("http://purl.org/dc/terms/language")
_CHAINING = {ox.NamedNode(_OWL + n) for n in (
    "sameAs", "TransitiveProperty", "FunctionalProperty", "InverseFunctionalProperty",
    "propertyChainAxiom", "hasKey", "maxCardinality", "maxQualifiedCardinality",
    "cardinality", "qualifiedCardinality")}


class Severity(IntEnum):
    """SHACL severities, ordered so that a threshold can be compared."""

    INFO = 1
    WARNING = 2
    VIOLATION = 3


@dataclass(frozen=True)
class Finding:
    """One SHACL result about a new fact, and where it is written (the line of the
    offending triple when the result names a path, else of its subject). `source_shape`
    is the shape node (a rule of `factrules` for the checks SHACL cannot express) and
    `component` its constraint component, when known."""

    severity: Severity
    focus: Term
    path: Term | None
    value: Term | None
    message: str
    shape: str
    location: str | None
    source_shape: Term | None = None
    component: ox.NamedNode | None = None


@dataclass(frozen=True)
class ValidationReport:
    """What validating some input files found."""

    files: tuple[str, ...]
    triples: int
    focus_nodes: int
    findings: tuple[Finding, ...]
    shapes: tuple[ox.Triple, ...] = ()  # what the shapes say of the anonymous source shapes

    def conforms(self, fail_on: Severity = Severity.VIOLATION) -> bool:
        """True when no finding is at or above the `fail_on` severity."""
        return all(f.severity < fail_on for f in self.findings)


@dataclass(frozen=True)
class NewFacts:
    """Parsed, well-formed input files and their text, to point at where a triple is
    written."""

    triples: tuple[ox.Triple, ...]
    texts: tuple[InputText, ...]

    @classmethod
    def read(cls, paths: Sequence[Path]) -> NewFacts:
        """Parse strictly (each file read once: a pipe works), refuse over-deep nesting
        and huge literals, with file:line."""
        triples: list[ox.Triple] = []
        texts: list[InputText] = []
        for path in paths:
            data, parsed = read_input(path)
            text = InputText(str(path), data.decode("utf-8"))
            _check_nesting(path, text.text)
            for t in parsed:
                if isinstance(t.object, ox.Literal) and len(t.object.value) > MAX_LITERAL:
                    raise InputError(f"{path}:{text.line(t.subject, t.predicate) or 1}: a "
                                     f"literal of {len(t.object.value)} characters is over "
                                     f"the {MAX_LITERAL} limit",
                                     hint="keep quotes and labels to what the source says")
            triples.extend(parsed)
            texts.append(text)
        return cls(tuple(triples), tuple(texts))

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(text.name for text in self.texts)

    @property
    def subjects(self) -> set[ox.NamedNode | ox.BlankNode]:
        return {t.subject for t in self.triples if not isinstance(t.subject, ox.Triple)}

    def where(self, subject: object, predicate: object = None,
              value: object = None) -> str | None:
        """`file:line` of the triple (or of the subject, without a predicate)."""
        if not isinstance(subject, ox.NamedNode):
            return None
        path = predicate if isinstance(predicate, ox.NamedNode) else None
        for wanted in ((path, value), (None, None)) if path is not None else ((None, None),):
            for text in self.texts:
                line = text.line(subject, *wanted)
                if line is not None:
                    return f"{text.name}:{line}"
        return None

    @property
    def locations(self) -> dict[str, str]:
        """Where each named subject is first written, by IRI."""
        return {s.value: where for s in self.subjects
                if (where := self.where(s)) is not None}


def _check_nesting(path: Path, text: str) -> None:
    depth = 0
    for number, line in enumerate(blank_noise(text).splitlines(), start=1):
        for char in line:
            depth += (char in "[(") - (char in "])")
            if depth > MAX_NESTING:
                raise InputError(f"{path}:{number}: blank nodes or lists nested deeper than "
                                 f"{MAX_NESTING}", hint="flatten the structure with named nodes")


@dataclass(frozen=True)
class Context:
    """What the shapes need besides the new facts: `core` (the ontology, the known
    triples of the new subjects, and the types of every node they point to) for the
    core constraints, and `extra` (from ontology/shapes-context.rq) for the SPARQL ones."""

    core: list[ox.Triple]
    extra: list[ox.Triple]


def context(graph: KnowledgeGraph, project: Project, facts: NewFacts,
            shapes: list[ox.Triple]) -> Context:
    """The context of the new facts in the graph (see `Context`). Of the nodes the new
    subjects point to, the core constraints read only the types (sh:class) and the OWL
    RL contradiction rules only the types, equalities and links back to a new subject,
    unless the shapes or the ontology read further (`_reads_further`): then every
    triple of those nodes is taken."""
    core = [q.triple for g in graph.graphs() if g.value.startswith(ONTOLOGY_BASE)
            for q in graph.store.quads_for_pattern(None, None, None, g)]

    def known(nodes: Iterable[ox.NamedNode | ox.BlankNode],
              predicate: ox.NamedNode | None = None) -> list[ox.Triple]:
        """What the graph says of the nodes: its default graph is the union of the
        visible ones (each triple once, no other graph to skip)."""
        return [q.triple for node in nodes
                for q in graph.store.quads_for_pattern(node, predicate, None, ox.DefaultGraph())]

    subjects = facts.subjects
    about_subjects = known(s for s in subjects if isinstance(s, ox.NamedNode))
    neighbours: set[ox.NamedNode] = set()
    linked: dict[object, set[ox.NamedNode]] = defaultdict(set)  # by subject, classes aside
    for t in [*facts.triples, *about_subjects]:
        if isinstance(t.object, ox.NamedNode):
            neighbours.add(t.object)
            if t.predicate != RDF_TYPE:
                linked[t.subject].add(t.object)
    if _reads_further(shapes, [*core, *facts.triples, *about_subjects]):
        around = known(neighbours)
    else:  # the classes in full (their axioms may be data), the others' types
        classes = {t.object for t in [*facts.triples, *about_subjects]
                   if t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode)}
        around = known(classes)
        around += [t for p in (RDF_TYPE, *_EQUALITY, _LANGUAGE)  # language: of a source
                   for t in known(neighbours - classes, p)]
        around += [q.triple for s in subjects if not isinstance(s, ox.Triple)
                   for q in graph.store.quads_for_pattern(None, None, s, ox.DefaultGraph())
                   if q.subject in neighbours]
    core += about_subjects + around
    return Context(core, _shapes_context(graph, project.shapes_context, linked.values()))


def _reads_further(shapes: list[ox.Triple], triples: list[ox.Triple]) -> bool:
    """Whether the shapes may check a value node beyond its type (sh:node, sh:closed, a
    path longer than one step, a property shape on value nodes), or OWL RL rules may
    chain through it (transitive, functional or inverse-functional properties, keys,
    cardinalities, property chains, owl:sameAs)."""
    objects: defaultdict[tuple[object, ox.NamedNode], list[object]] = defaultdict(list)
    for s in shapes:
        objects[s.subject, s.predicate].append(s.object)
    focus: list[object] = [s.subject for s in shapes if isinstance(s.subject, ox.NamedNode)]
    applied_to_focus = set(focus)  # named shapes, and their and/or/xone/not members
    while focus:
        shape = focus.pop()
        members = [*objects[shape, _SH_NOT]]
        for head in (h for p in _SH_LISTS for h in objects[shape, p]):
            while head != _RDF_NIL and objects[head, _RDF_FIRST]:
                members.append(objects[head, _RDF_FIRST][0])
                head = objects[head, _RDF_REST][0] if objects[head, _RDF_REST] else _RDF_NIL
        focus += [m for m in members if m not in applied_to_focus]
        applied_to_focus.update(members)
    property_shapes = {s.subject for s in shapes if s.predicate == _SH_PATH}
    on_focus = {o for shape in applied_to_focus - property_shapes
                for o in objects[shape, _SH_PROPERTY]} | (applied_to_focus & property_shapes)
    if any(s.predicate in _SH_VALUE_READS or (s.predicate == _SH_PATH and (
            s.subject not in on_focus or not isinstance(s.object, ox.NamedNode)))
           for s in shapes):
        return True
    return any(t.predicate in _CHAINING or (t.predicate == RDF_TYPE and t.object in _CHAINING)
               for t in triples)


def _with_values(sparql: str, groups: list[tuple[int, int]],
                 pairs: list[tuple[ox.NamedNode, ox.NamedNode]]) -> str:
    """The query with a VALUES block of $node and $other (or of the one used) opening
    each group that uses them."""
    values = {
        (True, True): f"VALUES ($node $other) {{ {' '.join(f'({a} {b})' for a, b in pairs)} }}",
        (True, False): f"VALUES $node {{ {' '.join(sorted({str(a) for a, _ in pairs}))} }}",
        (False, True): f"VALUES $other {{ {' '.join(sorted({str(b) for _, b in pairs}))} }}",
    }
    code = blank_noise(sparql)  # comments and strings blanked, offsets kept
    uses = [(start, tuple(bool(re.search(rf"[?$]{name}\b", code[start:end]))
                          for name in ("node", "other"))) for start, end in groups]
    for start, used in uses:  # last first: the earlier offsets stay valid
        if used in values:
            sparql = f"{sparql[:start]}\n  {values[used]}{sparql[start:]}"
    return sparql


def _shapes_context(graph: KnowledgeGraph, path: Path,
                    linked: Iterable[set[ox.NamedNode]]) -> list[ox.Triple]:
    """The triples `path` (a CONSTRUCT query) gives with $node and $other bound to every
    two distinct nodes (not classes) one subject points to, by a VALUES block opening
    each group that uses them: the WHERE group, and a subquery's (which can then narrow
    the pairs down). A group using one of the two gets its values once each."""
    pairs = sorted({pair for nodes in linked for pair in permutations(nodes, 2)}, key=str)
    if not path.is_file() or not pairs:
        return []
    template, groups = _checked_context(graph, path)
    sparql = _with_values(template, groups, pairs)
    try:
        answer = graph.query(sparql)
    except SyntaxError as exc:
        raise InputError(f"{path}: {syntax_problem(exc)}",
                         hint="write a CONSTRUCT query over $node and $other") from exc
    if not isinstance(answer, ox.QueryTriples):
        raise InputError(f"{path}: not a CONSTRUCT query", hint="CONSTRUCT { ... } WHERE { ... }")
    return list(answer)


def _term(node: Node | None) -> Term | None:
    from diplograph.rdf.bridge import to_oxigraph

    return None if node is None else to_oxigraph(node)


def _shown(node: Node | None) -> str | None:
    term = _term(node)
    if term is None:
        return None
    return compact(term.value) if isinstance(term, ox.NamedNode) else str(term.value)


def _rdflib_term(term: ox.NamedNode | ox.BlankNode) -> Node:
    from diplograph.rdf.bridge import to_rdflib

    return to_rdflib(term)


def _shape_name(shapes: Graph, shape: Node | None) -> str:
    """A shape's name; an anonymous property shape is named by its node shape and path."""
    from rdflib.namespace import SH
    from rdflib.term import BNode

    if isinstance(shape, BNode):
        parent = shapes.value(predicate=SH.property, object=shape)
        path = shapes.value(shape, SH.path)
        return f"{_shown(parent) or 'shape'} > {_shown(path) or 'path'}"
    return _shown(shape) or "shape"


def validate_facts(graph: KnowledgeGraph, project: Project, facts: NewFacts,
                   open_namespaces: Sequence[str] = ()) -> ValidationReport:
    """SHACL-validate the new facts' subjects in the context of the graph, and report
    the OWL RL inconsistencies they bring in as violations, wherever their focus lies.
    pyshacl checks the core constraints on the small core context; Oxigraph runs the
    SPARQL constraints on the new subjects with the extra context too. Terms of
    `open_namespaces` pass the closed vocabulary (see `factrules`)."""
    shapes = graph.shapes()
    _check_queries(graph, project, shapes)  # before the thread: both may import rdflib
    loading = threading.Thread(target=_load_pyshacl, daemon=True)
    loading.start()  # pyshacl loads (0.2 s) while Oxigraph finds the context
    try:
        found = context(graph, project, facts, shapes)
    finally:
        loading.join()
    iris = [s for s in facts.subjects if isinstance(s, ox.NamedNode)]
    data = [*found.core, *facts.triples]
    from diplograph.validation.rules import with_rules  # it builds on this module's findings

    known = _known_clashes(graph)
    if len(iris) < len(facts.subjects):  # a blank subject: the SPARQL constraints by pyshacl
        return with_rules(graph, facts, shapes, project.data_dir,
                          _report(shapes, facts, data + found.extra, known), open_namespaces)
    return with_rules(graph, facts, shapes, project.data_dir,
                      _report(shapes, facts, data, known, sparql=(iris, data + found.extra)),
                      open_namespaces)


def _known_clashes(graph: KnowledgeGraph) -> set[tuple[str, str]]:
    """(rule, message) of the contradictions the graph already holds."""
    return {(c.rule, c.message) for c in consistency.read(graph.path).contradictions}


def _check_queries(graph: KnowledgeGraph, project: Project, shapes: list[ox.Triple]) -> None:
    """Check the queries validation runs before any runs: the shapes' SPARQL constraints
    and the shapes context (see `sparqlcheck`; verdicts kept in the store cache)."""
    for text in sparql_constraints.queries(shapes):
        check_query(text, where="a SHACL-SPARQL constraint of the shapes",
                    cache=graph.path.parent)
    path = project.shapes_context
    if path.is_file():
        _checked_context(graph, path)


def _checked_context(graph: KnowledgeGraph, path: Path) -> tuple[str, list[tuple[int, int]]]:
    """The shapes context query and its groups, once it is checked as it runs, with a
    placeholder pair for the values (the same text each time, so its verdict is kept):
    the values are terms, which add no syntax."""
    template = path.read_text(encoding="utf-8-sig")
    groups = where_groups(template)
    if not groups:
        raise InputError(f"{path}: no WHERE group found", hint="CONSTRUCT { ... } WHERE { ... }")
    placeholder = ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/b")
    check_query(_with_values(template, groups, [placeholder]), where=str(path),
                cache=graph.path.parent)
    return template, groups


def _load_pyshacl() -> None:
    """Import pyshacl ahead of `_report`, which reports it if it cannot be imported."""
    with contextlib.suppress(ImportError):
        importlib.import_module("pyshacl")


def _report(shape_triples: list[ox.Triple], facts: NewFacts, triples: list[ox.Triple],
            known: set[tuple[str, str]],
            sparql: tuple[list[ox.NamedNode], list[ox.Triple]] | None = None) -> ValidationReport:
    """Validate `triples` against the shapes with pyshacl, keeping the results about the
    new facts, and report their OWL RL inconsistencies but the `known` ones (rule,
    message); with `sparql` (focus nodes, data), the SPARQL constraints run on Oxigraph
    instead."""
    # imported on first use: rdflib, pyshacl and the reasoner cost a fifth of a second
    # at start-up, which every query would pay
    import pyshacl
    from rdflib import Graph

    from diplograph.rdf.bridge import rdflib_graph
    from diplograph.reasoning.closure import inconsistencies

    data = rdflib_graph(triples)
    options: dict[str, Any] = {"inference": "none", "allow_warnings": True, "advanced": True,
                               "do_owl_imports": False, "inplace": True}  # no copy per run
    if sparql is None:
        shapes = rdflib_graph(shape_triples)
        runs = [pyshacl.validate(data, shacl_graph=shapes, **options)[1]]
    else:  # each group of new subjects against exactly the node shapes that target it
        shapes = rdflib_graph(t for t in shape_triples   # the core: SPARQL ones run apart
                              if not sparql_constraints.is_sparql_triple(t))
        runs = [pyshacl.validate(data, shacl_graph=shapes, use_shapes=sorted(group),
                                 focus_nodes=nodes, **options)[1]
                for group, nodes in _targeted(shape_triples, triples, sparql[0]).items()]
    subjects = {str(s.value) for s in facts.subjects}
    findings = [
        Finding(Severity.VIOLATION, problem.focus, None, None, problem.message,
                f"OWL RL consistency ({problem.rule})", _clash_location(problem, facts),
                *_OWL_RL_RULE)
        for problem in inconsistencies(triples) if (problem.rule, problem.message) not in known
    ]
    if sparql is not None:
        findings += [
            Finding(Severity[r.severity], r.focus, r.path, r.value, r.message,
                    _shape_name(shapes, _rdflib_term(r.shape)),
                    facts.where(r.focus, r.path, r.value), r.shape,
                    ox.NamedNode(_SH + "SPARQLConstraintComponent"))
            for r in sparql_constraints.evaluate(shape_triples, sparql[1], sparql[0])
        ]
    for results in runs:
        assert isinstance(results, Graph)
        findings += _findings(results, shapes, subjects, facts)
    return ValidationReport(facts.files, len(facts.triples), len(subjects),
                            tuple(sorted_findings(findings)), described(shape_triples, findings))


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Each finding once, in the order reports list them (by shape, then line)."""
    return sorted(set(findings), key=lambda f: (f.shape, f.location or "", str(f.focus),
                                                 str(f.path), f.message, str(f.value)))


def described(shape_triples: Iterable[ox.Triple],
              findings: Iterable[Finding]) -> tuple[ox.Triple, ...]:
    """What the shapes say of the anonymous (property) shapes the findings come from,
    with the link from their node shape, so that a report's sh:sourceShape can be read."""
    by_subject: defaultdict[object, list[ox.Triple]] = defaultdict(list)
    parents: dict[object, ox.Triple] = {}
    for t in shape_triples:
        by_subject[t.subject].append(t)
        if t.predicate == _SH_PROPERTY:
            parents[t.object] = t
    todo = [f.source_shape for f in findings if isinstance(f.source_shape, ox.BlankNode)]
    out = {parents[node] for node in todo if node in parents}
    seen: set[object] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        out.update(by_subject[node])
        todo += [t.object for t in by_subject[node] if isinstance(t.object, ox.BlankNode)]
    return tuple(sorted(out, key=str))


def _clash_location(problem: Inconsistency, facts: NewFacts) -> str | None:
    """Where the new facts first write the clash's focus, a subject of its triples, or
    a subject linking to the focus."""
    nodes = [problem.focus, *(t.subject for t in problem.triples),
             *(t.subject for t in facts.triples if t.object == problem.focus)]
    return next((where for n in nodes if (where := facts.where(n)) is not None), None)


def _findings(results: Graph, shapes: Graph, subjects: set[str],
              facts: NewFacts) -> list[Finding]:
    """pyshacl's results about the new subjects (those of the report: not the nested
    results some constraints add as sh:detail)."""
    from rdflib.namespace import RDF, SH

    from diplograph.rdf.bridge import to_oxigraph

    findings = []
    for report in results.subjects(RDF.type, SH.ValidationReport):
        for result in results.objects(report, SH.result):
            node = results.value(result, SH.focusNode)
            if node is None or str(node) not in subjects:
                continue
            severity = str(results.value(result, SH.resultSeverity)).rpartition("#")[2]
            focus, path = to_oxigraph(node), _term(results.value(result, SH.resultPath))
            value = _term(results.value(result, SH.value))
            component = _term(results.value(result, SH.sourceConstraintComponent))
            findings.append(Finding(
                severity=Severity[severity.upper()],
                focus=focus,
                path=path,
                value=value,
                message=str(results.value(result, SH.resultMessage) or "does not conform"),
                shape=_shape_name(shapes, results.value(result, SH.sourceShape)),
                location=facts.where(focus, path, value),
                source_shape=_term(results.value(result, SH.sourceShape)),
                component=component if isinstance(component, ox.NamedNode) else None,
            ))
    return findings


def _targeted(shape_triples: list[ox.Triple], data: list[ox.Triple],
              nodes: list[ox.NamedNode]) -> dict[frozenset[str], list[str]]:
    """The new subjects grouped by the set of node shapes that target them (sh:targetClass
    with rdfs:subClassOf in the data, sh:targetSubjectsOf, sh:targetObjectsOf,
    sh:targetNode), as pyshacl's use_shapes + focus_nodes want them."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in data)
    wanted = {n.value for n in nodes}
    by_node: dict[str, set[str]] = {n: set() for n in wanted}
    for t in shape_triples:
        kind, shape, target = t.predicate.value.removeprefix(_SH), t.subject, t.object
        if not (isinstance(shape, ox.NamedNode) and isinstance(target, ox.NamedNode)
                and t.predicate.value.startswith(_SH)):
            continue
        if kind == "targetClass":
            found = store.query("SELECT ?n WHERE { ?n a/<http://www.w3.org/2000/01/rdf-schema#"
                                f"subClassOf>* {target} }}")
            hits = {row["n"].value for row in found}  # type: ignore[union-attr]
        elif kind == "targetSubjectsOf":
            hits = {q.subject.value for q in store.quads_for_pattern(None, target, None)
                    if isinstance(q.subject, ox.NamedNode)}
        elif kind == "targetObjectsOf":
            hits = {q.object.value for q in store.quads_for_pattern(None, target, None)
                    if isinstance(q.object, ox.NamedNode)}
        elif kind == "targetNode":
            hits = {target.value}
        else:
            continue
        for node in hits & wanted:
            by_node[node].add(shape.value)
    groups: dict[frozenset[str], list[str]] = defaultdict(list)
    for node, shapes in sorted(by_node.items()):
        if shapes:
            groups[frozenset(shapes)].append(node)
    return groups
