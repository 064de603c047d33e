"""Where a stored query's parameters may stand: the template must parse with values
for them, and a `multi` parameter must not hide in a subquery."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from diplograph.errors import syntax_problem
from diplograph.namespaces import PREFIXES
from diplograph.sparql.header import Parameter, template_error
from diplograph.sparql.safety import check_query
from diplograph.sparql.template import Bound
from diplograph.store.cache import Term

if TYPE_CHECKING:
    from diplograph.sparql.catalog import NamedQuery

_PLACED: set[tuple[Path, str]] = set()  # the templates check_placement has passed


def check_placement(named: NamedQuery) -> None:
    """The template parses with values for its parameters: all of them, only the
    required ones, and two for each `multi` one (so a parameter stands only where a
    value can: not after VALUES or BY, not in a subquery's SELECT list, a literal not
    as a predicate). A `multi` parameter, whose values join at the top, is not hidden
    inside a subquery. Checked when a query first runs in a process and by lint, not
    when the catalog loads: parsing every template would slow every command."""
    template = named.template
    if (named.path, template.text) in _PLACED:
        return
    check_query(template.text, where=str(named.path), code=template.code)  # before it runs
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
        error = _error(template.bind(bound))
        if isinstance(error, RuntimeError):  # e.g. a function Oxigraph does not know
            raise template_error(named.path, f"the query cannot run "
                                             f"({str(error).splitlines()[0]})")
        if isinstance(error, SyntaxError):
            problem = syntax_problem(error)
            every = template.bind(attempts["every parameter given a value"])
            if all(isinstance(_error(t), SyntaxError) for t in (template.text, every)):
                raise template_error(named.path, f"the query does not parse ({problem})")
            raise template_error(named.path, f"with {given}, the query does not parse "
                                             f"({problem}): a parameter stands only where a "
                                             "value can")
    multi = {p.name for p in named.parameters if p.multi}
    for start, end in template.subqueries:
        for o in template.occurrences:
            if o.name in multi and start <= o.start < end:
                raise template_error(named.path, f"multi parameter ${o.name} is used in a "
                                                 "subquery, which does not see the values "
                                                 "joined at the top")
    _PLACED.add((named.path, template.text))


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


def _error(sparql: str) -> SyntaxError | RuntimeError | None:
    """Why a query text cannot run on an empty store, if it cannot."""
    try:
        ox.Store().query(sparql)
    except (SyntaxError, RuntimeError) as exc:
        return exc
    return None
