"""Load test of `diplograph serve` beside the Oxigraph server, on this machine only.

`python benchmarks/load.py [--size 1m] [--clients 16] [--seconds 15] [--query timeline]`
generates (or reuses) the benchmark project of benchmarks/run.py, starts `diplograph
serve` on it and the Oxigraph server (`oxigraph serve --union-default-graph`, from the
PyPI package `oxigraph`) loaded with `diplograph export --all --with-ontology --format
nq`, checks that both give the same rows for each named query's exact SPARQL, then
sends each server the same requests from `--clients` concurrent clients (an asyncio
client with keep-alive connections), for `--seconds` or `--max-requests`, whichever
comes first. It prints requests per second, p50 and p99 latency, errors and the
servers' peak memory, and checks the goals: no errors, p99 <= 200 ms, and at least
half the Oxigraph server's throughput. Every request goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import generate
import httpx2 as httpx
import run

from diplograph import Graph

JSON = "application/sparql-results+json"
P99_GOAL = 0.200  # seconds
THROUGHPUT_GOAL = 0.5  # of the Oxigraph server's


@dataclass(frozen=True)
class Target:
    """One kind of request: to which server, and how it is built."""

    name: str
    request: Callable[[httpx.AsyncClient], httpx.Request]


@dataclass(frozen=True)
class Load:
    """What one load run measured."""

    target: str
    requests: int
    errors: int
    seconds: float
    latencies: tuple[float, ...]
    first_error: str = ""

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def hammer(target: Target, clients: int, seconds: float, max_requests: int) -> Load:
    """Closed loop: each client sends its next request when the last one is answered."""
    latencies: list[float] = []
    errors: list[str] = []
    sent = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal sent
            while time.perf_counter() < deadline and sent < max_requests:
                sent += 1
                started = time.perf_counter()
                try:
                    response = await client.send(target.request(client))
                    ok = response.status_code == 200 and bool(response.content)
                    problem = "" if ok else f"{response.status_code}: {response.text[:120]}"
                except httpx.HTTPError as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                latencies.append(time.perf_counter() - started)
                if problem:
                    errors.append(problem)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        took = time.perf_counter() - began
    return Load(target.name, len(latencies), len(errors), took, tuple(latencies),
                errors[0] if errors else "")


def getting(url: str, params: dict[str, str]) -> Callable[[httpx.AsyncClient], httpx.Request]:
    """GET url?params, asking for SPARQL JSON."""
    return lambda c: c.build_request("GET", url, params=params, headers={"Accept": JSON})


def posting(url: str, query: str) -> Callable[[httpx.AsyncClient], httpx.Request]:
    """POST a SPARQL Protocol form holding the query, asking for SPARQL JSON."""
    return lambda c: c.build_request("POST", url, data={"query": query},
                                     headers={"Accept": JSON})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"error: {url} did not answer within {timeout:g} s")
        time.sleep(0.2)


def peak_memory(pid: int) -> int:
    """The peak resident memory of a process and of its children (the query workers),
    added up, in bytes (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii").split()
    return (int(found.group(1)) * 1024 if found else 0) + sum(
        peak_memory(int(child)) for child in children)


@contextmanager
def process(cmd: list[str]) -> Iterator[subprocess.Popen[str]]:
    """A server process, stopped when the block ends."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def diplograph_command(project: Path, store: Path, *args: str) -> list[str]:
    exe = Path(sys.executable).with_name("diplograph")
    return [str(exe), "--project", str(project), "--store", str(store), *args]


def rows_of(answer: dict[str, Any]) -> list[list[tuple[str, str]]]:
    """SPARQL JSON rows as (column, value) pairs, for comparing two servers' answers."""
    columns = answer["head"]["vars"]
    return [[(c, b[c]["value"]) for c in columns if c in b] for b in answer["results"]["bindings"]]


def table(loads: list[Load], memory: dict[str, int], reference: str) -> str:
    base = next(load.throughput for load in loads if load.target == reference)
    lines = ["| requests to | req/s | p50 ms | p99 ms | errors | requests | vs Oxigraph "
             "| peak MiB, all processes |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for load in loads:
        server = load.target.split(" ")[0]
        lines.append(
            f"| {load.target} | {load.throughput:.1f} | {load.percentile(0.5) * 1e3:.1f} "
            f"| {load.percentile(0.99) * 1e3:.1f} | {load.errors} | {load.requests} "
            f"| {load.throughput / base:.2f}x | {memory.get(server, 0) / 2**20:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(generate.SIZES), default="1m")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--query", action="append",
                        help="named query to load (repeatable; default: timeline)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0, help="per target, at most")
    parser.add_argument("--max-requests", type=int, default=20_000, help="per target, at most")
    parser.add_argument("--workers", type=int, default=4, help="diplograph serve --workers")
    default_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    parser.add_argument("--cache-dir", type=Path, default=default_cache / "diplograph-bench")
    args = parser.parse_args(argv)
    oxigraph = (shutil.which("oxigraph", path=str(Path(sys.executable).parent))
                or shutil.which("oxigraph"))
    if oxigraph is None:
        parser.error("the Oxigraph server is missing: pip install oxigraph")

    project, manifest = run.ensure_project(args.cache_dir, args.size, args.seed)
    store = args.cache_dir / "store"
    graph = Graph.open(project, store)
    # the Oxigraph server's database, loaded once per compiled store and kept beside it
    location = args.cache_dir / "oxigraph" / graph.compiled.path.name
    if not (location / "loaded").is_file():
        shutil.rmtree(location, ignore_errors=True)
        location.mkdir(parents=True)
        with tempfile.TemporaryDirectory(prefix="diplograph-load-") as work:
            dump = Path(work) / "dump.nq"
            subprocess.run(diplograph_command(project, store, "export", "--all",
                                              "--with-ontology", "--format", "nq",
                                              "--output", str(dump)), check=True)
            subprocess.run([oxigraph, "load", "--location", str(location), "--file", str(dump)],
                           check=True, stderr=subprocess.DEVNULL)
        subprocess.run([oxigraph, "optimize", "--location", str(location)], check=True,
                       stderr=subprocess.DEVNULL)  # as it advises for a read-only workload
        (location / "loaded").touch()
    port = free_port()
    ours_cmd = diplograph_command(project, store, "serve", "--port", "0", "--workers",
                                  str(args.workers), "--timeout", "30")
    theirs_cmd = [oxigraph, "serve", "--location", str(location), "--bind",
                  f"127.0.0.1:{port}", "--union-default-graph"]
    with process(ours_cmd) as ours, process(theirs_cmd) as theirs:
        assert ours.stderr is not None
        found = re.search(r"http://127\.0\.0\.1:\d+/", ours.stderr.readline())
        if not found:
            raise SystemExit("error: diplograph serve did not start")
        url, oxi = found.group(), f"http://127.0.0.1:{port}/"
        wait_until_up(url + "sparql?query=ASK%7B%7D")
        wait_until_up(oxi + "query?query=ASK%7B%7D")
        failed = False
        for name in args.query or ["timeline"]:
            named = graph.named(name)
            values = run.params_for(manifest, named)
            sparql = graph.sparql_of(named, graph.run(named, values))
            ours_rows = httpx.post(url + "sparql", data={"query": sparql},
                                   headers={"Accept": JSON}, timeout=60).json()
            their_rows = httpx.post(oxi + "query", data={"query": sparql},
                                    headers={"Accept": JSON}, timeout=60).json()
            same = rows_of(ours_rows) == rows_of(their_rows)
            targets = [
                Target("diplograph /api/queries", getting(f"{url}api/queries/{name}", values)),
                Target("diplograph /sparql", posting(url + "sparql", sparql)),
                Target("Oxigraph /query", posting(oxi + "query", sparql)),
            ]
            for target in targets:  # warm both servers' caches alike
                asyncio.run(hammer(target, 2, 2.0, 20))
            loads = [asyncio.run(hammer(t, args.clients, args.seconds, args.max_requests))
                     for t in targets]
            memory = {"diplograph": peak_memory(ours.pid), "Oxigraph": peak_memory(theirs.pid)}
            print(f"\n{name} {json.dumps(values)}: {len(ours_rows['results']['bindings'])} "
                  f"rows, same rows on both servers: {same}; {args.clients} clients, "
                  f"{os.cpu_count()} cores", flush=True)
            print(table(loads, memory, "Oxigraph /query"), flush=True)
            base = loads[-1].throughput
            for load in loads[:-1]:
                goals = {"0 errors": load.errors == 0,
                         "p99 <= 200 ms": load.percentile(0.99) <= P99_GOAL,
                         ">= half Oxigraph's req/s": load.throughput >= THROUGHPUT_GOAL * base}
                print(f"{load.target}: " + ", ".join(
                    f"{goal} {'met' if met else 'MISSED'}" for goal, met in goals.items())
                    + (f" (first error: {load.first_error})" if load.errors else ""), flush=True)
                failed |= not load.requests or load.errors > 0
            failed |= not same
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
