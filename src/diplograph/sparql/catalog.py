"""The stored query catalog: `queries/*.rq`, each SPARQL with a `#+` YAML header, checked
when it loads (parameters declared exactly), when it first runs (no remote access, no
update) and on demand against the graph's vocabulary (lint)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from diplograph.errors import InputError, syntax_problem
from diplograph.namespaces import PREFIXES, compact
from diplograph.rdf.reading import blank_noise
from diplograph.sparql.safety import check_query
from diplograph.store.cache import KnowledgeGraph, Term
from diplograph.store.folder import ONTOLOGY_BASE

Bound = dict[str, tuple[Term, ...]]

PARAMETER_TYPES = ("country", "entity", "date", "year", "iri", "string", "lang-string",
                   "integer", "enum", "lang")
HEADER_KEYS = ("summary", "description", "params", "examples", "tags")
PARAMETER_KEYS = ("type", "required", "default", "help", "values", "class", "example",
                  "column", "multi")


def _keyword(words: str) -> str:
    """A pattern for SPARQL keywords, not matching inside names (`?select`, `ex:where`)."""
    return rf"(?<![?$\w:.-])({words})(?![\w:.-])"


# strings, IRIs and comments are blanked (keeping offsets) before looking for
# variables or the WHERE clause
_PROJECTION = re.compile(_keyword("SELECT") + r"(.*?)(?:" + _keyword("WHERE") + r"|\{)",
                         re.I | re.S)
_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACED: set[tuple[Path, str]] = set()  # templates check_placement has passed
# namespaces the project defines: their terms must be declared or present in the graph
OWN_PREFIXES = ("dg", "dgv", "dgr", "country", "dgsh")
_PROPERTY_CLASSES = tuple(
    ox.NamedNode(iri) for iri in (
        PREFIXES["rdf"] + "Property", PREFIXES["owl"] + "ObjectProperty",
        PREFIXES["owl"] + "DatatypeProperty", PREFIXES["owl"] + "AnnotationProperty")
)
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a named query, written `$name` in the SPARQL; its
    variable is left out of the results unless `column` says it is also a result column.
    A `multi` parameter takes several values (as a VALUES block)."""

    name: str
    type: str
    required: bool = False
    default: str | None = None
    help: str = ""
    values: tuple[str, ...] = ()
    entity_class: str | None = None
    example: str | None = None
    column: bool = False
    multi: bool = False

    @property
    def signature(self) -> str:
        """`name?:type` (optional) or `name:type...` (several values), as listed."""
        return (f"{self.name}{'' if self.required else '?'}:{self.type}"
                + ("..." if self.multi else ""))


@dataclass(frozen=True)
class Example:
    """A documented call of a query and what stays true of its result when facts are
    added: it gives at least `min_rows` rows, and a row with the values of `row`."""

    params: dict[str, tuple[str, ...]]
    min_rows: int = 0
    row: dict[str, str] | None = None

    @property
    def arguments(self) -> list[str]:
        """The example as command-line options."""
        return [a for k, vs in self.params.items() for v in vs for a in (f"--{k}", v)]

    @property
    def promise(self) -> str:
        """What the example promises, in words."""
        parts = [f"at least {self.min_rows} rows"] if self.min_rows or self.row is None else []
        if self.row is not None:
            parts.append("a row with " + ", ".join(f"{k}={v}" for k, v in self.row.items()))
        return " and ".join(parts)


@dataclass(frozen=True)
class NamedQuery:
    """A stored SPARQL template; its parameters are the `$name` variables."""

    name: str
    path: Path
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    examples: tuple[Example, ...]
    tags: tuple[str, ...]
    text: str

    @property
    def header(self) -> str:
        """The `#+` header lines, as written."""
        return "\n".join(line for line in self.text.splitlines() if line.startswith("#+"))

    def parameter(self, name: str) -> Parameter:
        """The declared parameter of that name."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise InputError(f"query {self.name!r} has no parameter {name!r}",
                         hint=f"`diplograph query {self.name} --help` lists them")


def where_offset(sparql: str) -> int | None:
    """Where the top-level WHERE group's content begins (just after its `{`): after the
    first WHERE keyword, else after the first `{` (a CONSTRUCT's template skipped)."""
    body = blank_noise(sparql)
    form = re.search(_keyword("SELECT|CONSTRUCT|DESCRIBE|ASK"), body, re.I)
    if form is None:
        return None
    where = re.compile(_keyword("WHERE") + r"\s*\{", re.I).search(body, form.end())
    if where is not None:
        return where.end()
    start = body.find("{", form.end())
    if start >= 0 and form.group(1).upper() == "CONSTRUCT":
        start = body.find("{", _group_end(body, start))
    return None if start < 0 else start + 1


def where_groups(sparql: str) -> list[tuple[int, int]]:
    """The (start, end) of the content of the top-level WHERE group and of every
    subquery's group (its WHERE keyword being optional), last first; empty if the
    query has no WHERE group."""
    top = where_offset(sparql)
    if top is None:
        return []
    body = blank_noise(sparql)
    selects = re.compile(_keyword("SELECT"), re.I).finditer(body, top)
    braces = (body.find("{", m.end()) for m in selects)  # a projection holds no brace
    starts = {top} | {at + 1 for at in braces if at >= 0}
    return sorted(((at, _group_end(body, at - 1) - 1) for at in starts), reverse=True)


def _fail(path: Path, problem: str) -> InputError:
    return InputError(f"{path}: {problem}", hint="see the header format in queries/README.md")


def _parameter(path: Path, name: Any, spec: Any) -> Parameter:
    if not isinstance(spec, dict) or not _NAME.match(str(name)):
        raise _fail(path, f"parameter {name!r} must be a lower-case name with a mapping")
    unknown = set(spec) - set(PARAMETER_KEYS)
    if unknown:
        raise _fail(path, f"parameter {name!r}: unknown keys {sorted(unknown)}")
    kind = spec.get("type")
    if kind not in PARAMETER_TYPES:
        raise _fail(path, f"parameter {name!r}: type must be one of {', '.join(PARAMETER_TYPES)}")
    values = tuple(str(v) for v in spec.get("values", ()))
    if (kind == "enum") != bool(values):
        raise _fail(path, f"parameter {name!r}: `values` goes with type enum, and only there")
    if (kind == "entity") != ("class" in spec):
        raise _fail(path, f"parameter {name!r}: `class` goes with type entity, and only there")
    default = spec.get("default")
    example = spec.get("example")
    return Parameter(
        name=str(name),
        type=kind,
        required=bool(spec.get("required", False)),
        default=None if default is None else str(default),
        help=str(spec.get("help", "")),
        values=values,
        entity_class=spec.get("class"),
        example=None if example is None else str(example),
        column=bool(spec.get("column", False)),
        multi=bool(spec.get("multi", False)),
    )


EXAMPLE_KEYS = ("params", "min_rows", "row")


def _example(path: Path, spec: Any, parameters: tuple[Parameter, ...]) -> Example:
    if not isinstance(spec, dict) or set(spec) - set(EXAMPLE_KEYS) \
            or not ({"min_rows", "row"} & set(spec)):
        raise _fail(path, f"example {spec!r} must say what stays true when facts are "
                          "added: `min_rows: N` (at least N rows) and/or `row: {column: "
                          "value, ...}` (a row with those values)")
    min_rows = spec.get("min_rows", 0)
    row = spec.get("row")
    if not isinstance(min_rows, int) or isinstance(min_rows, bool) or min_rows < 0:
        raise _fail(path, f"example {spec!r}: `min_rows` is a number of rows")
    if row is not None and (not isinstance(row, dict) or not row):
        raise _fail(path, f"example {spec!r}: `row` maps columns to values")
    given = spec.get("params") or {}
    declared = {p.name: p for p in parameters}
    if not isinstance(given, dict) or set(given) - set(declared):
        raise _fail(path, f"example {spec!r} gives parameters the query does not declare")
    params: dict[str, tuple[str, ...]] = {}
    for name, value in given.items():
        values = tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)
        if len(values) != 1 and not declared[name].multi:
            raise _fail(path, f"example {spec!r} gives several values to single {name!r}")
        params[str(name)] = values
    return Example(params=params, min_rows=min_rows,
                   row=None if row is None else {str(k): str(v) for k, v in row.items()})


def _check_variables(path: Path, text: str, parameters: tuple[Parameter, ...]) -> None:
    body = blank_noise(text)
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", body))
    declared = {p.name for p in parameters}
    if used - declared:
        raise _fail(path, f"${sorted(used - declared)[0]} is used but not declared in `params`")
    select = _PROJECTION.search(body)
    for name in sorted(declared):
        if name not in used:
            raise _fail(path, f"parameter {name!r} is declared but the query never uses ${name}")
        if re.search(rf"\?{name}\b", body):
            raise _fail(path, f"write parameter {name!r} as ${name} everywhere, not ?{name}")
        if re.search(_keyword("AS|BOUND") + rf"\s*\(?\s*\${name}\b", body, re.I):
            raise _fail(path, f"${name} is replaced by its value, so it cannot follow AS or "
                              "BOUND (use COALESCE)")
        if re.search(rf"(?m)^[^#\n]*<\${name}\b", text):
            raise _fail(path, f"write `< ${name}`: `<${name}` reads as the start of an IRI")
        if select is None or not re.search(rf"\${name}\b", select.group(2)):
            raise _fail(path, f"parameter ${name} must be in the SELECT list to be bound")


def load_query(path: Path) -> NamedQuery:
    """Read and check one template: a valid header, and declared parameters exactly the
    variables the query is given. What it may touch is checked when it first runs
    (`sparqlcheck`): parsing every template would slow every command."""
    import yaml  # here, not at start-up: only commands reading the catalog pay for it

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(path, f"not UTF-8 text (byte {exc.start})") from exc
    header_lines = [line[2:] for line in text.splitlines() if line.startswith("#+")]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 7x faster
    try:
        header = yaml.load("\n".join(header_lines), Loader=loader) or {}
    except yaml.YAMLError as exc:
        raise _fail(path, f"header is not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(header, dict) or not header.get("summary"):
        raise _fail(path, "header needs at least `#+ summary: ...`")
    if set(header) - set(HEADER_KEYS):
        raise _fail(path, f"unknown header keys {sorted(set(header) - set(HEADER_KEYS))}")
    params = header.get("params") or {}
    if not isinstance(params, dict):
        raise _fail(path, "`params` must be a mapping of name to specification")
    parameters = tuple(_parameter(path, n, s) for n, s in params.items())
    _check_variables(path, text, parameters)
    if where_offset(text) is None:
        raise _fail(path, "no SELECT ... WHERE { } found")
    return NamedQuery(
        name=path.stem,
        path=path,
        summary=str(header["summary"]).strip(),
        description=str(header.get("description", "")).strip(),
        parameters=parameters,
        examples=tuple(_example(path, e, parameters) for e in header.get("examples") or ()),
        tags=tuple(str(t) for t in header.get("tags") or ()),
        text=text,
    )


def _placeholders(p: Parameter) -> tuple[Term, ...]:
    """Two values of the parameter's type."""
    if p.type in ("country", "entity", "iri"):
        return ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/b")
    if p.type in ("date", "year", "integer"):
        return tuple(ox.Literal(y, datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))
                     for y in ("2000", "2001"))
    if p.type == "lang-string":
        return ox.Literal("a", language="en"), ox.Literal("b", language="en")
    return ox.Literal("a"), ox.Literal("b")


def check_placement(named: NamedQuery) -> None:
    """The template parses with values for its parameters: all of them, only the
    required ones, and two for each `multi` one (so a parameter stands only where a
    value can: not after VALUES or BY, not in a subquery's SELECT list, a literal not
    as a predicate). A `multi` parameter, whose values join at the top, is not hidden
    inside a subquery. Checked when a query first runs in a process and by lint, not
    when the catalog loads: parsing every template would slow every command."""
    if (named.path, named.text) in _PLACED:
        return
    check_query(named.text, where=str(named.path))  # before anything runs it
    fills: Bound = {p.name: _placeholders(p) for p in named.parameters}
    attempts = {
        "every parameter given a value": {n: v[:1] for n, v in fills.items()},
        "only its required parameters given": {
            p.name: fills[p.name][:1] for p in named.parameters if p.required},
        "several values for its multi parameters": {
            p.name: fills[p.name] for p in named.parameters if p.multi},
    }
    tried: list[Bound] = []
    for given, bound in attempts.items():
        if bound in tried:
            continue
        tried.append(bound)
        error = _error(bound_text(named, bound))
        if isinstance(error, RuntimeError):  # e.g. a function Oxigraph does not know
            raise _fail(named.path, f"the query cannot run ({str(error).splitlines()[0]})")
        if isinstance(error, SyntaxError):
            problem = syntax_problem(error)
            every = bound_text(named, attempts["every parameter given a value"])
            if all(isinstance(_error(t), SyntaxError) for t in (named.text, every)):
                raise _fail(named.path, f"the query does not parse ({problem})")
            raise _fail(named.path, f"with {given}, the query does not parse ({problem}):"
                                    " a parameter stands only where a value can")
    body = blank_noise(named.text)
    for subquery in list(_PROJECTION.finditer(body))[1:]:
        start = body.rfind("{", 0, subquery.start())
        inside = body[start:_group_end(body, start)]
        for p in named.parameters:
            if p.multi and re.search(rf"\${p.name}\b", inside):
                raise _fail(named.path, f"multi parameter ${p.name} is used in a subquery, which"
                                        " does not see the values joined at the top")
    _PLACED.add((named.path, named.text))


def _error(sparql: str) -> SyntaxError | RuntimeError | None:
    """Why a query text cannot run on an empty store, if it cannot."""
    try:
        ox.Store().query(sparql)
    except (SyntaxError, RuntimeError) as exc:
        return exc
    return None


def _group_end(body: str, start: int) -> int:
    """Where the `{ ... }` group opening at `start` closes."""
    depth = 0
    for at in range(start, len(body)):
        depth += {"{": 1, "}": -1}.get(body[at], 0)
        if depth == 0:
            return at + 1
    return len(body)


def values_block(bound: Bound) -> str:
    """A VALUES clause per parameter, each term written by pyoxigraph from a checked,
    typed term."""
    return "".join(
        f"\n  VALUES ${name} {{ {' '.join(str(term) for term in terms)} }}"
        for name, terms in bound.items()
    )


def bound_text(query: NamedQuery, bound: Bound) -> str:
    """The query as it runs. A parameter with one value has it written where the
    parameter stands (as `(term AS $name)` in a SELECT list), so the engine plans around
    a constant: 2-50x faster than binding it at run time. Several values go in a VALUES
    block opening the WHERE group. Every term is written by pyoxigraph from a checked,
    typed term (an IRI cannot hold `>` or a space, quotes in a literal are escaped),
    so a value can never be read as query syntax."""
    multi = {name: terms for name, terms in bound.items() if len(terms) > 1}
    single = {name: str(terms[0]) for name, terms in bound.items() if name not in multi}
    text = query.text
    at = where_offset(text)
    if at is not None and multi:
        text = text[:at] + values_block(multi) + text[at:]
    noise = blank_noise(text)
    projections = [m.span(2) for m in _PROJECTION.finditer(noise)]
    pieces, last = [], 0
    for found in _PARAMETER.finditer(noise):
        term = single.get(found.group(1))
        if term is None:
            continue
        projected = any(start <= found.start() < end
                        and noise.count("(", start, found.start())
                        == noise.count(")", start, found.start())
                        for start, end in projections)
        pieces += [text[last:found.start()],
                   f"({term} AS {found.group()})" if projected else term]
        last = found.end()
    return "".join(pieces) + text[last:]


@dataclass(frozen=True)
class Catalog:
    """Every named query of a project, by name."""

    queries: dict[str, NamedQuery]

    @classmethod
    def load(cls, folder: Path) -> Catalog:
        """Load `folder/*.rq`, refusing the whole catalog if one template is bad."""
        return cls({q.name: q for q in map(load_query, sorted(folder.glob("*.rq")))})

    def get(self, name: str) -> NamedQuery:
        """The query of that name, or an error suggesting the closest names."""
        if name in self.queries:
            return self.queries[name]
        from difflib import get_close_matches

        close = get_close_matches(name, self.queries, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "`diplograph queries` lists them"
        raise InputError(f"no query named {name!r}", hint=hint)


@dataclass(frozen=True)
class Vocabulary:
    """What the graph knows: terms its ontology declares, properties, and every IRI."""

    declared: frozenset[str]
    properties: frozenset[str]
    present: frozenset[str]

    @classmethod
    def of(cls, graph: KnowledgeGraph) -> Vocabulary:
        """Read the vocabulary from the compiled graph (asserted and inferred)."""
        declared: set[str] = set()
        properties: set[str] = set()
        present: set[str] = set()
        for name in graph.graphs():
            for quad in graph.store.quads_for_pattern(None, None, None, name):
                properties.add(quad.predicate.value)
                for term in (quad.subject, quad.object):
                    if isinstance(term, ox.NamedNode):
                        present.add(term.value)
                if name.value.startswith(ONTOLOGY_BASE) and isinstance(quad.subject, ox.NamedNode):
                    declared.add(quad.subject.value)
                    if quad.predicate == RDF_TYPE and quad.object in _PROPERTY_CLASSES:
                        properties.add(quad.subject.value)
        return cls(frozenset(declared), frozenset(properties), frozenset(present))


def _iris_and_predicates(sparql: str) -> tuple[set[str], set[str]]:
    """Every IRI a query mentions, and those in a triple pattern's predicate position."""
    from rdflib import URIRef
    from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
    from rdflib.paths import Path as RdfPath
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    iris: set[str] = set()
    predicates: set[str] = set()

    def path_iris(path: Any) -> Iterator[str]:
        if isinstance(path, URIRef):
            yield str(path)
        elif isinstance(path, SequencePath | AlternativePath | NegatedPath):
            for part in path.args:
                yield from path_iris(part)
        elif isinstance(path, InvPath):
            yield from path_iris(path.arg)
        elif isinstance(path, MulPath):
            yield from path_iris(path.path)

    def walk(node: Any) -> None:
        if isinstance(node, URIRef):
            iris.add(str(node))
        elif isinstance(node, RdfPath):
            found = set(path_iris(node))
            iris.update(found)
            predicates.update(found)
        elif isinstance(node, dict):
            if "triples" in node and isinstance(node["triples"], list):
                for triple in node["triples"]:
                    if isinstance(triple, tuple | list) and len(triple) == 3:
                        predicates.update(path_iris(triple[1]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple | set):
            for value in node:
                walk(value)

    walk(translateQuery(parseQuery(sparql)).algebra)
    return iris, predicates


def lint_query(named: NamedQuery, vocabulary: Vocabulary) -> list[str]:
    """Problems of one stored query: a parameter where a value cannot stand (see
    `check_placement`), an IRI of the project's own namespaces that the ontology does
    not declare (or, for resources, the graph does not hold), or a triple pattern whose
    property is unknown."""
    try:
        check_placement(named)
    except InputError as exc:
        return [exc.message]
    try:
        iris, predicates = _iris_and_predicates(named.text)
    except Exception as exc:  # rdflib's parser raises pyparsing errors of many kinds
        return [f"{named.path.name}: does not parse: {exc}"]
    own = {PREFIXES[p]: p for p in OWN_PREFIXES}
    reused = {iri for p, iri in PREFIXES.items() if p not in OWN_PREFIXES}
    problems = []
    for iri in sorted(iris):
        base = next((b for b in own if iri.startswith(b)), None)
        if iri in own or iri in reused:
            continue  # a namespace itself, as in STRSTARTS(STR(?c), STR(dg:))
        if base is None and not any(iri.startswith(b) for b in reused):
            problems.append(f"{named.path.name}: {iri} is in no known vocabulary")
        elif base is not None and iri not in vocabulary.declared | vocabulary.present:
            problems.append(f"{named.path.name}: {compact(iri)} is not in the ontology")
    problems += [f"{named.path.name}: property {compact(p)} is used by no fact and "
                 "declared by no ontology" for p in sorted(predicates - vocabulary.properties)]
    return problems
