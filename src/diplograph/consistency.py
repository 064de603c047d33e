"""Whether a compiled graph is consistent: the contradictions its OWL RL closure holds,
each with its rule and the source lines of the triples it rests on, recorded beside the
store when it compiles (with the reasoner that made the closure) and read back by every
command that uses the graph."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from diplograph.atomic import write_atomically
from diplograph.layout import REASONING
from diplograph.namespaces import compact
from diplograph.reasoning import Clash, Engine

_PREFIX = re.compile(r"(?im)^\s*@?prefix\s+([\w.-]*):\s*<([^>]*)>")
_SCHEMA_IRIS = ("http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2002/07/owl#",
                "http://www.w3.org/1999/02/22-rdf-syntax-ns#")
_LEADING = {f"<{_SCHEMA_IRIS[0]}{n}>" for n in ("domain", "range", "subClassOf",
                                                "subPropertyOf")} | {
    f"<{_SCHEMA_IRIS[1]}{n}>" for n in ("equivalentClass", "equivalentProperty", "inverseOf")}
_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_SHOWN = 2  # clashes a one-line warning names


@dataclass(frozen=True)
class Located:
    """A source file's path as shown to users, its text and its N-Triples lines."""

    shown_as: str
    text: str
    lines: bytes


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
    found = tuple(Contradiction(c.rule, c.message, _where(c, sources)) for c in clashes)
    write_atomically(folder / REASONING, Consistency(asked.value, used.value, found).to_json())


def read(folder: Path) -> Consistency:
    """The consistency recorded in a compiled store's folder."""
    return Consistency.from_json((folder / REASONING).read_bytes())


def _where(clash: Clash, sources: list[Located]) -> tuple[str, ...]:
    """Where each triple of the clash was written. An entailment is `inferred`, followed
    by where the first statement about the clash's focus and the first axiom leading to
    the entailment's class or property (a domain, a range, a superclass) were written."""
    places: list[str] = []
    for s, p, o in clash.triples:
        line = f"{s} {p} {o} .\n".encode()
        found = [_line(source, (s, p, o)) for source in sources if line in source.lines]
        if found:
            places += found
            continue
        places.append("inferred")
        places += _first(sources, lambda t: clash.focus in (t[0], t[2]))
        target = o if p == _TYPE else p  # a class, or a property, that axioms lead to
        places += _first(sources, lambda t: t[2] == target and t[1] in _LEADING)  # noqa: B023
    return tuple(dict.fromkeys(places))


def _first(sources: list[Located], wanted: Callable[[tuple[str, str, str]], bool]) -> list[str]:
    """Where the first triple of the sources that is `wanted` was written."""
    for source in sources:
        for line in source.lines.decode().split("\n"):
            if line and wanted(triple := tuple(line[:-2].split(" ", 2))):  # type: ignore[arg-type]
                return [_line(source, triple)]  # type: ignore[arg-type]
    return []


def _line(source: Located, triple: tuple[str, str, str]) -> str:
    """`file:line` of a triple's first occurrence in a source: the first place from the
    subject's first spelling where its predicate is written right before its object (or
    an object list goes on), else the object's first spelling from there."""
    text, (s, p, o) = source.text, triple
    prefixes = _PREFIX.findall(text)
    verbs = _spellings(p, prefixes) + (["a"] if p == _TYPE else [])
    start = min(_all(text, _spellings(s, prefixes)), default=0)
    first = None
    for at in _all(text, _spellings(o, prefixes), start):
        first = at if first is None else first
        before = text[text.rfind("\n", 0, at) + 1:at].rstrip()
        if before.endswith(",") or any(before.endswith(v) and not before[:-len(v)][-1:].strip()
                                       for v in verbs):
            first = at
            break
    found = first if first is not None else (start if start else None)
    return source.shown_as if found is None else \
        f"{source.shown_as}:{text.count(chr(10), 0, found) + 1}"


def _all(text: str, spellings: list[str], start: int = 0) -> list[int]:
    """Every place from `start` where one of the spellings is written as a whole term."""
    places = []
    for spelling in spellings:
        at = text.find(spelling, start)
        while at >= 0:
            if not (text[at + len(spelling):at + len(spelling) + 1].isalnum()
                    or text[at + len(spelling):at + len(spelling) + 1] in "_-:"
                    ) or not spelling[-1].isalnum():
                places.append(at)
            at = text.find(spelling, at + 1)
    return sorted(places)


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
