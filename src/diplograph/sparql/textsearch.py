"""Name searches answered from the labels the store's label index (`store.labels`) finds
instead of a scan of every label. A query of the right shape reads nothing but label
triples, each row from one label that passes the query's own filter; run over a store in
memory holding every label that contains the text, it gives the scan's rows exactly."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from diplograph.sparql.syntax import keyword
from diplograph.sparql.template import Bound, Template

_RDFS = re.compile(r"PREFIX\s+rdfs:\s*<http://www\.w3\.org/2000/01/rdf-schema#>", re.I)
_LABELLED = re.compile(r"^\s*\?(\w+)\s+rdfs:label\s+\?(\w+)\s*\.?\s*$")
_CONTAINS = (r"\bFILTER\s*\(\s*CONTAINS\s*\(\s*LCASE\s*\(\s*STR\s*\(\s*\?{}\s*\)\s*\)\s*,"
             r"\s*LCASE\s*\(\s*\$(\w+)\s*\)\s*\)\s*\)")
_EXPRESSION = re.compile(r"\b(FILTER|BIND)\s*\(", re.I)
_DATASET = re.compile(keyword("FROM|SERVICE|GRAPH"), re.I)


def _triples(body: str) -> str:
    """A flat group's text without its FILTER and BIND expressions."""
    kept, at = [], 0
    for found in _EXPRESSION.finditer(body):
        if found.start() < at:
            continue
        depth, end = 0, found.end() - 1
        for end in range(found.end() - 1, len(body)):
            depth += {"(": 1, ")": -1}.get(body[end], 0)
            if depth == 0:
                break
        kept.append(body[at:found.start()])
        at = end + 1
    return "".join(kept) + body[at:]


@lru_cache(maxsize=64)
def label_search(template: Template) -> tuple[str, str] | None:
    """(thing variable, text parameter) if the query's WHERE group is flat (no inner
    group, no dataset of its own) and holds one triple pattern, `?thing rdfs:label
    ?name`, and the filter `FILTER(CONTAINS(LCASE(STR(?name)), LCASE($text)))` beside
    other filters and binds: each row then comes from one label that contains the text.
    None for any other query."""
    at = template.where
    if at is None or not _RDFS.search(template.text) or _DATASET.search(template.code):
        return None
    end = template.code.find("}", at)
    body = template.code[at:end]
    if "{" in body or "{" in template.code[end + 1:]:
        return None
    found = _LABELLED.match(_triples(body))
    if found is None:
        return None
    thing, name = found.groups()
    contains = re.search(_CONTAINS.format(name), body, re.I)
    return (thing, contains.group(1)) if contains else None


def searched(store: Path, template: Template, bound: Bound) -> ox.Store | None:
    """A store in memory holding every label triple that contains the query's search
    text, for the query to run on; None where the index does not apply (see
    `label_search` and `labels_containing`)."""
    shape = label_search(template)
    if shape is None:
        return None
    value = bound.get(shape[1], ())
    if len(value) != 1 or not isinstance(value[0], ox.Literal):
        return None
    from diplograph.store.labels import labels_found  # here: SQLite only for a search

    return labels_found(store, value[0].value)
