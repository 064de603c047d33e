"""What SHACL shapes read around a node, for checking a few nodes on a small graph.

`Shapes` indexes a shapes graph and says which of its constructs fall outside the
subset the in-context check is exact for (`Shapes.outside`). `Reach` walks the
shapes from the nodes to check, through the merged graph (a store's default graph and
the new facts), and keeps every triple SHACL Core reads on the way: the types and
superclasses that decide sh:targetClass and sh:class, the triples sh:targetSubjectsOf
and sh:targetObjectsOf match, every step of a property path (inverse, sequence,
alternative, zero-or-more, one-or-more, zero-or-one), the properties sh:equals,
sh:disjoint, sh:lessThan(OrEquals) compare, all of a node sh:closed checks, and,
recursively, what sh:node, sh:property, sh:and, sh:or, sh:xone, sh:not and
sh:qualifiedValueShape read at the value nodes. A node's results on those triples are
its results on the whole graph.

`affected` finds the nodes to check from the new triples: walking the shapes (not the
data) gives each place a shape stands at, as the path segments leading there from a
focus node, and what is read there; a new triple read at a place leads back, through
those segments, to the focus nodes whose validation reads it."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property

import pyoxigraph as ox

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = ox.NamedNode(RDF + "type")
SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
RDFS_CLASS = ox.NamedNode(RDFS + "Class")
FIRST, REST, NIL = (ox.NamedNode(RDF + n) for n in ("first", "rest", "nil"))

Node = ox.NamedNode | ox.BlankNode | ox.Literal

#: The SHACL features pyshacl (the reference engine) does not support, and why; the
#: W3C SHACL suite's verdict differs from pyshacl's on each. `unsupported` finds them,
#: and validation warns when shapes use them.
PYSHACL_UNSUPPORTED = {
    "$shapesGraph": "pyshacl cannot query the shapes graph from a SPARQL constraint "
                    "(NotImplementedError): the constraint is left out",
    "prefixes through owl:imports": "pyshacl does not read the sh:declare prefixes of an "
                                    "ontology that sh:prefixes reaches through owl:imports: "
                                    "validating the whole graph refuses the query",
}
SHAPES_GRAPH = re.compile(r"[?$]shapesGraph\b")


def sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


#: Parameters that read nothing beyond the value nodes themselves (or are not read).
_LOCAL = {sh(n) for n in (
    "minCount", "maxCount", "datatype", "nodeKind", "minLength", "maxLength", "pattern",
    "flags", "languageIn", "in", "hasValue", "minInclusive", "maxInclusive", "minExclusive",
    "maxExclusive", "uniqueLang", "message", "severity", "name", "description", "order",
    "group", "defaultValue", "targetClass", "targetNode", "targetSubjectsOf",
    "targetObjectsOf", "path", "deactivated", "ignoredProperties", "qualifiedMinCount",
    "qualifiedMaxCount", "qualifiedValueShapesDisjoint", "sparql", "declare", "prefixes",
    "prefix", "namespace", "select", "inversePath", "alternativePath", "zeroOrMorePath",
    "oneOrMorePath", "zeroOrOnePath", "class", "node", "not", "and", "or", "xone",
    "property", "qualifiedValueShape", "closed", "equals", "disjoint", "lessThan",
    "lessThanOrEquals",
    # the vocabulary of validation reports, which a shapes file may hold: never read
    "conforms", "result", "focusNode", "resultPath", "resultSeverity", "resultMessage",
    "sourceConstraintComponent", "sourceShape", "sourceConstraint", "value", "detail")}
_SHAPE_LISTS = (sh("and"), sh("or"), sh("xone"))
_SHAPE_ONES = (sh("node"), sh("not"), sh("property"), sh("qualifiedValueShape"))
_COMPARED = (sh("equals"), sh("disjoint"), sh("lessThan"), sh("lessThanOrEquals"))
_TARGETS = (sh("targetClass"), sh("targetNode"), sh("targetSubjectsOf"), sh("targetObjectsOf"))
_PATH_KINDS = ("inversePath", "alternativePath", "zeroOrMorePath", "oneOrMorePath",
               "zeroOrOnePath")


_ANY = "any"  #: a place reads every triple of the node (sh:closed)
#: A step: a predicate, and whether it is walked backwards (an inverse path).
Step = tuple[ox.NamedNode, bool]
#: A path segment: one step, or (`star`) any number of the steps, in any order.
Segment = tuple[frozenset[Step], bool]
#: What a place reads: a step's triples, every triple (`_ANY`), or whether the node
#: is an instance of a class (its types and their superclasses).
Read = Step | str | tuple[str, Node]
_MAX_DEPTH = 16  #: shapes nested deeper (recursive shapes) are outside the subset


class Outside(Exception):
    """The shapes use a construct the in-context check is not proven exact for."""


class Shapes:
    """A shapes graph, indexed by subject and predicate."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.triples = list(triples)
        self._objects: defaultdict[tuple[object, ox.NamedNode], list[Node]] = defaultdict(list)
        self._subjects: defaultdict[tuple[ox.NamedNode, object], list[Node]] = defaultdict(list)
        self._pairs: defaultdict[ox.NamedNode, list[tuple[Node, Node]]] = defaultdict(list)
        for t in self.triples:
            if not isinstance(t.object, ox.Triple) and not isinstance(t.subject, ox.Triple):
                self._objects[t.subject, t.predicate].append(t.object)
                self._subjects[t.predicate, t.object].append(t.subject)
                self._pairs[t.predicate].append((t.subject, t.object))

    def pairs(self, predicate: ox.NamedNode) -> list[tuple[Node, Node]]:
        """The (subject, object) pairs of the triples with this predicate."""
        return self._pairs.get(predicate, [])

    def objects(self, subject: object, predicate: ox.NamedNode) -> list[Node]:
        return self._objects.get((subject, predicate), [])

    def subjects(self, predicate: ox.NamedNode, obj: object) -> list[Node]:
        return self._subjects.get((predicate, obj), [])

    def value(self, subject: object, predicate: ox.NamedNode) -> Node | None:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def members(self, head: object) -> list[Node]:
        """The items of an RDF list (a malformed list ends where it breaks)."""
        items: list[Node] = []
        seen: set[object] = set()
        while head != NIL and head not in seen and (first := self.value(head, FIRST)) is not None:
            seen.add(head)
            items.append(first)
            head = self.value(head, REST)
        return items

    def is_true(self, subject: object, predicate: ox.NamedNode) -> bool:
        value = self.value(subject, predicate)
        return isinstance(value, ox.Literal) and value.value in ("true", "1")

    @cached_property
    def outside(self) -> list[str]:
        """The constructs of these shapes that the in-context check is not exact for:
        SHACL vocabulary it does not know (rules, SPARQL targets and custom constraint
        components of SHACL-AF, say)."""
        unknown = sorted({t.predicate.value for t in self.triples
                          if t.predicate.value.startswith(SH) and t.predicate not in _LOCAL})
        return [f"sh:{name.removeprefix(SH)}" for name in unknown]

    @cached_property
    def targeted(self) -> list[Node]:
        """The shapes with targets: a target declaration, or an implicit class target (a
        shape that is an rdfs:Class, or an instance of a subclass of rdfs:Class)."""
        kinds = {RDFS_CLASS, *self.subjects(SUBCLASS, RDFS_CLASS)}
        shapes = {t.subject for t in self.triples if t.predicate in _TARGETS}
        shapes |= {t.subject for t in self.triples if t.predicate == RDF_TYPE
                   and t.object in kinds and self._is_shape(t.subject)}
        return sorted(shapes, key=str)  # type: ignore[arg-type]

    def _is_shape(self, node: object) -> bool:
        shape_types = {sh("NodeShape"), sh("PropertyShape")}
        return any(t in shape_types for t in self.objects(node, RDF_TYPE)) or any(
            p.value.startswith(SH) for (s, p) in self._objects if s == node)

    @cached_property
    def nesting(self) -> list[tuple[Node, Node]]:
        """The property shapes holding property shapes (whose results are about the
        outer one's values), with their paths."""
        outer = {shape for shape, _ in self.pairs(sh("property"))}
        return [(shape, path) for shape in sorted(outer, key=str)
                if (path := self.value(shape, sh("path"))) is not None
                and not self.is_true(shape, sh("deactivated"))]

    @cached_property
    def by_target(self) -> dict[tuple[str, Node], list[Node]]:
        """The targeted shapes by target: ("class", C), ("node", N), ("subjectsOf", P),
        ("objectsOf", P)."""
        found: defaultdict[tuple[str, Node], list[Node]] = defaultdict(list)
        for shape in self.targeted:
            for cls in self.target_classes(shape):
                found["class", cls].append(shape)
            for kind in ("Node", "SubjectsOf", "ObjectsOf"):
                for value in self.objects(shape, sh("target" + kind)):
                    found[kind, value].append(shape)
        return dict(found)

    def target_classes(self, shape: Node) -> list[Node]:
        implicit = self.in_classes(shape)
        return [*self.objects(shape, sh("targetClass")), *([shape] if implicit else [])]

    def in_classes(self, shape: Node) -> bool:
        kinds = {RDFS_CLASS, *self.subjects(SUBCLASS, RDFS_CLASS)}
        return any(t in kinds for t in self.objects(shape, RDF_TYPE))


class Merged:
    """The merged graph, read by triple pattern: a store's default graph and new facts."""

    def __init__(self, store: ox.Store, facts: Iterable[ox.Triple]) -> None:
        self.store = store
        self.facts = ox.Store()
        self.facts.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in facts)

    def match(self, s: Node | None, p: ox.NamedNode | None, o: Node | None) -> list[ox.Triple]:
        if isinstance(s, ox.Literal):
            return []
        found = [q.triple for q in self.store.quads_for_pattern(s, p, o, ox.DefaultGraph())]
        return found + [q.triple for q in self.facts.quads_for_pattern(s, p, o)]


class Reach:
    """A walk of the shapes from some nodes through the merged graph; `read` holds
    every triple it read."""

    def __init__(self, shapes: Shapes, graph: Merged) -> None:
        self.shapes = shapes
        self.graph = graph
        self.read: set[ox.Triple] = set()
        self._visited: set[tuple[Node, Node]] = set()
        self._classes: dict[Node, set[Node]] = {}

    def match(self, s: Node | None, p: ox.NamedNode | None, o: Node | None) -> list[ox.Triple]:
        found = self.graph.match(s, p, o)
        self.read.update(found)
        return found

    def check(self, nodes: Iterable[Node]) -> dict[Node, list[Node]]:
        """The nodes to validate, each with the shapes that target it, having walked
        each shape from its node: the given nodes, and the nodes whose validation
        reports results about one of them (a property shape's sh:property checks the
        values of its path, and its results are about those values)."""
        found: dict[Node, list[Node]] = defaultdict(list)
        for node in nodes:
            found[node] += self._targeting(node)
            for root, shape in self._roots(node):
                if shape not in found[root]:
                    found[root].append(shape)
        for node, shapes in found.items():
            for shape in shapes:
                self.visit(node, shape)
        return {node: shapes for node, shapes in found.items() if shapes}

    def _roots(self, node: Node) -> set[tuple[Node, Node]]:
        """The (node, targeting shape) pairs whose validation checks `node` with a
        property shape nested in another property shape."""
        roots: set[tuple[Node, Node]] = set()
        for outer, path in self.shapes.nesting:
            for parent in self.values(node, path, inverse=True):
                roots |= self._checked_by(parent, outer, set())
        return roots

    def _targeting(self, node: Node) -> list[Node]:
        """The shapes that target `node` (reading the triples that decide it)."""
        index = self.shapes.by_target
        found = list(index.get(("Node", node), []))
        if not isinstance(node, ox.Literal):
            for cls in self.classes(node):
                found += index.get(("class", cls), [])
        for (kind, p), shapes in index.items():
            if isinstance(p, ox.NamedNode) and (
                    (kind == "SubjectsOf" and self.match(node, p, None))
                    or (kind == "ObjectsOf" and self.match(None, p, node))):
                found += shapes
        return list(dict.fromkeys(found))

    def _checked_by(self, node: Node, shape: Node,
                    seen: set[tuple[Node, Node]]) -> set[tuple[Node, Node]]:
        """The (node, targeting shape) pairs whose validation applies `shape` to `node`
        with its results about `node` (through sh:property only)."""
        if (node, shape) in seen:
            return set()
        seen.add((node, shape))
        found = {(node, shape)} if shape in self._targeting(node) else set()
        for owner in self.shapes.subjects(sh("property"), shape):
            path = self.shapes.value(owner, sh("path"))
            if path is None:
                if owner in self._targeting(node):
                    found.add((node, owner))
            else:
                for parent in self.values(node, path, inverse=True):
                    found |= self._checked_by(parent, owner, seen)
        return found

    def classes(self, node: Node) -> set[Node]:
        """The node's types and all their superclasses (reading the triples)."""
        if node not in self._classes:
            found: set[Node] = set()
            todo = [t.object for t in self.match(node, RDF_TYPE, None)]
            while todo:
                cls = todo.pop()
                if cls not in found and not isinstance(cls, ox.Triple):
                    found.add(cls)
                    todo += [t.object for t in self.match(cls, SUBCLASS, None)]
            self._classes[node] = found
        return self._classes[node]

    def visit(self, node: Node, shape: Node) -> None:
        """Read what `shape` reads at `node`."""
        if (node, shape) in self._visited or self.shapes.is_true(shape, sh("deactivated")):
            return
        self._visited.add((node, shape))
        shapes = self.shapes
        path = shapes.value(shape, sh("path"))
        values = {node} if path is None else self.values(node, path)
        if shapes.objects(shape, sh("class")) or shapes.objects(shape, sh("closed")):
            for value in values:
                self.classes(value)
                if shapes.is_true(shape, sh("closed")):
                    self.match(value, None, None)
        for predicate in _COMPARED:
            for other in shapes.objects(shape, predicate):
                if isinstance(other, ox.NamedNode):
                    self.match(node, other, None)
        nested = [m for p in _SHAPE_ONES for m in shapes.objects(shape, p)]
        nested += [m for p in _SHAPE_LISTS for head in shapes.objects(shape, p)
                   for m in shapes.members(head)]
        if shapes.objects(shape, sh("qualifiedValueShape")) and any(
                shapes.is_true(s, sh("qualifiedValueShapesDisjoint"))
                for s in [shape, *shapes.subjects(sh("property"), shape)]):
            nested += [q for _, q in shapes.pairs(sh("qualifiedValueShape"))]  # the siblings
        for member in nested:
            for value in values:
                self.visit(value, member)

    def values(self, node: Node, path: Node, inverse: bool = False) -> set[Node]:
        """The nodes `path` leads to from `node` (backwards if `inverse`)."""
        shapes = self.shapes
        if isinstance(path, ox.NamedNode):
            if inverse:
                return {t.subject for t in self.match(None, path, node)}  # type: ignore[misc]
            return {t.object for t in self.match(node, path, None)}  # type: ignore[misc]
        steps = shapes.members(path)
        if steps:
            current = {node}
            for step in reversed(steps) if inverse else steps:
                current = {v for n in current for v in self.values(n, step, inverse)}
            return current
        kinds = [(kind, inner) for kind in _PATH_KINDS
                 if (inner := shapes.value(path, sh(kind))) is not None]
        if len(kinds) != 1 or isinstance(path, ox.Literal):
            raise Outside(f"a property path it cannot read: {path}")
        kind, inner = kinds[0]
        if kind == "inversePath":
            return self.values(node, inner, not inverse)
        if kind == "alternativePath":
            return {v for option in shapes.members(inner)
                    for v in self.values(node, option, inverse)}
        if kind == "zeroOrOnePath":
            return {node} | self.values(node, inner, inverse)
        reached: set[Node] = set()
        todo = [node]
        while todo:
            for value in self.values(todo.pop(), inner, inverse):
                if value not in reached:
                    reached.add(value)
                    todo.append(value)
        return reached | {node} if kind == "zeroOrMorePath" else reached


def affected(shapes: Shapes, graph: Merged, triples: Iterable[ox.Triple]) -> list[Node]:
    """The nodes whose validation can read one of the new `triples`: their subjects,
    the nodes sh:targetNode names that the graph holds (whose results need no new
    data), and every node a shape's walk leads from to where it reads a new triple:
    the object of a triple
    read backwards (an inverse path, sh:targetObjectsOf), the nodes pointing to a
    node a new type makes an instance of a class sh:class reads, the start of a
    longer path. A new rdfs:subClassOf triple (a schema statement, which the rules
    for new facts refuse) is not followed to the instances it changes. Raises
    `Outside` for shapes nested deeper than the walk follows."""
    triples = list(triples)
    by_predicate: defaultdict[ox.NamedNode, list[ox.Triple]] = defaultdict(list)
    for t in triples:
        by_predicate[t.predicate].append(t)
    found = dict.fromkeys(_nodes(t.subject for t in triples))
    found.update(dict.fromkeys(  # a handful; pyshacl skips those absent from the data
        o for _, o in shapes.pairs(sh("targetNode"))
        if graph.match(o, None, None) or graph.match(None, None, o)))
    supers: dict[object, set[object]] = {}
    for chain, reads in _places(shapes).items():
        seeds: set[Node] = set()
        for read in reads:
            if read == _ANY:
                seeds |= _nodes(t.subject for t in triples)
            elif isinstance(read, tuple) and read[0] == "class":
                seeds |= _nodes(t.subject for t in by_predicate[RDF_TYPE]
                                if read[1] in _superclasses(graph, t.object, supers))
            elif isinstance(read, tuple) and isinstance(read[0], ox.NamedNode):
                predicate, inverse = read
                seeds |= _nodes(t.object if inverse else t.subject
                                for t in by_predicate[predicate])
        for node in sorted(_back(graph, seeds, chain), key=str):
            found.setdefault(node)
    return list(found)


def _nodes(terms: Iterable[object]) -> set[Node]:
    """The terms that are nodes (not quoted triples)."""
    return {t for t in terms if isinstance(t, ox.NamedNode | ox.BlankNode | ox.Literal)}


def _places(shapes: Shapes) -> dict[tuple[Segment, ...], set[Read]]:
    """What the shapes read at each place they stand at, by the path segments that lead
    there from a focus node."""
    reads: defaultdict[tuple[Segment, ...], set[Read]] = defaultdict(set)
    seen: set[tuple[Node, tuple[Segment, ...]]] = set()

    def apply(shape: Node, chain: tuple[Segment, ...], depth: int) -> None:
        if (shape, chain) in seen or shapes.is_true(shape, sh("deactivated")):
            return
        if depth > _MAX_DEPTH:
            raise Outside("shapes nested deeper than the walk follows (recursive shapes)")
        seen.add((shape, chain))
        path = shapes.value(shape, sh("path"))
        ends = [chain]
        if path is not None:
            ends = []
            for segments in _segments(shapes, path, False):
                for i, segment in enumerate(segments):
                    steps, star = segment
                    reads[chain + segments[:i + 1] if star else chain + segments[:i]] |= steps
                ends.append(chain + segments)
        for predicate in _COMPARED:
            for other in shapes.objects(shape, predicate):
                if isinstance(other, ox.NamedNode):
                    reads[chain].add((other, False))
        for end in ends:
            reads[end] |= {("class", cls) for cls in shapes.objects(shape, sh("class"))}
            if shapes.is_true(shape, sh("closed")):
                reads[end].add(_ANY)
        nested = [m for p in _SHAPE_ONES for m in shapes.objects(shape, p)]
        nested += [m for p in _SHAPE_LISTS for head in shapes.objects(shape, p)
                   for m in shapes.members(head)]
        if shapes.objects(shape, sh("qualifiedValueShape")):
            nested += [q for _, q in shapes.pairs(sh("qualifiedValueShape"))]  # the siblings
        for member in nested:
            for end in ends:
                apply(member, end, depth + 1)

    for shape in shapes.targeted:
        reads[()] |= {("class", cls) for cls in shapes.target_classes(shape)}
        for kind, inverse in (("targetSubjectsOf", False), ("targetObjectsOf", True)):
            for predicate in shapes.objects(shape, sh(kind)):
                if isinstance(predicate, ox.NamedNode):
                    reads[()].add((predicate, inverse))
        apply(shape, (), 0)
    return dict(reads)


def _segments(shapes: Shapes, path: Node, inverse: bool) -> list[tuple[Segment, ...]]:
    """A property path as the alternatives of segment sequences it may walk (walked
    backwards if `inverse`); a repeated path is one `star` segment of all its steps."""
    if isinstance(path, ox.NamedNode):
        return [((frozenset({(path, inverse)}), False),)]
    steps = shapes.members(path)
    if steps:
        found: list[tuple[Segment, ...]] = [()]
        for step in reversed(steps) if inverse else steps:
            found = [a + b for a in found for b in _segments(shapes, step, inverse)]
        return found
    inner = shapes.value(path, sh("inversePath"))
    if inner is not None:
        return _segments(shapes, inner, not inverse)
    options = shapes.value(path, sh("alternativePath"))
    if options is not None:
        return [s for option in shapes.members(options)
                for s in _segments(shapes, option, inverse)]
    for kind in ("zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath"):
        inner = shapes.value(path, sh(kind))
        if inner is not None:
            atoms = frozenset(step for segments in _segments(shapes, inner, inverse)
                              for segment in segments for step in segment[0])
            return [((atoms, True),)]
    raise Outside(f"a property path it cannot read: {path}")


def _back(graph: Merged, nodes: set[Node], chain: tuple[Segment, ...]) -> set[Node]:
    """The nodes from which the chain of segments leads to one of `nodes`."""
    for steps, star in reversed(chain):
        if not nodes:
            break
        reached = set(nodes) if star else set()
        todo = list(nodes)
        while todo:
            node = todo.pop()
            for predicate, inverse in steps:
                found = _nodes(t.object if inverse else t.subject for t in (
                    graph.match(node, predicate, None) if inverse
                    else graph.match(None, predicate, node)))
                for before in found - reached:
                    reached.add(before)
                    if star:
                        todo.append(before)
        nodes = reached
    return nodes


def _superclasses(graph: Merged, cls: object, known: dict[object, set[object]]) -> set[object]:
    """The class and its superclasses (kept in `known`)."""
    if cls not in known:
        found: set[object] = set()
        todo = [cls]
        while todo:
            node = todo.pop()
            if node not in found and isinstance(node, ox.NamedNode | ox.BlankNode):
                found.add(node)
                todo += [t.object for t in graph.match(node, SUBCLASS, None)]
        known[cls] = found
    return known[cls]


def path_text(triples: Iterable[ox.Triple] | Shapes, path: Node) -> str:
    """A SHACL property path in SPARQL's syntax (`^ex:p`, `(ex:a/ex:b)*`, ...)."""
    shapes = triples if isinstance(triples, Shapes) else Shapes(triples)
    if isinstance(path, ox.NamedNode):
        return str(path)
    steps = shapes.members(path)
    if steps:
        return "(" + "/".join(path_text(shapes, s) for s in steps) + ")"
    for kind, sign in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
        inner = shapes.value(path, sh(kind))
        if inner is not None:
            return f"({path_text(shapes, inner)}){sign}"
    inverse = shapes.value(path, sh("inversePath"))
    if inverse is not None:
        return f"^({path_text(shapes, inverse)})"
    options = shapes.value(path, sh("alternativePath"))
    if options is not None:
        return "(" + "|".join(path_text(shapes, o) for o in shapes.members(options)) + ")"
    return str(path)


def unsupported(shapes: Shapes) -> list[str]:
    """The features of `PYSHACL_UNSUPPORTED` the shapes use."""
    queries = [t.object.value for t in shapes.triples if isinstance(t.object, ox.Literal)
               and t.predicate in (sh("select"), sh("ask"))]
    imports = ox.NamedNode("http://www.w3.org/2002/07/owl#imports")
    used = {
        "$shapesGraph": any(SHAPES_GRAPH.search(q) for q in queries),
        "prefixes through owl:imports": any(shapes.objects(holder, imports) for holder in {
            t.object for t in shapes.triples if t.predicate == sh("prefixes")}),
    }
    return [feature for feature in PYSHACL_UNSUPPORTED if used[feature]]
