"""Provenance that is verified: a source document's text is where its node says
(schema:contentUrl, relative to the data folder), has the SHA-256 it records, and
holds every quote in its language of the facts derived from it.

Quotes are compared after folding runs of white space into one space, so a quote may
join the lines of the text. Rules of `factrules`, reported the same way."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from diplograph.namespaces import DG, PREFIXES, compact
from diplograph.store.cache import Term

SCHEMA, DCTERMS = PREFIXES["schema"], PREFIXES["dcterms"]
DERIVED_FROM = ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom")
QUOTE = ox.NamedNode(DG + "quote")
LANGUAGE = ox.NamedNode(DCTERMS + "language")
SHA256 = ox.NamedNode(SCHEMA + "sha256")
CONTENT_URL = ox.NamedNode(SCHEMA + "contentUrl")
SOURCE_DOCUMENT = ox.NamedNode(DG + "SourceDocument")
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")

# (subject, predicate) -> the objects: what the new facts and the graph say
Lookup = Callable[[ox.NamedNode, ox.NamedNode], list[Term]]
# a problem: (the triple it is about, its message, whether it is about the text itself)
Problem = tuple[ox.Triple, str, bool]


def fold(text: str) -> str:
    """Runs of white space as one space, ends stripped."""
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class SourceText:
    """What a source document's node says of its text, and what is found there."""

    node: ox.NamedNode
    language: str | None
    sha256: str | None
    location: str | None
    text: str | None  # folded; None if it could not be read
    problem: str | None  # why the text cannot be trusted
    wrong: ox.NamedNode = CONTENT_URL  # the statement the problem is about


def source_text(data: Path, node: ox.NamedNode, lookup: Lookup) -> SourceText:
    """The source document's text, checked against its recorded SHA-256."""

    def one(predicate: ox.NamedNode) -> str | None:
        values = [v.value for v in lookup(node, predicate) if isinstance(v, ox.Literal)]
        return values[0] if len(values) == 1 else None

    language, sha256, location = one(LANGUAGE), one(SHA256), one(CONTENT_URL)
    if location is None:
        return SourceText(node, language, sha256, None, None,
                          "no schema:contentUrl says where its text is (a path relative "
                          "to the data folder)")
    path = (data / location).resolve()
    text, problem = None, None
    if data.resolve() not in path.parents:
        problem = f"{location}: the text of a source must be inside the data folder"
    else:
        digest, text = _read(path)
        if digest is None:
            problem = f"its text {location} cannot be read"
        elif digest != sha256:
            return SourceText(node, language, sha256, location, None,
                              f"the SHA-256 of {location} is {digest}, not the recorded "
                              f"{sha256}", SHA256)
    return SourceText(node, language, sha256, location, text, problem)


@cache
def _read(path: Path) -> tuple[str | None, str | None]:
    """The file's SHA-256 and folded text (None, None if it cannot be read)."""
    try:
        data = path.read_bytes()
        return hashlib.sha256(data).hexdigest(), fold(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError):
        return None, None


def problems(data: Path, triples: Iterable[ox.Triple], lookup: Lookup) -> list[Problem]:
    """What is wrong with the provenance stated by `triples`: source documents whose
    text is missing or altered, quotes (in the source's language) not in its text."""
    triples = list(triples)
    sources: dict[ox.NamedNode, SourceText] = {}

    def source(node: ox.NamedNode) -> SourceText:
        if node not in sources:
            sources[node] = source_text(data, node, lookup)
        return sources[node]

    found: list[Problem] = []
    reported: set[ox.NamedNode] = set()
    for t in triples:  # the source documents the triples describe
        if t.predicate == RDF_TYPE and t.object == SOURCE_DOCUMENT \
                and isinstance(t.subject, ox.NamedNode):
            checked = source(t.subject)
            if checked.problem is not None:
                about = next((u for u in triples if u.subject == t.subject
                              and u.predicate == checked.wrong), t)
                found.append((about, checked.problem, True))
                reported.add(t.subject)
    derived: dict[object, list[ox.NamedNode]] = {}
    for t in triples:
        if t.predicate == DERIVED_FROM and isinstance(t.object, ox.NamedNode) and \
                SOURCE_DOCUMENT in lookup(t.object, RDF_TYPE):
            derived.setdefault(t.subject, []).append(t.object)
    for t in triples:
        if t.predicate != QUOTE or not isinstance(t.object, ox.Literal) \
                or not isinstance(t.subject, ox.NamedNode):
            continue
        for node in derived.get(t.subject, []):
            checked = source(node)
            if node in reported:  # its text is already reported as untrustworthy
                continue
            language = (checked.language or "").lower()
            if t.object.language is None or t.object.language.lower() != language:
                continue
            if checked.text is None:
                found.append((t, f"the quote cannot be checked against {compact(node.value)}: "
                                 f"{checked.problem}", False))
            elif fold(t.object.value) not in checked.text:
                found.append((t, f"this quote is not in the text of {compact(node.value)} "
                                 f"({checked.location})", False))
    return found
