"""Checking new facts against the SHACL shapes in the context of the graph (the only
importer of pyshacl).

The nodes the new triples can affect (`reach.affected`: their subjects, their objects
where a shape reads a triple backwards, and the nodes whose paths lead to them) are
validated on a small graph: the ontology, the new facts, what the shapes read from
those nodes (`reach.Reach`), what the OWL RL contradiction rules read around the new
subjects, and what `ontology/shapes-context.rq` adds for the SPARQL constraints.
Shapes outside the subset that walk is exact for are validated on the whole merged
graph instead. Tests hold the results equal to validating the whole merged graph."""

from __future__ import annotations

import contextlib
import importlib
import re
import threading
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
from diplograph.validation.reach import (
    PYSHACL_UNSUPPORTED,
    Merged,
    Outside,
    Reach,
    Shapes,
    affected,
    path_text,
    unsupported,
)
from diplograph.validation.reach import Node as NodeTerm
from diplograph.validation.severity import Severity

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from diplograph.reasoning.closure import Inconsistency

MAX_NESTING = 100
MAX_LITERAL = 1_000_000  # characters: pyshacl's regular expressions run out of memory
_SH = "http://www.w3.org/ns/shacl#"
_OWL = "http://www.w3.org/2002/07/owl#"
_SH_PROPERTY, _SH_PATH = (ox.NamedNode(_SH + n) for n in ("property", "path"))
_SH_LISTS = {ox.NamedNode(_SH + n) for n in ("and", "or", "xone")}
_SH_NESTED = {ox.NamedNode(_SH + n) for n in ("node", "not", "qualifiedValueShape")}
SPARQL_COMPONENT = ox.NamedNode(_SH + "SPARQLConstraintComponent")
_EQUALITY = (ox.NamedNode(_OWL + "sameAs"), ox.NamedNode(_OWL + "differentFrom"))
_OWL_RL_RULE = (ox.NamedNode("https://w3id.org/diplograph/shapes#OwlRlConsistencyRule"),
                ox.NamedNode("https://w3id.org/diplograph/shapes#OwlRlConsistencyConstraintComponent"))
_LANGUAGE = ox.NamedNode("http://purl.org/dc/terms/language")
_CHAINING = {ox.NamedNode(_OWL + n) for n in (
    "sameAs", "TransitiveProperty", "FunctionalProperty", "InverseFunctionalProperty",
    "propertyChainAxiom", "hasKey", "maxCardinality", "maxQualifiedCardinality",
    "cardinality", "qualifiedCardinality")}

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
    severity_iri: ox.NamedNode | None = None  #: a custom severity (any IRI but SHACL's three)


@dataclass(frozen=True)
class ValidationReport:
    """What validating some input files found."""

    files: tuple[str, ...]
    triples: int
    focus_nodes: int
    findings: tuple[Finding, ...]
    shapes: tuple[ox.Triple, ...] = ()  # what the shapes say of the anonymous source shapes
    warnings: tuple[str, ...] = ()  #: about the shapes, e.g. features pyshacl does not support

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

    def as_stored(self) -> NewFacts:
        """The facts with each literal as the store holds it (Oxigraph writes some
        literals in a canonical form: "4.0"^^xsd:decimal as "4"), to meet the graph's."""
        literals = sorted({t.object for t in self.triples if isinstance(t.object, ox.Literal)},
                          key=str)
        store, holder = ox.Store(), ox.NamedNode("urn:x-diplograph:literal")
        store.extend(ox.Quad(ox.NamedNode(f"urn:x-diplograph:{n}"), holder, literal)
                     for n, literal in enumerate(literals))
        stored = {literals[int(str(q.subject).strip("<>").rpartition(":")[2])]: q.object
                  for q in store.quads_for_pattern(None, holder, None)}
        triples = tuple(ox.Triple(t.subject, t.predicate, stored[t.object])
                        if isinstance(t.object, ox.Literal) else t for t in self.triples)
        return NewFacts(triples, self.texts)

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
    """What the shapes need besides the new facts: `core` (the ontology, what the shapes
    read from the nodes to check, and what the OWL RL contradiction rules read around
    the new subjects) for the core constraints, and `extra` for the SPARQL ones."""

    core: list[ox.Triple]
    extra: list[ox.Triple]


def context(graph: KnowledgeGraph, project: Project, facts: NewFacts,
            read: Iterable[ox.Triple]) -> Context:
    """The context of the new facts in the graph (see `Context`); `read` is what the
    shapes read (`Reach`). Of the nodes the new subjects point to, the OWL RL
    contradiction rules read only the types, equalities and links back to a new
    subject, unless the ontology chains through them (`_reads_further`): then every
    triple of those nodes is taken. The SPARQL constraints read what
    `ontology/shapes-context.rq` gives."""
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
    if _reads_further([*core, *facts.triples, *about_subjects]):
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
    core += about_subjects + around + list(read)
    return Context(core, _shapes_context(graph, project.shapes_context, linked.values()))


def _reads_further(triples: list[ox.Triple]) -> bool:
    """Whether OWL RL rules may chain through the nodes the new subjects point to
    (transitive, functional or inverse-functional properties, keys, cardinalities,
    property chains, owl:sameAs)."""
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


def _shape_name(shapes: Shapes, shape: Term | None) -> str:
    """A shape's name; an anonymous property shape is named by its node shape and path."""
    if isinstance(shape, ox.BlankNode):
        parents = shapes.subjects(_SH_PROPERTY, shape)
        path = shapes.value(shape, _SH_PATH)
        parent = _compact(parents[0]) if parents else "shape"
        if isinstance(path, ox.NamedNode):
            return f"{parent} > {_compact(path)}"
        return f"{parent} > {'path' if path is None else path_text(shapes, path)}"
    return _compact(shape) if shape is not None else "shape"


def _compact(term: Term) -> str:
    return compact(term.value) if isinstance(term, ox.NamedNode) else str(term)


def validate_facts(graph: KnowledgeGraph, project: Project, facts: NewFacts,
                   open_namespaces: Sequence[str] = ()) -> ValidationReport:
    """SHACL-validate the nodes the new facts can affect in the context of the graph,
    report the OWL RL inconsistencies they bring in as violations, wherever their
    focus lies, and the rules new facts must follow (`rules`; terms of
    `open_namespaces` pass the closed vocabulary).

    When the shapes are inside the subset `Reach` is exact for, pyshacl checks the core
    constraints on the small context, and Oxigraph runs the SPARQL constraints (on the
    context and what `ontology/shapes-context.rq` adds, or, without that query, on the
    whole merged graph). Otherwise pyshacl validates the whole merged graph."""
    from diplograph.validation.rules import with_rules  # it builds on this module's findings

    shapes = Shapes(graph.shapes())
    _check_queries(graph, project, shapes)  # before the thread: both may import rdflib
    loading = threading.Thread(target=_load_pyshacl, daemon=True)
    loading.start()  # pyshacl loads (0.2 s) while Oxigraph finds the context
    facts = facts.as_stored()
    known = _known_clashes(graph)
    try:
        found = sparql_constraints.constraints(shapes)
        said = unsupported_warnings(shapes)
        outside = shapes.outside + _sparql_outside(shapes, found)
        targeted: dict[NodeTerm, list[NodeTerm]] = {}
        merged = Merged(graph.store, facts.triples)
        reach = Reach(shapes, merged)
        if not outside:
            try:
                targeted = reach.check(affected(shapes, merged, facts.triples))
            except Outside as exc:
                outside.append(str(exc))
        on_sparql: dict[NodeTerm, list[NodeTerm]] = {}
        if not outside:
            on_sparql = _sparql_focus(shapes, found, targeted)
            if any(isinstance(n, ox.BlankNode) for nodes in on_sparql.values() for n in nodes):
                outside.append("a SPARQL constraint on a blank node")
        if outside:
            named = {n for t in facts.triples for n in (t.subject, t.object)
                     if not isinstance(n, ox.Triple)}  # no walk: what the facts name
            named |= {o for _, o in shapes.pairs(ox.NamedNode(_SH + "targetNode"))}
            whole = _report(shapes, facts, [*graph.triples(), *facts.triples], known,
                            keep=named,
                            warnings=[*said, "validating the whole graph (slower): the "
                                      "in-context check is not exact for "
                                      f"{', '.join(sorted(set(outside)))}"])
            return with_rules(graph, facts, shapes.triples, project.data_dir, whole,
                              open_namespaces)
        found_context = context(graph, project, facts, reach.read)
    finally:
        loading.join()
    data = [*found_context.core, *facts.triples]
    sparql_data = ([*data, *found_context.extra] if project.shapes_context.is_file()
                   else [*graph.triples(), *facts.triples]) if on_sparql else []
    results = sparql_constraints.evaluate(shapes, sparql_data, on_sparql, found)
    report = _report(shapes, facts, data, known, focus=targeted, sparql=results, warnings=said)
    return with_rules(graph, facts, shapes.triples, project.data_dir, report, open_namespaces)


def _known_clashes(graph: KnowledgeGraph) -> set[tuple[str, str]]:
    """(rule, message) of the contradictions the graph already holds."""
    return {(c.rule, c.message) for c in consistency.read(graph.path).contradictions}


def _check_queries(graph: KnowledgeGraph, project: Project, shapes: Shapes) -> None:
    """Check the queries validation runs before any runs: the shapes' SPARQL constraints
    (SHACL's rules for them, then as queries) and the shapes context (see
    `sparql.safety`; verdicts kept in the store cache)."""
    for text in (c.select for c in sparql_constraints.constraints(shapes)):
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


def _sparql_outside(shapes: Shapes, found: list[sparql_constraints.Constraint]) -> list[str]:
    """SPARQL constraints Oxigraph cannot run apart from pyshacl: on a shape that is
    reached through another's sh:node, sh:not, sh:and, sh:or, sh:xone or
    sh:qualifiedValueShape (its result feeds the other's), or through a property shape."""
    nested = {m for t in shapes.triples for m in (
        shapes.members(t.object) if t.predicate in _SH_LISTS else
        [t.object] if t.predicate in _SH_NESTED else [])}
    nested |= {o for s in shapes.triples if s.predicate == _SH_PATH
               for o in shapes.objects(s.subject, _SH_PROPERTY)}
    todo = list(nested)
    while todo:
        for member in shapes.objects(todo.pop(), _SH_PROPERTY):
            if member not in nested:
                nested.add(member)
                todo.append(member)
    return ["a SPARQL constraint on a nested shape" for c in found if c.shape in nested
            or any(p in nested for p in shapes.subjects(_SH_PROPERTY, c.shape))][:1]


def _sparql_focus(shapes: Shapes, found: list[sparql_constraints.Constraint],
                  targeted: dict[NodeTerm, list[NodeTerm]]) -> dict[NodeTerm, list[NodeTerm]]:
    """The nodes each SPARQL constraint's shape checks: those it targets, and for a
    property shape those its node shapes target."""
    focus: dict[NodeTerm, list[NodeTerm]] = {}
    for shape in {c.shape for c in found}:
        owners = {shape, *shapes.subjects(_SH_PROPERTY, shape)}
        focus[shape] = [n for n, on in targeted.items() if owners & set(on)]
    return {shape: nodes for shape, nodes in focus.items() if nodes}


def unsupported_warnings(shapes: Shapes) -> list[str]:
    """A warning for each feature the shapes use that pyshacl does not support."""
    return [f"the shapes use {feature}, which pyshacl does not support: {why}"
            for feature in unsupported(shapes) for why in [PYSHACL_UNSUPPORTED[feature]]]


def _report(shapes: Shapes, facts: NewFacts, triples: list[ox.Triple],
            known: set[tuple[str, str]], *,
            focus: dict[NodeTerm, list[NodeTerm]] | None = None,
            keep: set[Term] | None = None,
            sparql: list[sparql_constraints.SparqlResult] | None = None,
            warnings: list[str] | None = None) -> ValidationReport:
    """Validate `triples` against the shapes with pyshacl and report the OWL RL
    inconsistencies but the `known` ones (rule, message). With `focus`, only those
    nodes are checked (and reported), and the SPARQL constraints were run apart (their
    `sparql` results); else the results about `keep` (by default the new subjects)."""
    # imported on first use: rdflib, pyshacl and the reasoner cost a fifth of a second
    # at start-up, which every query would pay
    from rdflib import Graph

    from diplograph.rdf.bridge import rdflib_graph
    from diplograph.reasoning.closure import inconsistencies

    apart = sparql_constraints.left_out(shapes) if sparql is None else set()
    shape_graph = rdflib_graph(t for t in shapes.triples if not (
        sparql_constraints.is_sparql_triple(t) and (sparql is not None or t.object in apart)))
    runs, said, whole = _pyshacl(rdflib_graph(triples), shape_graph, focus)
    wanted: set[Term] | None = None  # with `focus`, every result of those nodes' runs
    if focus is None:
        wanted = set(facts.subjects) if keep is None else keep
    elif whole:  # every target checked, on a context read for `focus` only
        wanted = set(focus)
    findings = [
        Finding(Severity.VIOLATION, problem.focus, None, None, problem.message,
                f"OWL RL consistency ({problem.rule})", _clash_location(problem, facts),
                *_OWL_RL_RULE)
        for problem in inconsistencies(triples) if (problem.rule, problem.message) not in known
    ]
    findings += [
        Finding(_severity(r.severity), r.focus, r.path, r.value, r.message,
                _shape_name(shapes, r.shape), facts.where(r.focus, r.path, r.value), r.shape,
                SPARQL_COMPONENT, _custom(r.severity))
        for r in sparql or [] if wanted is None or r.focus in wanted
    ]
    for results in runs:
        assert isinstance(results, Graph)
        findings += _findings(results, shapes, wanted, facts)
    checked = len(focus) if focus is not None else len(wanted or ())
    return ValidationReport(facts.files, len(facts.triples), checked,
                            tuple(sorted_findings(findings)),
                            described(shapes.triples, findings),
                            tuple(dict.fromkeys([*(warnings or []), *said])))


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Each finding once, in the order reports list them (by shape, then line)."""
    return sorted(set(findings), key=lambda f: (f.shape, f.location or "", str(f.focus),
                                                 str(f.path), f.message, str(f.component),
                                                 str(f.value)))


def described(shape_triples: Iterable[ox.Triple],
              findings: Iterable[Finding]) -> tuple[ox.Triple, ...]:
    """What the shapes say of the anonymous (property) shapes the findings come from,
    with the link from their node shape, and of their complex paths, so that a report's
    sh:sourceShape and sh:resultPath can be read."""
    by_subject: defaultdict[object, list[ox.Triple]] = defaultdict(list)
    parents: dict[object, ox.Triple] = {}
    for t in shape_triples:
        by_subject[t.subject].append(t)
        if t.predicate == _SH_PROPERTY:
            parents[t.object] = t
    todo = [n for f in findings for n in (f.source_shape, f.path) if isinstance(n, ox.BlankNode)]
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


def _pyshacl(data: Graph, shape_graph: Graph,
             focus: dict[NodeTerm, list[NodeTerm]] | None) -> tuple[list[Graph], list[str], bool]:
    """pyshacl's result graphs and warnings, and whether every target was checked: of
    the whole graph (`focus` None), or of
    the given nodes against the shapes that target them. Nodes are grouped by those
    shapes for `use_shapes` + `focus_nodes` (`focus_nodes` alone skips every nested
    check of a node not listed), the shapes graph read in full first (else `use_shapes`
    drops named property shapes); a blank node, a literal or a node a blank shape
    targets, which pyshacl cannot be given, makes it one run on every target."""
    import pyshacl
    from pyshacl.graph_abstraction import DataGraph

    graph = DataGraph.from_rdflib(data)
    groups: defaultdict[frozenset[str], list[str]] = defaultdict(list)
    whole = focus is None
    for node, on in (focus or {}).items():
        if isinstance(node, ox.NamedNode) and all(isinstance(s, ox.NamedNode) for s in on):
            groups[frozenset(s.value for s in on)].append(node.value)
        else:
            whole = True
    options: dict[str, Any] = {"inference": "none", "allow_warnings": True, "allow_infos": True,
                               "advanced": True, "do_owl_imports": False, "inplace": True}
    shared: Any = None
    reports = []
    batches: list[tuple[Any, Any]] = [(None, None)] if whole else sorted(groups.items(), key=str)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        for group, nodes in batches:
            try:
                validator = pyshacl.Validator(graph, shacl_graph=shape_graph, options={
                    **options, "use_shapes": None if group is None else sorted(group),
                    "focus_nodes": nodes})
                if shared is None:
                    shared = validator.shacl_graph
                    shared.shapes  # noqa: B018  (reads every shape in)
                validator.shacl_graph = shared
                reports.append(validator.run()[1])  # type: ignore[no-untyped-call]
            except Exception as exc:  # pyshacl's errors share no base class
                raise InputError(f"shapes: {type(exc).__name__}: {str(exc).splitlines()[0]}",
                                 hint="pyshacl refused the shapes; fix them") from exc
    return reports, [f"pyshacl: {str(w.message).splitlines()[0]}" for w in said], whole


def _severity(iri: str) -> Severity:
    """A SHACL severity; a custom one (any other IRI) counts as a violation."""
    name = iri.removeprefix(_SH).upper()
    return Severity[name] if iri.startswith(_SH) and name in Severity.__members__ \
        else Severity.VIOLATION


def _custom(iri: str) -> ox.NamedNode | None:
    """A severity that is none of SHACL's three, kept as written."""
    return None if iri.startswith(_SH) and iri.removeprefix(_SH).upper() in \
        Severity.__members__ else ox.NamedNode(iri)


def _findings(results: Graph, shapes: Shapes, nodes: set[Term] | None,
              facts: NewFacts) -> list[Finding]:
    """pyshacl's results (about `nodes`, if given; those of the report: not the nested
    results some constraints add as sh:detail)."""
    from rdflib.namespace import RDF, SH

    findings = []
    for report in results.subjects(RDF.type, SH.ValidationReport):
        for result in results.objects(report, SH.result):
            focus = _term(results.value(result, SH.focusNode))
            if focus is None or (nodes is not None and focus not in nodes):
                continue
            severity = str(results.value(result, SH.resultSeverity))
            path = _term(results.value(result, SH.resultPath))
            value = _term(results.value(result, SH.value))
            component = _term(results.value(result, SH.sourceConstraintComponent))
            source = _term(results.value(result, SH.sourceShape))
            findings.append(Finding(
                severity=_severity(severity),
                focus=focus,
                path=path,
                value=value,
                message=str(results.value(result, SH.resultMessage) or "does not conform"),
                shape=_shape_name(shapes, source),
                location=facts.where(focus, path, value),
                source_shape=source,
                component=component if isinstance(component, ox.NamedNode) else None,
                severity_iri=_custom(severity),
            ))
    return findings
