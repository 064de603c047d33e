"""Lines of N-Triples documents as Oxigraph writes them (one triple a line, single
spaces) found by their predicate: one search over the bytes, not a look at each line."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator


def predicates_pattern(predicates: Iterable[str]) -> re.Pattern[bytes]:
    """A search for any of the N-Triples `predicates` (`<iri>`), with a space each side."""
    return re.compile(b"|".join(re.escape(f" {p} ".encode()) for p in sorted(predicates)))


def lines_with(document: bytes, predicate: re.Pattern[bytes]) -> Iterator[bytes]:
    """The lines of `document` (without their line break) whose predicate `predicate`
    finds, the match starting at the space before it; a hit is checked to be its line's
    predicate (the line's first space), not words in a literal."""
    for match in predicate.finditer(document):
        start = document.rfind(b"\n", 0, match.start()) + 1
        if document.find(b" ", start) == match.start():
            end = document.find(b"\n", match.end())
            yield document[start:len(document) if end < 0 else end]
