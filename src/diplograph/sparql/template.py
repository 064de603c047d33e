"""A stored query's SPARQL lexed once into a `Template`: where its parameters stand,
its SELECT lists and WHERE group are. Loading, the placement check and every run read
this object; binding values (the inliner) writes them in at the offsets it holds."""

from __future__ import annotations

import re
from dataclasses import dataclass

from diplograph.rdf.reading import blank_noise
from diplograph.sparql.syntax import PARAMETER, PROJECTION, subquery_groups, where_start
from diplograph.store.cache import Term

Bound = dict[str, tuple[Term, ...]]
_DISTINCT = re.compile(r"\bSELECT\s+DISTINCT\b", re.I)


@dataclass(frozen=True)
class Occurrence:
    """A `$name` in the text; `projected` if it stands in a SELECT list outside any
    parentheses, where a value is written as `(value AS $name)`."""

    name: str
    start: int
    end: int
    projected: bool


@dataclass(frozen=True)
class Template:
    """A SPARQL text and where its parts are (offsets into `text`)."""

    text: str
    #: the text with strings, IRIs and comments blanked, offsets kept
    code: str
    #: where the top-level WHERE group's content begins (None: no WHERE group)
    where: int | None
    #: the spans of the SELECT lists, the top-level one first
    projections: tuple[tuple[int, int], ...]
    occurrences: tuple[Occurrence, ...]
    #: the spans of the subqueries' groups
    subqueries: tuple[tuple[int, int], ...]
    #: whether the top-level query is SELECT DISTINCT
    distinct: bool

    @classmethod
    def parse(cls, text: str) -> Template:
        """Lex `text` (the only time a stored query is lexed)."""
        code = blank_noise(text)
        projections = tuple(m.span(2) for m in PROJECTION.finditer(code))

        def projected(at: int) -> bool:
            return any(start <= at < end
                       and code.count("(", start, at) == code.count(")", start, at)
                       for start, end in projections)

        return cls(text, code, where_start(code), projections,
                   tuple(Occurrence(m.group(1), m.start(), m.end(), projected(m.start()))
                         for m in PARAMETER.finditer(code)),
                   tuple(subquery_groups(code)), bool(_DISTINCT.search(code)))

    @property
    def parameters(self) -> set[str]:
        """The names of the `$` parameters the text uses."""
        return {o.name for o in self.occurrences}

    def bind(self, bound: Bound) -> str:
        """The query as it runs. A parameter with one value has it written where the
        parameter stands (as `(term AS $name)` in a SELECT list), so the engine plans
        around a constant: 2-50x faster than binding it at run time. Several values go
        in a VALUES block opening the WHERE group. Every term is written by pyoxigraph
        from a checked, typed term (an IRI cannot hold `>` or a space, quotes in a
        literal are escaped), so a value can never be read as query syntax."""
        multi = {name: terms for name, terms in bound.items() if len(terms) > 1}
        single = {name: str(terms[0]) for name, terms in bound.items() if name not in multi}
        edits = [(o.start, o.end, f"({single[o.name]} AS ${o.name})" if o.projected
                  else single[o.name]) for o in self.occurrences if o.name in single]
        if self.where is not None and multi:
            edits.append((self.where, self.where, values_block(multi)))
        pieces, last = [], 0
        for start, end, replacement in sorted(edits):
            pieces += [self.text[last:start], replacement]
            last = end
        return "".join(pieces) + self.text[last:]


def values_block(bound: Bound) -> str:
    """A VALUES clause per parameter, each term written by pyoxigraph from a checked,
    typed term."""
    return "".join(
        f"\n  VALUES ${name} {{ {' '.join(str(term) for term in terms)} }}"
        for name, terms in bound.items()
    )
