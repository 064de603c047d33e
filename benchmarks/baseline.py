"""The naive baseline, run in a fresh process by run.py: rdflib parses every Turtle file
and the compiled store's inferred facts into memory (so both answer from the same
facts), runs the named queries' SPARQL as diplograph runs it, serialises N-Triples and
Turtle, and pyshacl validates the whole merged graph with the new facts.

Prints one JSON object: seconds for each step, rows per query, and the process's end
time (so the caller can time the process from its launch to the first query's rows).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import pyshacl
import rdflib

SLOW = 2.0  # seconds: a query slower than this is timed once, not `reps` times


def parse(paths: list[Path]) -> rdflib.Graph:
    """Every file into one in-memory graph."""
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def run_query(graph: rdflib.Graph, text: str) -> int:
    """Rows of a query (its parameters already written in, as diplograph runs it)."""
    return len(list(graph.query(text)))


def main(argv: list[str] | None = None) -> None:
    """Command line (called by run.py)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--plan", type=Path, required=True,
                        help="JSON: query name -> SPARQL text; the first one runs cold")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--new-facts", type=Path)
    parser.add_argument("--entailments", type=Path,
                        help="N-Triples of the inferred facts, parsed after the Turtle")
    parser.add_argument("--export", type=Path, help="folder for the N-Triples/Turtle dumps")
    args = parser.parse_args(argv)
    plan: dict[str, str] = json.loads(args.plan.read_text(encoding="utf-8"))
    root: Path = args.project
    ontology = sorted(p for p in (root / "ontology").glob("*.ttl") if p.name != "shapes.ttl")
    sources = ontology + sorted((root / "data").glob("*.ttl"))
    out: dict[str, Any] = {}

    start = time.perf_counter()
    graph = parse(sources)
    out["parse_s"] = time.perf_counter() - start
    if args.entailments:
        graph.parse(args.entailments, format="nt")
    out["triples"] = len(graph)
    queries: dict[str, dict[str, float | int | str]] = {}
    for n, (name, text) in enumerate(plan.items()):
        times = []
        for _ in range(args.reps):
            t = time.perf_counter()
            try:
                rows = run_query(graph, text)
            except Exception as err:  # rdflib's engine fails where Oxigraph answers
                queries[name] = {"error": f"{type(err).__name__}: {err}"[:120]}
                break
            times.append(time.perf_counter() - t)
            if n == 0 and "cold_end" not in out:
                out["cold_end"] = time.time()
            if times[0] > SLOW:
                break
        if times:
            queries[name] = {"median_s": statistics.median(times), "rows": rows}
    out["queries"] = queries

    if args.export:
        for fmt, ext in (("nt", "nt"), ("turtle", "ttl")):
            t = time.perf_counter()
            graph.serialize(destination=args.export / f"baseline.{ext}", format=fmt)
            out[f"export_{ext}_s"] = time.perf_counter() - t

    if args.new_facts:
        t = time.perf_counter()
        graph.parse(args.new_facts, format="turtle")
        shapes = parse([root / "ontology" / "shapes.ttl"])
        gc.collect()
        conforms, _, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none",
                                          allow_warnings=True, advanced=True)
        out["validate_s"] = time.perf_counter() - t
        out["validate_conforms"] = bool(conforms)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
