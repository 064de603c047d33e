"""Turtle, TriG and compact JSON-LD written as text straight from N-Triples lines, with
the project's prefixes. Oxigraph writes N-Triples terms in a form both Turtle and JSON
take as is: IRIs hold nothing either escapes, and a literal's quoted lexical form
escapes exactly what a JSON string must. So a dump costs one pass over its lines, with
no term objects built. Lines come sorted, so a subject's triples are consecutive."""

from __future__ import annotations

import re
from collections.abc import Iterable

from diplograph.namespaces import PREFIXES

_LOCAL = re.compile(rb"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?\Z")
_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_BASES = sorted(((base.encode(), prefix.encode()) for prefix, base in PREFIXES.items()),
                key=lambda pair: -len(pair[0]))  # the longest namespace that fits wins
_INDENT = b"\n    "


def _short(iri: bytes) -> bytes | None:
    """`prefix:local` for an IRI (no angle brackets) in a known namespace, else None."""
    for base, prefix in _BASES:
        if iri.startswith(base) and _LOCAL.match(iri, len(base)):
            return prefix + b":" + iri[len(base):]
    return None


class _TurtleNames(dict[bytes, bytes]):
    """IRIs and blank nodes as written in Turtle, computed once each."""

    def __missing__(self, term: bytes) -> bytes:
        name = _short(term[1:-1]) if term.startswith(b"<") else None
        self[term] = name or term
        return self[term]


class _JsonNames(dict[bytes, bytes]):
    """IRIs and blank nodes as quoted JSON-LD strings (compact IRIs where a prefix
    fits), computed once each. An IRI whose scheme is a prefix cannot be written."""

    def __missing__(self, term: bytes) -> bytes:
        if term.startswith(b"_:"):
            name = term
        else:
            iri = term[1:-1]
            name = _short(iri) or iri
            if name is iri and iri.split(b":", 1)[0].decode() in PREFIXES:
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


def _turtle_blocks(lines: Iterable[bytes], names: _TurtleNames, out: list[bytes]) -> None:
    """Append one Turtle block per run of a subject's lines to `out`: predicates
    separated by `;`, objects of one predicate by `,`."""
    suffixes = _TurtleSuffixes(names)
    append = out.append
    subject = predicate = None
    for line in lines:
        s, p, o = line[:-3].split(b" ", 2)  # an N-Triples line ends with " .\n"
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


def _prefix_lines() -> bytes:
    return b"".join(f"@prefix {p}: <{base}> .\n".encode() for p, base in PREFIXES.items())


def turtle(lines: Iterable[bytes]) -> bytes:
    """The lines as Turtle, prefixed names where a prefix fits."""
    out = [_prefix_lines(), b"\n"]
    _turtle_blocks(lines, _TurtleNames(), out)
    return b"".join(out)


def trig(graphs: Iterable[tuple[str, Iterable[bytes]]]) -> bytes:
    """(graph IRI, lines) pairs as TriG: one block per named graph."""
    names = _TurtleNames()
    parts = [_prefix_lines()]
    for name, lines in graphs:
        parts += [b"\n<", name.encode(), b"> {\n"]
        _turtle_blocks(lines, names, parts)
        parts.append(b"}\n")
    return b"".join(parts)


class _JsonLiterals(dict[bytes, tuple[bytes, bytes]]):
    """What goes before and after a literal's quoted form in JSON-LD, by what follows
    that form in N-Triples: nothing for a plain string, else a value object."""

    def __init__(self, names: _JsonNames) -> None:
        super().__init__({b"": (b"", b"")})
        self.names = names

    def __missing__(self, suffix: bytes) -> tuple[bytes, bytes]:
        if suffix.startswith(b"@"):
            after = b', "@language": "' + suffix[1:] + b'"}'
        else:
            after = b', "@type": ' + self.names[suffix[2:]] + b"}"
        self[suffix] = (b'{"@value": ', after)
        return self[suffix]


def json_ld(lines: Iterable[bytes]) -> bytes:
    """The lines as compact JSON-LD: a context of the project's prefixes, then one node
    object per subject, one line per property, rdf:type IRIs as @type."""
    names = _JsonNames()
    literals = _JsonLiterals(names)
    context = b",\n".join(f'    "{p}": "{base}"'.encode() for p, base in PREFIXES.items())
    parts = [b'{\n  "@context": {\n', context, b'\n  },\n  "@graph": [']
    subject = predicate = None
    keys: set[bytes] = set()
    for line in lines:
        s, p, o = line[:-3].split(b" ", 2)
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
            parts.append(b", " + value)
            continue
        if s != subject or key in keys:  # a key once per node object: else a new one
            parts.append(b"]\n    },\n    {\n      \"@id\": " if subject is not None
                         else b'\n    {\n      "@id": ')
            parts.append(names[s])
            subject = s
            keys.clear()
        else:
            parts.append(b"]")
        parts += [b",\n      ", key, b": [", value]
        keys.add(key)
        predicate = key
    parts.append(b"]\n    }\n  ]\n}\n" if subject is not None else b"]\n}\n")
    return b"".join(parts)
