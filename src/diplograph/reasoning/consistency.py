"""Whether a compiled graph is consistent: the contradictions its OWL RL closure holds,
each with its rule and the source lines of the triples it rests on, recorded beside the
store when it compiles (with the reasoner that made the closure) and read back by every
command that uses the graph."""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from diplograph.atomic import write_atomically
from diplograph.namespaces import compact
from diplograph.reasoning.engines import Engine
from diplograph.store.folder import REASONING

if TYPE_CHECKING:  # a query reads the consistency without loading the reasoner
    from diplograph.reasoning.closure import Clash, Key

_PREFIX = re.compile(r"(?im)^\s*@?prefix\s+([\w.-]*):\s*<([^>]*)>")
_SCHEMA_IRIS = ("http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2002/07/owl#",
                "http://www.w3.org/1999/02/22-rdf-syntax-ns#")
_LEADING = {f"<{_SCHEMA_IRIS[0]}{n}>" for n in ("domain", "range", "subClassOf",
                                                "subPropertyOf")} | {
    f"<{_SCHEMA_IRIS[1]}{n}>" for n in ("equivalentClass", "equivalentProperty", "inverseOf")}
_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_SHOWN = 2  # clashes a one-line warning names
_TOKEN = re.compile(r"<[^<>\s]*>|[A-Za-z_][\w.-]*:[\w.-]*|:[\w.-]*")  # IRIs, prefixed names


@dataclass(frozen=True)
class Located:
    """A source file's path as shown to users, its text and its N-Triples lines."""

    shown_as: str
    text: str
    lines: bytes

    @cached_property
    def prefixes(self) -> list[tuple[str, str]]:
        """The prefixes the source declares, as (name, IRI)."""
        return _PREFIX.findall(self.text)

    @cached_property
    def _breaks(self) -> list[int]:
        return [at for at, char in enumerate(self.text) if char == "\n"]

    def line_of(self, offset: int) -> int:
        """The line number of an offset of the text."""
        return bisect_left(self._breaks, offset) + 1

    @cached_property
    def _written(self) -> dict[str, bool]:
        return {}

    @cached_property
    def _first(self) -> dict[str, int]:
        first: dict[str, int] = {}
        for found in _TOKEN.finditer(self.text):
            first.setdefault(found.group().rstrip("."), found.start())
        return first

    def first(self, spellings: list[str]) -> int | None:
        """Where one of the spellings of a term is first written as a whole term (one
        scan of the text for every term: a clash's subject is looked up in it)."""
        found = [at for spelling in spellings if (at := self._first.get(spelling)) is not None]
        return min(found, default=None)

    def writes(self, spelling: str) -> bool:
        """Whether the text holds the spelling anywhere (remembered: a search for a
        spelling it lacks reads the whole text)."""
        if spelling in self._first:
            return True
        if spelling[0] == "<" or (spelling[0] == '"' and not self._xml) or (
                ":" in spelling and spelling[0] != '"'):
            return False  # an IRI or a name the scan would have found
        if spelling not in self._written:
            self._written[spelling] = spelling in self.text
        return self._written[spelling]

    @cached_property
    def _xml(self) -> bool:
        """Whether the source is RDF/XML, where IRIs are written in quotes."""
        return "rdf:RDF" in self.text[:10_000] or "rdf:about=" in self.text


@dataclass(frozen=True)
class Contradiction:
    """One clash: the OWL 2 RL rule that finds it, what it says, and where the triples
    it rests on were written (`file:line`, or `inferred` for an entailment)."""

    rule: str
    message: str
    where: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}" + (f" ({', '.join(self.where)})"
                                                   if self.where else "")


@dataclass(frozen=True)
class Consistency:
    """The consistency of a compiled graph and the reasoners asked for and used."""

    asked: str
    used: str
    contradictions: tuple[Contradiction, ...]

    @property
    def consistent(self) -> bool:
        return not self.contradictions

    @property
    def engine(self) -> str:
        """Which engine made the closure, and why if it is not the one asked for."""
        return self.used if self.used == self.asked else \
            f"{self.used} ({self.asked} asked for; the ontology uses constructs it lacks)"

    def warning(self) -> str:
        """One line naming the first clashes and how to see them all."""
        count = len(self.contradictions)
        first = "; ".join(str(c) for c in self.contradictions[:_SHOWN])
        more = f" and {count - _SHOWN} more" if count > _SHOWN else ""
        return (f"warning: the graph is inconsistent: {count} clash{'es' * (count > 1)}: "
                f"{first}{more} (run `diplograph reason` to list them all)")

    def to_json(self) -> bytes:
        return json.dumps({"asked": self.asked, "used": self.used, "contradictions": [
            {"rule": c.rule, "message": c.message, "where": list(c.where)}
            for c in self.contradictions]}, indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Consistency:
        record = json.loads(data)
        return cls(record["asked"], record["used"], tuple(
            Contradiction(c["rule"], c["message"], tuple(c["where"]))
            for c in record["contradictions"]))


def record(folder: Path, asked: Engine, used: Engine, clashes: Iterable[Clash],
           sources: list[Located]) -> None:
    """Write the consistency of a store being compiled into its folder."""
    found = list(clashes)
    where = _Locator(sources, found)
    contradictions = tuple(Contradiction(c.rule, c.message, where(c)) for c in found)
    write_atomically(folder / REASONING,
                     Consistency(asked.value, used.value, contradictions).to_json())


def read(folder: Path) -> Consistency:
    """The consistency recorded in a compiled store's folder."""
    return Consistency.from_json((folder / REASONING).read_bytes())


class _Locator:
    """Where the triples of clashes were written: the sources' lines are read once for
    all of them (a graph may hold thousands of clashes)."""

    def __init__(self, sources: list[Located], clashes: list[Clash]) -> None:
        wanted = {_ntriples(k) for c in clashes for k in c.triples}
        focuses = {c.focus for c in clashes}
        targets = {o if p == _TYPE else p for c in clashes for _, p, o in c.triples}
        self.asserted: dict[bytes, Located] = {}
        self.mentions: dict[str, tuple[Located, Key]] = {}  # first triple naming a focus
        self.leading: dict[str, tuple[Located, Key]] = {}  # first axiom leading to a target
        self.lines: dict[tuple[str, Key], str] = {}
        for source in sources if clashes else []:
            for line in source.lines.splitlines(True):
                if line in wanted:
                    self.asserted.setdefault(line, source)
                s, p, o = line.decode()[:-3].split(" ", 2)
                for term in (s, o):
                    if term in focuses:
                        self.mentions.setdefault(term, (source, (s, p, o)))
                if o in targets and p in _LEADING:
                    self.leading.setdefault(o, (source, (s, p, o)))

    def __call__(self, clash: Clash) -> tuple[str, ...]:
        """Where each triple of the clash was written. An entailment is `inferred`,
        followed by where the first statement about the clash's focus and the first
        axiom leading to the entailment's class or property (a domain, a range, a
        superclass) were written."""
        places: list[str] = []
        for triple in clash.triples:
            source = self.asserted.get(_ntriples(triple))
            if source is not None:
                places.append(self.line(source, triple))
                continue
            places.append("inferred")
            _, p, o = triple
            for found in (self.mentions.get(clash.focus),
                          self.leading.get(o if p == _TYPE else p)):
                if found is not None:
                    places.append(self.line(*found))
        return tuple(dict.fromkeys(places))

    def line(self, source: Located, triple: Key) -> str:
        """`file:line` of a triple's first occurrence in a source (see `_offset`)."""
        key = (source.shown_as, triple)
        if key not in self.lines:
            at = _offset(source, triple)
            self.lines[key] = source.shown_as if at is None else \
                f"{source.shown_as}:{source.line_of(at)}"
        return self.lines[key]


def _ntriples(triple: Key) -> bytes:
    return f"{triple[0]} {triple[1]} {triple[2]} .\n".encode()


def _offset(source: Located, triple: Key) -> int | None:
    """Where a triple is first written: the first place from the subject's first
    spelling where its predicate is written right before its object (or an object list
    goes on), else the object's first spelling from there, else the subject's."""
    text, (s, p, o) = source.text, triple

    def spellings(term: str) -> list[str]:
        return [x for x in _spellings(term, source.prefixes) if source.writes(x)]

    verbs = spellings(p) + (["a"] if p == _TYPE else [])
    start = source.first(spellings(s))
    first = None
    for at in _places(text, spellings(o), start or 0):
        first = at if first is None else first
        before = text[text.rfind("\n", 0, at) + 1:at].rstrip()
        if before.endswith(",") or any(before.endswith(v) and not before[:-len(v)][-1:].strip()
                                       for v in verbs):
            return at
    return first if first is not None else start


def _places(text: str, spellings: list[str], start: int = 0) -> Iterator[int]:
    """Each place from `start`, in order, where one of the spellings is written as a
    whole term (not the start of a longer name)."""
    ahead = {spelling: text.find(spelling, start) for spelling in spellings if spelling}
    while ahead := {spelling: at for spelling, at in ahead.items() if at >= 0}:
        spelling = min(ahead, key=ahead.__getitem__)
        at = ahead[spelling]
        after = text[at + len(spelling):at + len(spelling) + 1]
        if not spelling[-1].isalnum() or not (after.isalnum() or (after and after in "_-:")):
            yield at
        ahead[spelling] = text.find(spelling, at + 1)


def _spellings(term: str, prefixes: list[tuple[str, str]]) -> list[str]:
    """How an N-Triples term may be written: an IRI in full, as a prefixed name or (in
    RDF/XML) in quotes; a literal by its lexical form; a blank node not at all."""
    if term.startswith("<"):
        iri = term[1:-1]
        names = [f"{p}:{iri[len(base):]}" for p, base in prefixes
                 if iri.startswith(base) and len(iri) > len(base)]
        if iri.startswith(_SCHEMA_IRIS):
            names.append(compact(iri))
        return [term, f'"{iri}"', *names]
    if term.startswith('"'):
        return [lexical] if (lexical := term[1:].rpartition('"')[0]) else []
    return []
