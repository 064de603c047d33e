"""Parameter values as typed RDF terms: checked and resolved to graph nodes."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from diplograph.errors import InputError
from diplograph.namespaces import DG, NAME_PROPERTIES, PREFIXES, compact, expand
from diplograph.sparql.header import Parameter
from diplograph.store.cache import KnowledgeGraph, Term

XSD = PREFIXES["xsd"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
RDFS_LABEL = PREFIXES["rdfs"] + "label"
# the names a thing is looked up by; a title is what the output shows of a resolution
LABELS = tuple(ox.NamedNode(iri) for iri in NAME_PROPERTIES)
COUNTRY = ox.NamedNode(DG + "Country")
_DATE_FORMS = (
    (re.compile(r"^[0-9]{4}$"), "gYear", "%Y"),
    (re.compile(r"^[0-9]{4}-[0-9]{2}$"), "gYearMonth", "%Y-%m"),
    (re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), "date", "%Y-%m-%d"),
)
_LANG = re.compile(r"[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*")
_LABEL_INDEXES: dict[tuple[Path, str], dict[str, dict[ox.NamedNode, str]]] = {}
_NAMED: dict[tuple[Path, str, str], set[ox.NamedNode]] = {}
_ENGLISH: dict[tuple[Path, str], dict[ox.NamedNode, tuple[str, str]]] = {}
_HELD: set[tuple[Path, str]] = set()  # (store, language) with labels: checked once
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().strip()


def parse_date(text: str, what: str) -> ox.Literal:
    """`1996`, `1998-05` or `1995-10-02` as xsd:gYear / xsd:gYearMonth / xsd:date."""
    for pattern, datatype, fmt in _DATE_FORMS:
        if pattern.match(text):
            try:
                datetime.datetime.strptime(text, fmt)
            except ValueError:
                break
            return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))
    raise InputError(
        f"{what}: {text!r} is not a date", hint="write YYYY, YYYY-MM or YYYY-MM-DD"
    )


def parse_year(text: str, what: str) -> ox.Literal:
    """`1996` as xsd:gYear."""
    if not re.fullmatch(r"[0-9]{4}", text):
        raise InputError(f"{what}: {text!r} is not a year", hint="write YYYY, e.g. 1996")
    return ox.Literal(text, datatype=ox.NamedNode(XSD + "gYear"))


def parse_lang_string(text: str, what: str) -> ox.Literal:
    """`Qazaxıstan@az` as the language-tagged literal "Qazaxıstan"@az."""
    value, at, tag = text.rpartition("@")
    if not at or not value or not _LANG.fullmatch(tag):
        raise InputError(f"{what}: {text!r} is not a text with a language tag",
                         hint="write TEXT@LANG, e.g. Qazaxıstan@az")
    return ox.Literal(value, language=tag.lower())


def parse_iri(text: str, what: str) -> ox.NamedNode:
    """An absolute IRI, or `prefix:local` with a known prefix."""
    iri = expand(text) or text
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise InputError(
            f"{what}: {text!r} is not an IRI ({str(exc)!r})",
            hint=f"give an absolute IRI or prefix:name with one of {', '.join(PREFIXES)}",
        ) from exc


def _with_name(store: ox.Store, labels: tuple[ox.NamedNode, ...], equal: str
               ) -> set[ox.NamedNode]:
    """The IRIs in `store` one of whose `labels` (?name) passes the filter `equal`."""
    names = " UNION ".join(f"{{ ?node {label} ?name }}" for label in labels)
    solutions = store.query(f"SELECT DISTINCT ?node WHERE {{ {names} {equal} }}")
    assert isinstance(solutions, ox.QuerySolutions)
    return {s["node"] for s in solutions if isinstance(s["node"], ox.NamedNode)}


@dataclass(frozen=True)
class CountryName:
    """A state's name as someone typed towards it: the name matched (in any language),
    the state's ISO code and its English name."""

    matched: str
    code: str
    name: str


class Resolver:
    """Turns what users type (codes, labels in any language, IRIs) into graph nodes."""

    def __init__(self, graph: KnowledgeGraph) -> None:
        self.graph = graph

    def _label_index(self, cls: ox.NamedNode) -> dict[str, dict[ox.NamedNode, str]]:
        """Folded label -> the instances of `cls` it names, each with the label as
        written; kept per compiled store, which never changes once published."""
        key = (self.graph.path, cls.value)
        if key not in _LABEL_INDEXES:
            index: dict[str, dict[ox.NamedNode, str]] = defaultdict(dict)
            # one query over the union graph: reading every label quad of every graph
            # into Python took seconds
            names = " UNION ".join(f"{{ ?node {label} ?name }}" for label in LABELS)
            solutions = self.graph.store.query(
                f"SELECT ?node ?name WHERE {{ ?node a {cls} {{ {names} }} "
                "FILTER(isLiteral(?name)) }")
            assert isinstance(solutions, ox.QuerySolutions)
            for node, name in solutions:
                if isinstance(node, ox.NamedNode) and isinstance(name, ox.Literal):
                    index[_fold(name.value)][node] = name.value
            _LABEL_INDEXES[key] = dict(index)
        return _LABEL_INDEXES[key]

    def _named(self, text: str, cls: ox.NamedNode) -> set[ox.NamedNode]:
        """The instances of `cls` with a label equal to `text` but for case (SPARQL's
        LCASE), found by the engine and kept per compiled store: a process need not read
        every label into the index to resolve one name. The index, with Unicode case
        folding, serves the names this does not find."""
        key = (self.graph.path, cls.value, text)
        if key not in _NAMED:
            # here: SQLite only for a name
            from diplograph.store.labels import labels_found, names_equal

            equal = f"FILTER(LCASE(STR(?name)) = LCASE({ox.Literal(text)}))"
            # the labels containing the text and the other names equal to it but for
            # case, from the store's label index (instead of every name of the graph:
            # seconds at 10M); the type is checked after: joined in the query, the
            # engine read every instance's names
            labels = labels_found(self.graph.path, text)
            others = names_equal(self.graph.path, text)
            found = (_with_name(self.graph.store if labels is None else labels, LABELS[:1], equal)
                     | _with_name(self.graph.store if others is None else others, LABELS[1:],
                                  equal))
            _NAMED[key] = {node for node in found if next(self.graph.store.quads_for_pattern(
                node, RDF_TYPE, cls, ox.DefaultGraph()), None) is not None}
        return _NAMED[key]

    def _code(self, text: str) -> ox.NamedNode | None:
        prop = {2: "alpha2", 3: "alpha3", 4: "alpha4"}.get(len(text))
        if prop is None or not text.isascii() or not text.isalpha():
            return None
        for q in self.graph.store.quads_for_pattern(
            None, ox.NamedNode(DG + prop), ox.Literal(text.upper())
        ):
            if isinstance(q.subject, ox.NamedNode):
                return q.subject
        return None

    def _display(self, node: ox.NamedNode) -> str:
        """A node's English preferred label (else any English label), for messages."""
        for predicate in LABELS:
            for q in self.graph.store.quads_for_pattern(node, predicate, None):
                if isinstance(q.object, ox.Literal) and q.object.language == "en":
                    return q.object.value
        return compact(node.value)

    def _short(self, node: ox.NamedNode) -> str:
        """A country by its ISO code (what a user can type), anything else by its IRI."""
        for prop in ("alpha2", "alpha4"):
            for q in self.graph.store.quads_for_pattern(node, ox.NamedNode(DG + prop), None):
                if isinstance(q.object, ox.Literal):
                    return q.object.value
        return compact(node.value)

    def country_codes(self) -> list[str]:
        """Every state's ISO alpha-2 code, sorted (for shell completion)."""
        return sorted({
            q.object.value
            for q in self.graph.store.quads_for_pattern(None, ox.NamedNode(DG + "alpha2"), None)
            if isinstance(q.object, ox.Literal)
        })

    def country_names(self, text: str, limit: int = 20) -> list[CountryName]:
        """States whose ISO code is `text`, or one of whose names in any language starts
        with it or has a word that does (ignoring case): the code first, then English
        names, then other names, then words inside names; each state once."""
        folded = _fold(text)
        if not folded:
            return []
        english = self._english_names()
        ranked: dict[ox.NamedNode, tuple[int, str]] = {}
        code = self._code(text.strip())
        if code is not None and code in english:
            ranked[code] = (0, text.strip().upper())
        for key, nodes in self._label_index(COUNTRY).items():
            starts = key.startswith(folded)
            if not starts and f" {folded}" not in f" {key}":
                continue
            for node, label in nodes.items():
                if node not in english:
                    continue
                rank = (1 if _fold(english[node][1]) == key else 2) if starts else 3
                if rank < ranked.get(node, (4, ""))[0]:
                    ranked[node] = (rank, label)
        best = sorted(ranked.items(), key=lambda item: (item[1][0], _fold(item[1][1])))
        return [CountryName(label, *english[node]) for node, (_, label) in best[:limit]]

    def _english_names(self) -> dict[ox.NamedNode, tuple[str, str]]:
        """Each state with an ISO alpha-2 code: its code and its English name."""
        key = (self.graph.path, "english names")
        if key not in _ENGLISH:
            alpha2 = ox.NamedNode(DG + "alpha2")
            codes = {q.subject: q.object.value
                     for q in self.graph.store.quads_for_pattern(None, alpha2, None)
                     if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)}
            names = {q.subject: q.object.value
                     for q in self.graph.store.quads_for_pattern(None, LABELS[0], None)
                     if q.subject in codes and isinstance(q.object, ox.Literal)
                     and q.object.language == "en"}
            _ENGLISH[key] = {node: (code, names.get(node, code)) for node, code in codes.items()}
        return _ENGLISH[key]

    def entity(self, text: str, cls: ox.NamedNode, what: str) -> ox.NamedNode:
        """The instance of `cls` named by IRI, ISO code (countries) or label."""
        kind = compact(cls.value)
        if ":" in text and (expand(text) or "://" in text):
            node = parse_iri(text, what)
            if next(self.graph.store.quads_for_pattern(node, RDF_TYPE, cls), None):
                return node
            raise InputError(f"{what}: {text} is not a {kind} in the graph",
                             hint="check the IRI, or give a name")
        code = self._code(text) if cls == COUNTRY else None
        if code is not None:
            return code
        found = self._named(text, cls) or set(self._label_index(cls).get(_fold(text), {}))
        if len(found) == 1:
            return next(iter(found))
        if found:
            names = ", ".join(sorted(f"{self._display(n)} ({self._short(n)})" for n in found))
            raise InputError(f"{what}: {text!r} names several: {names}",
                             hint="give one of them by the code or IRI in brackets")
        import difflib  # only here and for enums: the error paths

        index = self._label_index(cls)
        folded = _fold(text)
        # a typo rarely hits the first letter: among the tens of thousands of country
        # labels in 150 languages, comparing only names that share it keeps it fast
        candidates = [k for k in index if len(index) < 5000 or k[:1] == folded[:1]]
        suggestions: dict[ox.NamedNode, str] = {}
        for key in difflib.get_close_matches(folded, candidates, n=12, cutoff=0.6):
            for node, label in index[key].items():
                suggestions.setdefault(node, label)
        named = [f"{label!r} ({compact(node.value)})"
                 for node, label in list(suggestions.items())[:3]]
        hint = f"did you mean {', '.join(named)}?" if named else (
            "give an ISO code, a name or an IRI" if cls == COUNTRY else "give a name or an IRI")
        raise InputError(f"{what}: no {kind} called {text!r}", hint=hint)

    def bind(self, parameter: Parameter, text: str) -> Term:
        """The typed term for a parameter's value, or an error naming the parameter."""
        what = f"--{parameter.name}"
        if _CONTROL.search(text):
            raise InputError(f"{what}: control characters are not allowed",
                             hint="remove them from the value")
        kind = parameter.type
        if kind == "country":
            return self.entity(text.strip(), COUNTRY, what)
        if kind == "entity":
            cls = parse_iri(str(parameter.entity_class), what)
            return self.entity(text.strip(), cls, what)
        if kind == "date":
            return parse_date(text.strip(), what)
        if kind == "year":
            return parse_year(text.strip(), what)
        if kind == "lang-string":
            return parse_lang_string(text, what)
        if kind == "iri":
            return parse_iri(text.strip(), what)
        if kind == "integer":
            if not re.fullmatch(r"[+-]?[0-9]+", text.strip()):
                raise InputError(f"{what}: {text!r} is not a whole number", hint="e.g. 62")
            return ox.Literal(text.strip(), datatype=ox.NamedNode(XSD + "integer"))
        if kind == "enum":
            if text not in parameter.values:
                import difflib

                close = difflib.get_close_matches(text, parameter.values, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise InputError(f"{what}: {text!r} is not allowed",
                                 hint=f"{hint}one of: {', '.join(parameter.values)}")
            return ox.Literal(text)
        if kind == "lang":
            return self.language(text, what)
        return ox.Literal(text)

    def language(self, text: str, what: str) -> ox.Literal:
        """A language tag the graph holds labels in; else an error listing those it does
        (and the tag of a language named in English, `russian` for ru)."""
        if not _LANG.fullmatch(text):
            raise InputError(f"{what}: {text!r} is not a language tag", hint="e.g. en, az, ru")
        from diplograph.store.labels import holds_language  # here: SQLite only for a tag

        tag = text.lower()
        key = (self.graph.path, tag)
        if key in _HELD:  # kept per compiled store
            return ox.Literal(tag)
        held = holds_language(self.graph.path, tag)
        if held is None:  # no index: the engine looks through labels until one has the tag
            held = bool(self.graph.store.query(
                f"ASK {{ ?node <{RDFS_LABEL}> ?label FILTER(LANG(?label) = {ox.Literal(tag)}) }}"))
        if held:
            _HELD.add(key)
            return ox.Literal(tag)
        solutions = self.graph.store.query(
            "SELECT DISTINCT (LCASE(LANG(?label)) AS ?tag) "
            f"WHERE {{ ?node <{RDFS_LABEL}> ?label }}")
        assert isinstance(solutions, ox.QuerySolutions)
        tags = sorted(str(s["tag"].value) for s in solutions if s["tag"] is not None
                      and s["tag"].value)
        import pycountry  # only here: the error path

        named = pycountry.languages.get(name=text.title())
        code = getattr(named, "alpha_2", None)
        guess = f"did you mean {code}? " if code in tags else ""
        raise InputError(f"{what}: the graph holds no labels in {text!r}",
                         hint=f"{guess}{len(tags)} languages: {', '.join(tags)}")
