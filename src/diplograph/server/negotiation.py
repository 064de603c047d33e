"""Which format to answer in: `?format=` if given, else the best match of the `Accept`
header among the formats offered (a result's and a graph's, decided before the query
runs, since a SPARQL text says only then which it gives)."""

from __future__ import annotations

from diplograph.errors import DiplographError
from diplograph.rdf.reading import RDF_FORMATS

# media types, in order of preference when the client accepts anything
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/x-ndjson": "ndjson",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/plain": "table",
}
GRAPH_TYPES = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/n-quads": "nq",
    "application/trig": "trig",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "xml",
    "text/plain": "nt",
}
RESULT_MEDIA = {fmt: media for media, fmt in reversed(RESULT_TYPES.items())}
GRAPH_MEDIA = {fmt: media for media, fmt in reversed(GRAPH_TYPES.items())}
EXTENSIONS = {"json": "srj", "xml": "srx", "table": "txt"}


class NotAcceptable(DiplographError):
    """No format the client accepts can carry the answer."""


def _accepted(header: str) -> list[tuple[float, int, str]]:
    """(quality, position, media range) of each range in an Accept header."""
    ranges = []
    for position, part in enumerate(header.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((quality, position, media.lower()))
    return ranges


def _best(header: str | None, offered: dict[str, str]) -> str | None:
    """The offered format the Accept header likes best (the first offered if it
    accepts anything), or None."""
    if not header:
        return next(iter(offered.values()))
    best: tuple[float, int, int] | None = None
    choice = None
    order = list(offered)
    for quality, position, media in _accepted(header):
        if quality <= 0:
            continue
        kind, _, _ = media.partition("/")
        for rank, offer in enumerate(order):
            if media in (offer, "*/*") or (media == f"{kind}/*" and offer.startswith(f"{kind}/")):
                key = (-quality, position, rank)
                if best is None or key < best:
                    best, choice = key, offered[offer]
                break
    return choice


def choose(fmt: str | None, accept: str | None) -> tuple[str | None, str | None]:
    """The format for rows (SELECT, ASK) and for triples (CONSTRUCT, DESCRIBE); None
    where nothing fits. `fmt` (a `?format=` value) wins over the header."""
    if fmt:
        rows = fmt if fmt in RESULT_MEDIA else None
        triples = fmt if fmt in RDF_FORMATS else None
        if rows is None and triples is None:
            names = sorted(set(RESULT_MEDIA) | set(RDF_FORMATS))
            raise NotAcceptable(f"format: {fmt!r} is not a format",
                                hint=f"one of: {', '.join(names)}")
        return rows, triples
    return _best(accept, RESULT_TYPES), _best(accept, GRAPH_TYPES)


def media_type(fmt: str, graph: bool) -> str:
    """The media type of an answer in `fmt` (a graph's or a result's)."""
    media = (GRAPH_MEDIA if graph else RESULT_MEDIA)[fmt]
    return media + "; charset=utf-8" if media.startswith("text/") else media
