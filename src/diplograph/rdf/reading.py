"""Strict reading of RDF files: Oxigraph's parsers, errors with file:line:column."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from diplograph.errors import InputError, RdfSyntaxError

MAX_INPUT_BYTES = 100 * 1024 * 1024  # of new facts (`read_input`); the project's own
# sources have no cap: they are the user's, and are parsed streaming from the file
BOM = b"\xef\xbb\xbf"  # a UTF-8 byte-order mark, skipped at the start of a file
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}

_EXTENSIONS = (*RDF_FORMATS, "rdf", "owl")


def format_of_extension(extension: str) -> ox.RdfFormat | None:
    """The format a file extension names, by pyoxigraph's `RdfFormat.from_extension`:
    .ttl, .nt, .nq, .trig, .jsonld, .rdf or .xml (and .owl for RDF/XML); None for any
    other (pyoxigraph would also take .n3 for N3, .json for JSON-LD, .txt for N-Triples)."""
    name = extension.lower()
    if name not in _EXTENSIONS:
        return None
    fmt = ox.RdfFormat.RDF_XML if name == "owl" else ox.RdfFormat.from_extension(name)
    # the member itself (from_extension's answer is equal to it, not the same object)
    return next((known for known in RDF_FORMATS.values() if known == fmt), None)


def format_name(fmt: ox.RdfFormat) -> str:
    """The name `--format` gives a format (a key of `RDF_FORMATS`)."""
    return next(name for name, known in RDF_FORMATS.items() if known == fmt)

# a JSON-LD @id with no scheme resolves against this, so that it can be refused (without
# a base IRI, JSON-LD leaves out the node silently)
_RELATIVE = "relative:/"
_ENTITY = re.compile(rb"<!ENTITY|<!DOCTYPE")


_NOISE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'
                    r"'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*")


def blank_noise(text: str) -> str:
    """Turtle or SPARQL text with its strings, IRIs and comments blanked out (same
    offsets and line breaks), so keywords, variables and brackets can be found."""
    return _NOISE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def input_format(path: Path) -> ox.RdfFormat:
    """The parser for a file, by its extension; only formats that cannot fetch anything
    (JSON-LD and RDF/XML are read with the checks of `_check_safe`: no remote context,
    no entity declaration)."""
    fmt = format_of_extension(path.suffix.lstrip("."))
    if fmt is None:
        raise InputError(
            f"{path}: unsupported input format {path.suffix or '(no extension)'!r}",
            hint="give Turtle (.ttl), N-Triples (.nt), N-Quads (.nq), TriG (.trig), "
                 "JSON-LD (.jsonld) or RDF/XML (.rdf, .owl, .xml)",
        )
    return fmt


def _check_safe(name: str, data: bytes, fmt: ox.RdfFormat) -> None:
    """Refuse what would make a parser reach out or blow up: in RDF/XML, a document type
    declaration (Oxigraph expands internal entities: ten nested ones make 3 GB); in
    JSON-LD, a context to fetch (`"@context": "https://..."`, `@import`)."""
    if fmt is ox.RdfFormat.RDF_XML:
        found = _ENTITY.search(data)
        if found:
            line = data.count(b"\n", 0, found.start()) + 1
            raise InputError(f"{name}:{line}: RDF/XML with a document type declaration "
                             "(entities) is not read", hint="write the IRIs and text out in "
                             "full, or convert the file to Turtle")
    elif fmt is ox.RdfFormat.JSON_LD:
        import json

        try:
            remote = _remote_context(json.loads(data))
        except RecursionError:
            remote = None  # Oxigraph's parser refuses the nesting with its position
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}",
                             hint="fix the syntax at that position") from exc
        except ValueError as exc:  # not UTF-8
            raise InputError(f"{name}: cannot read ({exc})",
                             hint="check the file's encoding (UTF-8)") from exc
        if remote is not None:
            raise InputError(f"{name}: remote JSON-LD context {remote!r} is not fetched",
                             hint="put the context in the file (\"@context\": {...})")


def _remote_context(node: object) -> str | None:
    """The first context a JSON-LD document would fetch, if any."""
    if isinstance(node, list):
        return next((r for r in map(_remote_context, node) if r is not None), None)
    if not isinstance(node, dict):
        return None
    for key, value in node.items():
        if key == "@context":
            for context in value if isinstance(value, list) else [value]:
                if isinstance(context, str):
                    return context
                if isinstance(context, dict) and isinstance(context.get("@import"), str):
                    return str(context["@import"])
        found = _remote_context(value)
        if found is not None:
            return found
    return None


def read_triples(
    path: Path, shown_as: str | None = None, *, base_iri: str | None = None
) -> list[ox.Triple]:
    """Every triple of a project's RDF file (named graphs are merged), or a precise
    error; no size limit (new facts are read by `read_input`). Relative IRIs are an
    error unless a base IRI is given."""
    name = shown_as or str(path)
    fmt = input_format(path)
    try:
        path.stat()
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})", hint="check the path") from exc
    if fmt in (ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD):
        data = path.read_bytes().removeprefix(BOM)
        _check_safe(name, data, fmt)
        base = base_iri or (_RELATIVE if fmt is ox.RdfFormat.JSON_LD else None)
        triples = _parse(name, lambda: ox.parse(data, format=fmt, base_iri=base))
        if base_iri is None:
            _refuse_relative(name, data, triples)
        return triples
    return _parse(name, lambda: parse_file(path, fmt, base_iri=base_iri))


def parse_file(path: Path, fmt: ox.RdfFormat, *, base_iri: str | None = None) -> ox.QuadParser:
    """Oxigraph's parser on a file, a leading UTF-8 byte-order mark skipped (as RDF
    parsers commonly do; Oxigraph reads it as a bad subject)."""
    with path.open("rb") as handle:
        bom = handle.read(len(BOM)) == BOM
    if bom:
        return ox.parse(path.read_bytes()[len(BOM):], format=fmt, base_iri=base_iri)
    return ox.parse(path=path, format=fmt, base_iri=base_iri)


def read_input(path: Path) -> tuple[bytes, list[ox.Triple]]:
    """An input file's bytes (without a byte-order mark), read once (a named pipe or
    `/dev/stdin` works: its size is known only by reading it, up to the limit), and its
    triples."""
    fmt = input_format(path)
    too_big = InputError(f"{path}: over the {MAX_INPUT_BYTES // 2**20} MiB input limit",
                         hint="split the file")
    try:
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_INPUT_BYTES:  # a file: refused unread
                raise too_big
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})", hint="check the path") from exc
    if len(data) > MAX_INPUT_BYTES:
        raise too_big
    data = data.removeprefix(BOM)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot read ({exc})",
                         hint="check the file's encoding (UTF-8)") from exc
    if fmt in (ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD):
        _check_safe(str(path), data, fmt)
        base = _RELATIVE if fmt is ox.RdfFormat.JSON_LD else None
        triples = _parse(str(path), lambda: ox.parse(data, format=fmt, base_iri=base))
        _refuse_relative(str(path), data, triples)
        return data, triples
    return data, _parse(str(path), lambda: ox.parse(data, format=fmt))


def _refuse_relative(name: str, data: bytes, triples: list[ox.Triple]) -> None:
    """Refuse a JSON-LD IRI that had no scheme (resolved against `_RELATIVE`)."""
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(_RELATIVE):
                relative = term.value[len(_RELATIVE):]
                at = data.find(f'"{relative}"'.encode())
                line = data.count(b"\n", 0, at) + 1
                where = f"{name}:{line}" if at >= 0 else name
                raise InputError(f"{where}: relative IRI {relative!r}",
                                 hint="write absolute IRIs (or set @base in the context)")


def parse_turtle(data: bytes, shown_as: str) -> list[ox.Triple]:
    """Every triple of Turtle text held in memory, or a precise error."""
    return _parse(shown_as, lambda: ox.parse(data.removeprefix(BOM), format=ox.RdfFormat.TURTLE))


def _parse(name: str, parser: Callable[[], ox.QuadParser]) -> list[ox.Triple]:
    try:
        return [quad.triple for quad in parser()]
    except SyntaxError as exc:
        raise RdfSyntaxError(name, exc.lineno, exc.offset, _detail(exc)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{name}: cannot read ({exc})",
                         hint="check the file's encoding (UTF-8)") from exc


def _detail(exc: SyntaxError) -> str:
    """Oxigraph's message without its own position prefix (we print file:line:col)."""
    message = str(exc.msg)
    head, sep, tail = message.partition(": ")
    return tail if sep and head.startswith("Parser error at line") else message
