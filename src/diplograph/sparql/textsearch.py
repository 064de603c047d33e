"""Name searches answered through the store's label index (`store.labels`) instead of a
scan of every label: a query of the right shape gets the things the index finds as a
VALUES block, and its own filter still decides each row, so the answer is the scan's."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from diplograph.rdf.reading import blank_noise
from diplograph.sparql.syntax import where_start
from diplograph.sparql.template import Bound, Template, values_block

_RDFS = re.compile(r"PREFIX\s+rdfs:\s*<http://www\.w3\.org/2000/01/rdf-schema#>", re.I)
_LABELLED = re.compile(r"(?:^|[.)])\s*\?(\w+)\s+rdfs:label\s+\?(\w+)\b")
_CONTAINS = (r"\bFILTER\s*\(\s*CONTAINS\s*\(\s*LCASE\s*\(\s*STR\s*\(\s*\?{}\s*\)\s*\)\s*,"
             r"\s*LCASE\s*\(\s*\$(\w+)\s*\)\s*\)\s*\)")


@lru_cache(maxsize=64)
def label_search(template: Template) -> tuple[str, str] | None:
    """(thing variable, text parameter) if the query's WHERE group is flat (no inner
    group: each of its patterns holds of every row) and states `?thing rdfs:label ?name`
    and `FILTER(CONTAINS(LCASE(STR(?name)), LCASE($text)))`; None for any other query."""
    at = template.where
    if at is None or not _RDFS.search(template.text):
        return None
    body = template.code[at:template.code.find("}", at)]
    if "{" in body:
        return None
    for found in _LABELLED.finditer(body):
        thing, name = found.groups()
        contains = re.search(_CONTAINS.format(name), body, re.I)
        if contains:
            return thing, contains.group(1)
    return None


def narrowed(store: Path, template: Template, text: str, bound: Bound) -> str | None:
    """The bound query `text` with the things the index finds for its search text as a
    VALUES block, or None where the index does not apply (see `label_search` and
    `things_labelled`)."""
    shape = label_search(template)
    if shape is None:
        return None
    thing, parameter = shape
    value = bound.get(parameter, ())
    if len(value) != 1 or not isinstance(value[0], ox.Literal):
        return None
    from diplograph.store.labels import things_labelled  # here: SQLite only for a search

    things = things_labelled(store, value[0].value)
    at = where_start(blank_noise(text))
    if things is None or at is None:
        return None
    return str(text[:at] + values_block({thing: tuple(things)}) + text[at:])
