"""The prefixes the project writes and reads (queries, shown IRIs, Turtle, TriG, RDF/XML)."""

from __future__ import annotations

DG = "https://w3id.org/diplograph/ontology#"

PREFIXES: dict[str, str] = {
    "dg": DG,
    "dgv": "https://w3id.org/diplograph/vocab/",
    "country": "https://w3id.org/diplograph/country/",
    "dgr": "https://w3id.org/diplograph/resource/",
    "dgsh": "https://w3id.org/diplograph/shapes#",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "time": "http://www.w3.org/2006/time#",
    "wd": "http://www.wikidata.org/entity/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
}

#: the properties that name a thing, rdfs:label first: what a name typed by a user matches
NAME_PROPERTIES = tuple(PREFIXES[prefix] + local for prefix, local in (
    ("rdfs", "label"), ("skos", "prefLabel"), ("skos", "altLabel"), ("dcterms", "title")))


def compact(iri: str) -> str:
    """`prefix:local` where a known prefix fits and the local part is simple, else the IRI."""
    for prefix, base in PREFIXES.items():
        if iri.startswith(base):
            local = iri[len(base):]
            if local and all(c.isalnum() or c in "-_." for c in local):
                return f"{prefix}:{local}"
    return iri


def expand(name: str) -> str | None:
    """The IRI of `prefix:local` for a known prefix, else None."""
    prefix, sep, local = name.partition(":")
    return PREFIXES[prefix] + local if sep and prefix in PREFIXES else None
