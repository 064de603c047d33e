"""Turtle, TriG and compact JSON-LD written as text straight from N-Triples lines, with
the project's prefixes. Oxigraph writes N-Triples terms in a form both Turtle and JSON
take as is: IRIs hold nothing either escapes, and a literal's quoted lexical form
escapes exactly what a JSON string must. So a dump costs one pass over its lines, with
no term objects built. Lines come sorted, so a subject's triples are consecutive."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

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


def _split(line: bytes) -> list[bytes]:
    """Subject, predicate and object of an N-Triples line."""
    return line[:-3].split(b" ", 2)  # the line ends with " .\n"


def _turtle_object(term: bytes, names: _TurtleNames) -> bytes:
    if term.startswith(b'"'):
        if term.endswith(b">"):  # typed literal: shorten the datatype
            at = term.rindex(b"^^<") + 2
            return term[:at] + names[term[at:]]
        return term
    return names[term]


def _verb(predicate: bytes, names: _TurtleNames) -> bytes:
    return b"a" if predicate == _TYPE else names[predicate]


def _turtle_blocks(lines: Iterable[bytes], names: _TurtleNames) -> Iterator[bytes]:
    """One Turtle block per run of a subject's lines: predicates by `;`, objects by `,`."""
    subject = predicate = None
    for line in lines:
        s, p, o = _split(line)
        o = _turtle_object(o, names)
        if s != subject:
            if subject is not None:
                yield b" .\n\n"
            subject, predicate = s, p
            yield names[s] + b" " + _verb(p, names) + b" " + o
        elif p != predicate:
            predicate = p
            yield b" ;" + _INDENT + _verb(p, names) + b" " + o
        else:
            yield b", " + o
    if subject is not None:
        yield b" .\n"


def _prefix_lines() -> bytes:
    return b"".join(f"@prefix {p}: <{base}> .\n".encode() for p, base in PREFIXES.items())


def turtle(lines: Iterable[bytes]) -> bytes:
    """The lines as Turtle, prefixed names where a prefix fits."""
    names = _TurtleNames()
    return _prefix_lines() + b"\n" + b"".join(_turtle_blocks(lines, names))


def trig(graphs: Iterable[tuple[str, Iterable[bytes]]]) -> bytes:
    """(graph IRI, lines) pairs as TriG: one block per named graph."""
    names = _TurtleNames()
    parts = [_prefix_lines()]
    for name, lines in graphs:
        parts += [b"\n<", name.encode(), b"> {\n", *_turtle_blocks(lines, names), b"}\n"]
    return b"".join(parts)


def _json_value(term: bytes, names: _JsonNames) -> bytes:
    if not term.startswith(b'"'):
        return b'{"@id": ' + names[term] + b"}"
    end = term.rindex(b'"')
    if end == len(term) - 1:
        return term  # a plain string
    value = term[:end + 1]
    if term[end + 1] == 64:  # "@": a language tag
        return b'{"@value": ' + value + b', "@language": "' + term[end + 2:] + b'"}'
    return b'{"@value": ' + value + b', "@type": ' + names[term[end + 3:]] + b"}"


def json_ld(lines: Iterable[bytes]) -> bytes:
    """The lines as compact JSON-LD: a context of the project's prefixes, then one node
    object per subject, one line per property, rdf:type IRIs as @type."""
    names = _JsonNames()
    context = b",\n".join(f'    "{p}": "{base}"'.encode() for p, base in PREFIXES.items())
    parts = [b'{\n  "@context": {\n', context, b'\n  },\n  "@graph": [']
    subject = predicate = None
    keys: set[bytes] = set()
    for line in lines:
        s, p, o = _split(line)
        is_type = p == _TYPE and o.startswith(b"<")
        key = b'"@type"' if is_type else names[p]
        value = names[o] if is_type else _json_value(o, names)
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
