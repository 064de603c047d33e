"""Turtle, TriG and compact JSON-LD written as text straight from N-Triples, with
the project's prefixes; RDF/XML by Oxigraph. Oxigraph writes N-Triples terms in a form
both Turtle and JSON take as is: IRIs hold nothing either escapes, and a literal's
quoted lexical form escapes exactly what a JSON string must. So a dump costs one pass
over its lines, with no term objects built. Each run of a subject's lines (they come
sorted) gives one Turtle block or JSON-LD node object, so a document can be written
in pieces cut between subjects."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from diplograph.namespaces import PREFIXES

_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_BASES = sorted(((base.encode(), prefix.encode()) for prefix, base in PREFIXES.items()),
                key=lambda pair: -len(pair[0]))  # the longest namespace that fits wins
_LOCAL = rb"([A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)\Z"
_SHORT = re.compile(b"|".join(re.escape(base) + _LOCAL for base, _ in _BASES))  # in order
_NAMES = [prefix + b":" for _, prefix in _BASES]  # by the group that matched
_INDENT = b"\n    "


def _lines(ntriples: bytes) -> list[bytes]:
    """The lines of an N-Triples document (one triple each, as Oxigraph writes them),
    without their closing " .\n": a literal's line break is escaped, so no line holds
    another."""
    lines = ntriples.split(b" .\n")
    if lines.pop():
        raise ValueError("an N-Triples document must end with a whole line")
    return lines


def _short(iri: bytes) -> bytes | None:
    """`prefix:local` for an IRI (no angle brackets) in a known namespace, else None."""
    found = _SHORT.match(iri)  # the first alternative that fits: the longest namespace
    return None if found is None or found.lastindex is None else \
        _NAMES[found.lastindex - 1] + found[found.lastindex]


class _TurtleNames(dict[bytes, bytes]):
    """IRIs and blank nodes as written in Turtle, computed once each."""

    def __missing__(self, term: bytes) -> bytes:
        name = _short(term[1:-1]) if term.startswith(b"<") else None
        self[term] = name or term
        return self[term]


class _JsonNames(dict[bytes, bytes]):
    """IRIs and blank nodes as quoted JSON-LD strings (compact IRIs where a prefix
    fits), computed once each. An IRI that JSON-LD would read as a compact IRI (its
    scheme a prefix, no `//` after it) cannot be written, nor an RDF 1.2 triple term."""

    def __missing__(self, term: bytes) -> bytes:
        if term.startswith(b"<<"):
            raise ValueError("JSON-LD 1.1 cannot hold the triple term "
                             f"{term.decode()}")
        if term.startswith(b"_:"):
            name = term
        else:
            iri = term[1:-1]
            name = _short(iri) or iri
            scheme, _, rest = iri.partition(b":")
            if name is iri and scheme.decode() in PREFIXES and not rest.startswith(b"//"):
                raise ValueError(f"<{iri.decode()}> would read as a compact IRI: its "
                                 "scheme is one of the project's prefixes")
        self[term] = b'"' + name + b'"'
        return self[term]


class _TurtleSuffixes(dict[bytes, bytes]):
    """What follows a literal's quoted form (`@lang`, `^^<datatype>`) as Turtle writes
    it: the datatype shortened."""

    def __init__(self, names: _TurtleNames) -> None:
        super().__init__()
        self.names = names

    def __missing__(self, suffix: bytes) -> bytes:
        self[suffix] = suffix[:2] + self.names[suffix[2:]] if suffix.startswith(b"^^") else suffix
        return self[suffix]


def turtle_body(ntriples: bytes) -> bytes:
    """One Turtle block per run of a subject's lines, blank lines between: predicates
    separated by `;`, objects of one predicate by `,`."""
    names = _TurtleNames()
    suffixes = _TurtleSuffixes(names)
    out: list[bytes] = []
    append = out.append
    subject = predicate = None
    for line in _lines(ntriples):
        s, p, o = line.split(b" ", 2)
        if o.startswith(b'"'):
            end = o.rindex(b'"') + 1
            if end < len(o):
                o = o[:end] + suffixes[o[end:]]
        else:
            o = names[o]
        if s == subject:
            if p == predicate:
                append(b", " + o)
                continue
            append(b" ;" + _INDENT)
        else:
            if subject is not None:
                append(b" .\n\n")
            append(names[s] + b" ")
            subject = s
        predicate = p
        append((b"a " if p == _TYPE else names[p] + b" ") + o)
    if subject is not None:
        append(b" .\n")
    return b"".join(out)


class _JsonLiterals(dict[bytes, tuple[bytes, bytes]]):
    """What goes before and after a literal's quoted form in JSON-LD, by what follows
    that form in N-Triples: nothing for a plain string, else a value object."""

    def __init__(self, names: _JsonNames) -> None:
        super().__init__({b"": (b"", b"")})
        self.names = names

    def __missing__(self, suffix: bytes) -> tuple[bytes, bytes]:
        if suffix.startswith(b"@"):  # a language tag, and an RDF 1.2 direction after --
            language, _, direction = suffix[1:].partition(b"--")
            after = b', "@language": "' + language + b'"'
            after += (b', "@direction": "' + direction + b'"}') if direction else b"}"
        else:
            after = b', "@type": ' + self.names[suffix[2:]] + b"}"
        self[suffix] = (b'{"@value": ', after)
        return self[suffix]


def json_ld_nodes(ntriples: bytes) -> bytes:
    """One JSON-LD node object per run of a subject's lines, separated by commas: one
    line per property, rdf:type IRIs as @type."""
    names = _JsonNames()
    literals = _JsonLiterals(names)
    out: list[bytes] = []
    append = out.append
    subject = predicate = None
    keys: set[bytes] = set()
    for line in _lines(ntriples):
        s, p, o = line.split(b" ", 2)
        if o.startswith(b'"'):
            key = names[p]
            end = o.rindex(b'"') + 1
            before, after = literals[o[end:]]
            value = before + o[:end] + after
        elif p == _TYPE and o.startswith(b"<"):
            key, value = b'"@type"', names[o]
        else:
            key, value = names[p], b'{"@id": ' + names[o] + b"}"
        if s == subject and key == predicate:
            append(b", " + value)
            continue
        if s != subject or key in keys:  # a key once per node object: else a new one
            if subject is not None:
                append(_NODE_END + b",\n")
            append(b'    {\n      "@id": ' + names[s])
            subject = s
            keys.clear()
        else:
            append(b"]")
        append(b",\n      " + key + b": [" + value)
        keys.add(key)
        predicate = key
    if subject is not None:
        append(_NODE_END)
    return b"".join(out)


def rdf_xml_body(ntriples: bytes) -> bytes:
    """The lines as RDF/XML elements, by Oxigraph, without the document's head and foot
    (the same whatever the lines: it declares the prefixes given, used or not)."""
    written = ox.serialize(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES),
                           format=ox.RdfFormat.RDF_XML, prefixes=PREFIXES) or b""
    if not (written.startswith(RDF_XML.head) and written.endswith(RDF_XML.foot)):
        raise ValueError("Oxigraph's RDF/XML no longer begins with the same head")
    return written[len(RDF_XML.head):-len(RDF_XML.foot)]


@dataclass(frozen=True)
class TextFormat:
    """A format written in pieces: the body of each run of lines, joined by
    `separator` between a head and a foot. Cut between two subjects, the lines give
    the same document in pieces as whole."""

    body: Callable[[bytes], bytes]
    head: bytes
    separator: bytes
    foot: bytes

    def document(self, bodies: Iterable[bytes]) -> bytes:
        return b"".join([self.head, *between(bodies, self.separator), self.foot])


PREFIX_LINES = b"".join(f"@prefix {p}: <{base}> .\n".encode() for p, base in PREFIXES.items())
_CONTEXT = b",\n".join(f'    "{p}": "{base}"'.encode() for p, base in PREFIXES.items())
_NODE_END = b"]\n    }"
_EMPTY_RDF_XML = ox.serialize([], format=ox.RdfFormat.RDF_XML, prefixes=PREFIXES) or b""

TURTLE = TextFormat(turtle_body, PREFIX_LINES + b"\n", b"\n", b"")
JSON_LD = TextFormat(json_ld_nodes, b'{\n  "@context": {\n' + _CONTEXT + b'\n  },\n  "@graph": [\n',
                     b",\n", b"\n  ]\n}\n")
RDF_XML = TextFormat(rdf_xml_body, _EMPTY_RDF_XML.removesuffix(b"</rdf:RDF>"), b"",
                     b"</rdf:RDF>")
FORMATS = {"ttl": TURTLE, "jsonld": JSON_LD, "xml": RDF_XML}


def trig_block(name: str) -> tuple[bytes, bytes]:
    """What opens and what closes the block of a named graph (its IRI) in TriG, around
    its Turtle bodies (a blank line between two), after the `PREFIX_LINES`."""
    return b"\n<" + name.encode() + b"> {\n", b"}\n"


def between(pieces: Iterable[bytes], separator: bytes) -> Iterator[bytes]:
    """The pieces that hold something, `separator` between them, as they come (joined
    with the rest of a document at once, a large document is copied once)."""
    first = True
    for piece in filter(None, pieces):
        if not first:
            yield separator
        yield piece
        first = False
