"""Query results as text: a table, W3C SPARQL results CSV/TSV/JSON/XML (pyoxigraph's
writers), NDJSON, or RDF for graphs. The only place that branches on output formats."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pyoxigraph as ox

from diplograph.errors import InputError, UsageError
from diplograph.namespaces import compact
from diplograph.rdf.reading import RDF_FORMATS
from diplograph.sparql.running import Result
from diplograph.store.cache import Term

RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml", "ndjson")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_TSV = ox.QueryResultsFormat.TSV
_W3C = {"csv": ox.QueryResultsFormat.CSV, "json": ox.QueryResultsFormat.JSON,
        "xml": ox.QueryResultsFormat.XML}


def plain(term: Term | None) -> str:
    """The W3C CSV form of a term: the IRI, the lexical form, or empty."""
    return "" if term is None else str(term.value)


def shown(term: Term | None) -> str:
    """How a term reads in a table: IRIs compacted, literals by their lexical form."""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return plain(term)


def to_ndjson(result: Result) -> str:
    """One JSON object per row, column to lexical form (unbound columns left out)."""
    if result.kind == "ask":
        return json.dumps({"boolean": result.boolean}) + "\n"
    return "".join(
        json.dumps({c: plain(v) for c, v in zip(result.columns, row, strict=True)
                    if v is not None}, ensure_ascii=False) + "\n"
        for row in result.rows
    )


def to_w3c(result: Result, fmt: ox.QueryResultsFormat) -> str:
    """SPARQL 1.1 Query Results CSV, JSON or XML, written by pyoxigraph: the rows go to
    it as TSV (each term in its N-Triples form), which it reads back as solutions. The
    CSV of an ASK, which the standard leaves open, is a `boolean` column, as in TSV."""
    boolean = "true" if result.boolean else "false"
    if result.kind == "ask" and fmt is ox.QueryResultsFormat.CSV:
        return f"boolean\r\n{boolean}\r\n"
    answer = ox.parse_query_results(
        boolean.encode() if result.kind == "ask" else to_tsv(result).encode(), format=_TSV)
    text = (answer.serialize(format=fmt) or b"").decode()
    return text if text.endswith("\n") else text + "\n"


def to_tsv(result: Result) -> str:
    """SPARQL 1.1 Query Results TSV: terms in their N-Triples form."""
    if result.kind == "ask":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join("?" + c for c in result.columns)]
    lines += ["\t".join("" if v is None else str(v) for v in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def to_table(result: Result, width: int | None = None) -> str:
    """A readable table (rich, imported here: start-up is faster without it). Identifiers
    stay whole on one line, ready to copy: the table grows wider rather than cut or wrap
    an IRI; other text wraps."""
    from rich.console import Console
    from rich.measure import Measurement
    from rich.table import Table

    width = width or 160
    table = Table(show_lines=False, header_style="bold")
    if result.kind == "select":
        cells = [[shown(v) for v in row] for row in result.rows]
        for at, name in enumerate(result.columns):
            nodes = [cells[n][at] for n, row in enumerate(result.rows)
                     if isinstance(row[at], ox.NamedNode | ox.BlankNode)]
            table.add_column(name, overflow="fold",
                             min_width=max([len(name), *map(len, nodes)]))
        for row in cells:
            table.add_row(*row)
    console = Console(file=io.StringIO(), width=width, force_terminal=False,
                      color_system=None, soft_wrap=False)
    if result.kind == "select":
        unbounded = console.options.update(max_width=10**6)  # words whole, IRIs unbroken
        console.width = max(width, Measurement.get(console, unbounded, table).minimum)
    console.print(("yes" if result.boolean else "no") if result.kind == "ask" else table)
    return console.file.getvalue()  # type: ignore[attr-defined, no-any-return]


def to_rdf(triples: tuple[ox.Triple, ...], fmt: str) -> str:
    """Triples (a CONSTRUCT's or DESCRIBE's answer) in an RDF format, sorted, written as
    dumps are: with the project's prefixes, one block (node object) per subject.
    Turtle serves as TriG (a graph's triples, no named graph)."""
    from diplograph.dumps import writers  # here: rows, which most queries give, need none

    rdf_format(fmt)
    lines = "".join(sorted({f"{t.subject} {t.predicate} {t.object} .\n" for t in triples}))
    if fmt in ("nt", "nq"):
        return lines
    text = writers.FORMATS["ttl" if fmt == "trig" else fmt]
    try:
        return text.document([text.body(lines.encode())]).decode("utf-8")
    except ValueError as exc:
        raise InputError(f"cannot write the graph as {fmt}: {exc}",
                         hint="choose nt or ttl") from exc


def rdf_format(name: str) -> ox.RdfFormat:
    """The RDF format of a `--format` name."""
    if name not in RDF_FORMATS:
        raise UsageError(f"unknown RDF format {name!r}", hint=f"one of: {', '.join(RDF_FORMATS)}")
    return RDF_FORMATS[name]


def render(result: Result, fmt: str, width: int | None = None) -> str:
    """The result in the asked format: `xml` is SPARQL Results XML for rows and RDF/XML
    for a graph."""
    if result.kind == "graph":
        return to_rdf(result.triples, fmt)
    writers: dict[str, Callable[[Result], str]] = {
        "table": lambda r: to_table(r, width), "tsv": to_tsv, "ndjson": to_ndjson}
    if fmt in _W3C:
        return to_w3c(result, _W3C[fmt])
    if fmt not in writers:
        raise UsageError(f"{fmt!r} is not a format for query results",
                         hint=f"one of: {', '.join(RESULT_FORMATS)} "
                              "(RDF formats are for CONSTRUCT and DESCRIBE)")
    return writers[fmt](result)
