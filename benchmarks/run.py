"""World-scale benchmark of diplograph against the naive rdflib/pyshacl baseline.

`python benchmarks/run.py --size 10k|100k|1m|10m [--smoke] [--skip-baseline |
--baseline-without-validation]` generates (or reuses) a seeded project with
benchmarks/generate.py, then measures the real command line in fresh processes (compile,
a cold named query, each picture of `plot`, validating 100 new facts, updating the store
after they join a data file, export in every format; medians of --reps runs) and the
library warm (each named query, in a worker process that has opened the graph), beside
the naive baseline measured in the same run: rdflib parses all Turtle and runs the same SPARQL text,
values written in; pyshacl validates the whole merged graph. It also times the OWL RL
closure by the native engine beside owlrl's (below 1M) and checks that they agree, and
the compiled store's size on disk beside Oxigraph's alone for the same quads (a fresh
store bulk-loaded with them). It prints one table, against the goals of its size
(`GOALS`: 10m has its own).

`--smoke` is the CI smoke test: smallest size, one repetition, no baseline, no timing
assertions; it exits 0 if every step ran.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import generate
import pyoxigraph as ox

from diplograph import __version__
from diplograph.errors import DiplographError
from diplograph.project import Project
from diplograph.rdf.reading import read_triples
from diplograph.reasoning.closure import entailed_ntriples
from diplograph.reasoning.engines import Engine
from diplograph.sparql.catalog import Catalog, NamedQuery
from diplograph.sparql.running import bind_parameters, run_named
from diplograph.store.cache import disk_use, open_graph
from diplograph.store.folder import COMPLETE, LINES, integrity_problem
from diplograph.store.labels import index_file

HERE = Path(__file__).resolve().parent
COLD_QUERY = "timeline"
MS, S = 1e-3, 1.0
GIB = 2**30
SLOW = 2.0  # seconds: a query slower than this is timed once (its warm-up run)


@dataclass(frozen=True)
class Goals:
    """The targets of one size (seconds, bytes)."""

    compile: float = 10.0
    cold: float = 0.3
    warm: float = 0.050
    validate: float = 1.0
    update: float = 10.0
    export: float = 2.0
    peak: float = GIB
    store_ratio: float = 2.0  # the compiled store's bytes over Oxigraph's alone


GOALS = {"1m": Goals(compile=8.0, update=1.0),
         "10m": Goals(compile=120.0, cold=0.5, warm=0.100, validate=1.5, update=3.0,
                      export=20.0, peak=4 * GIB)}


@dataclass(frozen=True)
class Child:
    """A finished subprocess: wall time, peak resident memory, exit status, output, and
    the CPU time it used (user and system: what a busy machine does not stretch)."""

    seconds: float
    peak_bytes: int
    code: int
    stdout: str
    stderr: str
    timed_out: bool = False
    cpu_seconds: float = 0.0


def run_child(cmd: list[str], timeout: float) -> Child:
    """Run a command in a fresh process, as an installed package runs: with its bytecode
    cached (a shell that turned caching off would time compiling our modules); its own
    peak RSS comes from wait4."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        timed_out = not killer.is_alive()
        killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Child(seconds, usage.ru_maxrss * 1024, proc.returncode,
                     out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                     timed_out, usage.ru_utime + usage.ru_stime)


@dataclass
class Row:
    """One line of the table."""

    measure: str
    ours: float | None
    base: float | None
    unit: float
    target: str
    met: bool | None
    note: str = ""
    over_limit: bool = False  # the baseline is a limit: the ratio is ours over it


@dataclass
class Bench:
    """The measurements of one run."""

    project: Path
    store: Path
    reps: int
    baseline_reps: int
    timeout: float
    query_timeout: float
    baseline_validates: bool = True
    goals: Goals = field(default_factory=Goals)
    rows: list[Row] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)
    peaks: dict[str, int] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)  # CPU seconds of each run

    def cli(self, *args: str) -> list[str]:
        """The diplograph command line on the benchmark's project and store."""
        exe = Path(sys.executable).with_name("diplograph")
        return [str(exe), "--project", str(self.project), "--store", str(self.store), *args]

    def child(self, what: str, cmd: list[str]) -> Child | None:
        """Run a CLI command; None (and a recorded failure) if it failed."""
        result = run_child(cmd, self.timeout)
        log(f"{what}: {result.seconds:.2f} s, CPU {result.cpu_seconds:.2f} s, "
            f"peak {result.peak_bytes / GIB:.2f} GiB, exit {result.code}")
        self.peaks[what] = max(self.peaks.get(what, 0), result.peak_bytes)
        self.cpu.setdefault(what, []).append(result.cpu_seconds)
        if result.timed_out or result.code != 0:
            why = (f"killed after {self.timeout:.0f} s" if result.timed_out
                   else f"exit {result.code}: {result.stderr.strip()[-300:]}")
            self.failures.append(f"{what}: {why}")
            self.why[what] = why if result.timed_out else f"exit {result.code}"
            return None
        return result

    def median(self, what: str, cmd: list[str]) -> float | None:
        """The median time of `reps` fresh-process runs of a CLI command (None if one
        failed)."""
        runs = [self.child(what, cmd) for _ in range(self.reps)]
        times = [r.seconds for r in runs if r is not None]
        return statistics.median(times) if len(times) == len(runs) else None

    def failed(self, what: str) -> str:
        """` (why it failed)` for a failed step, else nothing."""
        return f" ({self.why[what]})" if what in self.why else ""

    def add(self, measure: str, ours: float | None, base: float | None, unit: float,
            limit: float, *, min_ratio: float | None = None, note: str = "") -> None:
        """A timed measure against its target (seconds)."""
        target = f"<= {limit / unit:g} {'ms' if unit == MS else 's'}"
        met = None if ours is None else ours <= limit
        if min_ratio is not None:
            target += f", >= {min_ratio:g}x"
            if ours is not None and base is not None:
                met = bool(met) and base / ours >= min_ratio
        self.rows.append(Row(measure, ours, base, unit, target, met, note))


def forget_stores(cache: Path, kept: set[Path]) -> None:
    """Remove what a step added to the store cache (the stores it compiled), and record
    the kept stores' files as they are now: removing a store that shared a file (an
    update links them) moves its change time, which a user's cache never sees."""
    for path in set(cache.iterdir()) - kept:
        shutil.rmtree(path, ignore_errors=True)
    for path in kept:
        if (path / COMPLETE).is_file():
            integrity_problem(path)  # reads the files whose stamps moved, records them


def log(text: str) -> None:
    """A progress line on stderr (a long run can be followed, or read after it was
    stopped): the time, the machine's load average, the text."""
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"[{time.strftime('%H:%M:%S')} load {load}] {text}", file=sys.stderr, flush=True)


def params_for(manifest: dict[str, Any], query: NamedQuery) -> dict[str, str]:
    """The query's parameters chosen by the generator for this graph, else the header's
    examples of its required parameters."""
    chosen = manifest["parameters"].get(query.name)
    if chosen is not None:
        return dict(chosen)
    return {p.name: p.example for p in query.parameters if p.required and p.example}


def cli_params(values: dict[str, str]) -> list[str]:
    """Query parameters as command-line options."""
    return [arg for k, v in values.items() for arg in (f"--{k}", v)]


def measure(bench: Bench, manifest: dict[str, Any], baseline: bool) -> None:
    """Every measurement, diplograph and baseline."""
    project = Project(bench.project)
    shutil.rmtree(bench.store, ignore_errors=True)
    compiled = bench.child("compile", bench.cli("sparql", "ASK {}", "--format", "json"))

    base = run_baseline(bench, manifest) if baseline and compiled else {}
    parse_s = base.get("parse_s")
    bench.add("compile (fresh store; baseline: rdflib parse all Turtle)" + bench.failed("compile"),
              compiled.seconds if compiled else None, parse_s, S, bench.goals.compile)
    if compiled is None:
        return
    loaded = measure_store_size(bench)
    bench.rows.append(Row("compile (fresh store; baseline: Oxigraph alone bulk-loading the "
                          "same quads in a fresh process, the limit)", compiled.seconds,
                          loaded.seconds if loaded else None, S, f"<= {bench.goals.compile:g} s",
                          compiled.seconds <= bench.goals.compile,
                          f"CPU {compiled.cpu_seconds:.1f} s, baseline {loaded.cpu_seconds:.1f} s"
                          if loaded else "", over_limit=True))

    catalog = Catalog.load(project.queries_dir)
    cold_params = params_for(manifest, catalog.get(COLD_QUERY))
    cold_cmd = bench.cli("query", COLD_QUERY, *cli_params(cold_params), "--format", "csv")
    first = bench.child("cold query", cold_cmd)
    rows = first.stdout.count("\n") - 1 if first else 0
    cold = bench.median("cold query", cold_cmd)
    bench.add(f"cold `query {COLD_QUERY}` ({rows} rows), fresh process"
              + bench.failed("cold query"), cold, base.get("cold_s"), S, bench.goals.cold,
              min_ratio=100)
    measure_integrity(bench, cold)
    bare = bare_query(bench, project, catalog.get(COLD_QUERY), cold_params)
    if cold is not None and bare is not None:
        bench.rows.append(Row(f"cold `query {COLD_QUERY}` / a bare pyoxigraph script running "
                              "its SPARQL on the store, fresh process each",
                              cold, bare, S, "<= 2x the bare script", cold <= 2 * bare,
                              over_limit=True))
    measure_pictures(bench, cold_params, cold)

    for name, query in catalog.queries.items():
        values = params_for(manifest, query)
        theirs = base.get("queries", {}).get(name, {})
        cmd = [sys.executable, str(Path(__file__).resolve()), "--warm-worker", name,
               json.dumps(values), str(bench.project), str(bench.store), str(bench.reps)]
        worker = run_child(cmd, bench.query_timeout)
        if worker.timed_out or worker.code != 0:
            why = (f"killed after {bench.query_timeout:.0f} s" if worker.timed_out
                   else worker.stderr.strip()[-300:])
            bench.failures.append(f"query {name} {values}: {why}")
            bench.add(f"warm `{name}` ({why})", None, theirs.get("median_s"), MS,
                      bench.goals.warm)
            continue
        found = json.loads(worker.stdout)
        rows_note = f"{found['rows']}" + (f"/{theirs['rows']}" if "rows" in theirs else "")
        rows_note += " rows"
        rows_note += f"; baseline failed: {theirs['error']}" if "error" in theirs else ""
        rows_note += ", timed once" if len(found["samples"]) == 1 < bench.reps else ""
        bench.add(f"warm `{name}` ({rows_note})", statistics.median(found["samples"]),
                  theirs.get("median_s"), MS, bench.goals.warm)

    facts = bench.project / "new-facts.ttl"
    validated = bench.median("validate", bench.cli("validate", str(facts)))
    bench.add(f"validate {generate.NEW_FACTS} new facts, fresh process" + bench.failed("validate"),
              validated, base.get("validate_s"), S, bench.goals.validate,
              note="baseline: parse + pyshacl over the merged graph" if bench.baseline_validates
              else "baseline: not run")

    visits = bench.project / manifest.get("add_to", "data/generated-visits.ttl")
    original, stores = visits.read_bytes(), set(bench.store.iterdir())
    try:  # as `diplograph add` would, without its validation (measured above)
        visits.write_bytes(original + b"\n" + facts.read_bytes())
        updated = bench.child("update", bench.cli("sparql", "ASK {}", "--format", "json"))
    finally:
        visits.write_bytes(original)
        forget_stores(bench.store, stores)  # the add below starts from the same store
    bench.add(f"update the store after {generate.NEW_FACTS} new facts join {visits.name}, "
              "fresh process" + bench.failed("update"), updated.seconds if updated else None,
              parse_s, S, bench.goals.update, note="baseline: rdflib parse all Turtle again")
    try:
        added = bench.child("add", bench.cli("add", str(facts), "--to", str(visits)))
        after = bench.child("add, then a query",
                            bench.cli("sparql", "ASK {}", "--format", "json")) if added else None
    finally:
        visits.write_bytes(original)
        forget_stores(bench.store, stores)
    bench.add(f"`add` {generate.NEW_FACTS} new facts to {visits.name} (validated), then the next "
              "command (which updates the store), fresh process each" + bench.failed("add")
              + bench.failed("add, then a query"),
              added.seconds + after.seconds if added and after else None, parse_s, S,
              bench.goals.update, note=f"add {added.seconds:.2f} s + next {after.seconds:.2f} s"
              if added and after else "")

    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("nt", "nq", "ttl", "trig", "jsonld", "xml"):
            out = Path(tmp) / f"dump.{fmt}"
            exported = bench.median(f"export {fmt}",
                                    bench.cli("export", "--format", fmt, "--output", str(out)))
            out.unlink(missing_ok=True)  # its unwritten pages would slow the next format
            bench.add(f"export {fmt}, fresh process" + bench.failed(f"export {fmt}"), exported,
                      base.get(f"export_{fmt}_s"), S, bench.goals.export,
                      note="baseline: serialise the parsed graph" if fmt in ("nt", "ttl")
                      else "baseline: not run (rdflib takes minutes)")
    peak = max(bench.peaks.values())
    worst = max(bench.peaks, key=lambda k: bench.peaks[k])
    base_peak = base.get("peak_bytes")
    bench.rows.append(Row(f"peak memory (max over CLI processes: {worst})", peak / GIB,
                          base_peak / GIB if base_peak else None, 1.0,
                          f"<= {bench.goals.peak / GIB:g} GiB", peak <= bench.goals.peak))


def measure_store_size(bench: Bench) -> Child | None:
    """The compiled store's bytes on disk beside Oxigraph's alone for the same quads:
    each named graph's triples bulk-loaded into a fresh store by a fresh process; that
    load's process (its time is the limit a compile approaches)."""
    folder = open_graph(Project(bench.project), bench.store).path
    ours = disk_use([folder])
    lines = disk_use([folder / LINES]) - index_file(folder).stat().st_size
    with tempfile.TemporaryDirectory(dir=bench.store.parent) as tmp:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--bulk-load-worker",
               str(bench.project), str(bench.store), tmp]
        child = run_child(cmd, bench.timeout)
        if child.code != 0 or child.timed_out:
            bench.failures.append(f"bulk load: {child.stderr.strip()[-300:]}")
            return None
        theirs = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file())
    limit = bench.goals.store_ratio * theirs
    bench.rows.append(Row("store on disk (baseline: Oxigraph alone, the same quads bulk-loaded "
                          f"in {child.seconds:.1f} s)", ours / GIB, theirs / GIB, 1.0,
                          f"<= {bench.goals.store_ratio:g}x baseline, {limit / GIB:.2f} GiB",
                          ours <= limit,
                          f"of which the kept lines and profiles {lines / 2**20:.1f} MiB, the "
                          f"label index {index_file(folder).stat().st_size / 2**20:.1f} MiB",
                          over_limit=True))
    return child


def bulk_load_worker(root: str, store: str, target: str) -> None:
    """In a process of its own: load every named graph of the compiled store into a fresh
    Oxigraph store at `target`, as `oxigraph load` would."""
    graph = open_graph(Project(Path(root)), Path(store))
    fresh = ox.Store(target)
    for name in sorted(graph.store.named_graphs(), key=str):
        if isinstance(name, ox.NamedNode):
            fresh.bulk_load(graph.ntriples(name), ox.RdfFormat.N_TRIPLES, to_graph=name)
    fresh.flush()


def measure_integrity(bench: Bench, cold: float | None) -> None:
    """The store's integrity check as every command pays it (each file's stamp as
    recorded: stat calls), and after its files were linked elsewhere (every stamp
    changed: each file read and its checksum compared), beside the cold query."""
    folder = next(p for p in bench.store.iterdir() if (p / COMPLETE).is_file())
    files = [f for f in folder.rglob("*") if f.is_file()]

    def timed() -> float:
        start = time.perf_counter()
        problem = integrity_problem(folder)
        seconds = time.perf_counter() - start
        if problem is not None:
            raise SystemExit(f"the benchmark's store is damaged: {problem}")
        return seconds

    stamped = statistics.median(timed() for _ in range(bench.reps))
    with tempfile.TemporaryDirectory(dir=bench.store) as links:
        for i, f in enumerate(files):
            os.link(f, Path(links) / str(i))  # changes each file's change time
        read = timed()
    size = sum(f.stat().st_size for f in files) / 2**20
    for what, seconds, limit in (("stamps as compiled (every command)", stamped, 0.01),
                                 (f"every file read ({size:.0f} MiB, once after a copy)", read,
                                  10.0)):
        note = f"{seconds / cold:.3f}x the cold query" if cold else ""
        bench.add(f"store integrity check, {what}", seconds, None, MS if limit < 1 else S,
                  limit, note=note)
BARE_SCRIPT = """import sys, pyoxigraph
store = pyoxigraph.Store.read_only(sys.argv[1])
print(len(list(store.query(open(sys.argv[2], encoding="utf-8").read()))))
"""


def bare_query(bench: Bench, project: Project, query: NamedQuery,
               values: dict[str, str]) -> float | None:
    """The median time of a fresh Python process that opens the compiled store with
    pyoxigraph alone and runs the query's SPARQL, values written in (the floor of a
    cold query)."""
    graph = open_graph(project, bench.store)
    text = query.bind(bind_parameters(graph, query, values))
    with tempfile.TemporaryDirectory() as tmp:
        sparql = Path(tmp) / "query.rq"
        sparql.write_text(text, encoding="utf-8")
        cmd = [sys.executable, "-c", BARE_SCRIPT, str(graph.path), str(sparql)]
        runs = [run_child(cmd, bench.timeout) for _ in range(bench.reps)]
    if any(r.code != 0 for r in runs):
        bench.failures.append(f"bare query: {runs[0].stderr.strip()[-300:]}")
        return None
    return statistics.median(r.seconds for r in runs)


def measure_pictures(bench: Bench, states: dict[str, str], cold: float | None) -> None:
    """Each picture drawn as SVG and PNG by a fresh process, against the cold query's
    time as the floor any fresh command pays (opening the store, loading Python), with
    the CPU time each took. The network is drawn once first with no ties kept in the
    store's folder, as after a compile: that run gathers and keeps them."""
    pictures = {
        "timeline": ("timeline", "--a", states["a"], "--b", states["b"]),
        "relations": ("relations", "--country", states["a"]),
        "network": ("network",),
    }
    floor_cpu = statistics.median(bench.cpu["cold query"]) if cold is not None else None
    floor = (f"cold query {cold:.2f} s, CPU {floor_cpu:.2f} s" if floor_cpu is not None
             else "cold query failed")

    def cpu_of(seconds: float) -> str:
        """CPU time, and as a multiple of the cold query's (what a busy machine does not
        stretch the way it stretches wall time)."""
        ratio = f" = {seconds / floor_cpu:.1f}x the cold query's" if floor_cpu else ""
        return f"CPU {seconds:.2f} s{ratio}"

    with tempfile.TemporaryDirectory() as tmp:
        for folder in bench.store.glob("*/pictures"):
            shutil.rmtree(folder)
        out = Path(tmp) / "first.svg"
        first = bench.child("plot network first", bench.cli("plot", "network", "--output",
                                                             str(out)))
        bench.add("`plot network` to svg, first after compiling, fresh process"
                  + bench.failed("plot network first"), first.seconds if first else None,
                  None, S, 2.0, note=f"{cpu_of(first.cpu_seconds)}; {floor}" if first
                  else floor)
        for name, args in pictures.items():
            for fmt in ("svg", "png"):
                what = f"plot {name} {fmt}"
                out = Path(tmp) / f"{name}.{fmt}"
                seconds = bench.median(what, bench.cli("plot", *args, "--output", str(out)))
                cpu = cpu_of(statistics.median(bench.cpu[what]))
                size = f"{out.stat().st_size // 1024} KiB; " if out.exists() else ""
                bench.add(f"`plot {' '.join(args)}` to {fmt}, fresh process"
                          + bench.failed(what), seconds, None, S, 2.0,
                          note=f"{size}{cpu}; {floor}")


def warm_worker(name: str, values_json: str, root: str, store: str, reps: int) -> None:
    """In a process of its own: open the graph, run a named query once to warm up, then
    `reps` times (once if it is slow); print the samples and row count as JSON."""
    project = Project(Path(root))
    graph = open_graph(project, Path(store))
    query = Catalog.load(project.queries_dir).get(name)
    values = json.loads(values_json)
    start = time.perf_counter()
    result = run_named(graph, query, values)
    samples = [time.perf_counter() - start]
    if samples[0] <= SLOW:
        samples = []
        for _ in range(reps):
            start = time.perf_counter()
            result = run_named(graph, query, values)
            samples.append(time.perf_counter() - start)
    print(json.dumps({"samples": samples, "rows": len(result.rows)}))


def closure_worker(engine: str, root: str) -> None:
    """In a process of its own: the OWL RL closure of the project's ontology and data by
    one engine; print its time (parsing aside), size and digest as JSON."""
    project = Project(Path(root))
    documents = [ox.serialize(read_triples(path), format=ox.RdfFormat.N_TRIPLES) or b""
                 for path in project.source_files if path not in project.shapes_files]
    start = time.perf_counter()
    entailed = entailed_ntriples(documents, Engine(engine))
    seconds = time.perf_counter() - start
    lines = sorted(entailed.nontrivial.splitlines())
    print(json.dumps({"seconds": seconds, "inferred": len(lines),
                      "digest": hashlib.sha256(b"\n".join(lines)).hexdigest()}))


def measure_closure(bench: Bench, size: str, baseline: bool) -> None:
    """The native engine's closure beside owlrl's (not at 1M: owlrl takes hours there;
    not at all at 10M, where the worker's triple objects would take more memory than the
    compile, which reasons the same graph)."""
    if size == "10m":
        return
    runs = {}
    for engine in ("native", "owlrl") if baseline and size != "1m" else ("native",):
        cmd = [sys.executable, str(Path(__file__).resolve()), "--closure-worker", engine,
               str(bench.project)]
        child = run_child(cmd, bench.timeout)
        if child.code != 0 or child.timed_out:
            bench.failures.append(f"closure by {engine}: {child.stderr.strip()[-300:]}")
            continue
        runs[engine] = {**json.loads(child.stdout), "peak": child.peak_bytes / GIB}
    native, owlrl = runs.get("native"), runs.get("owlrl")
    note = (f"{native['inferred']} inferred, process peak {native['peak']:.2f} GiB"
            if native else "")
    if native and owlrl:
        same = "same" if native["digest"] == owlrl["digest"] else "DIFFERENT"
        note += f"; {same} entailments as owlrl, whose peak is {owlrl['peak']:.2f} GiB"
    bench.add("OWL RL closure, native engine (baseline: owlrl)",
              native["seconds"] if native else None, owlrl["seconds"] if owlrl else None,
              S, 60.0, min_ratio=20 if owlrl else None, note=note)


def run_baseline(bench: Bench, manifest: dict[str, Any]) -> dict[str, Any]:
    """The naive baseline in one fresh process, on the query texts diplograph runs."""
    project = Project(bench.project)
    graph = open_graph(project, bench.store)
    catalog = Catalog.load(project.queries_dir)
    names = [COLD_QUERY, *sorted(n for n in catalog.queries if n != COLD_QUERY)]
    plan = {}
    for name in names:
        query = catalog.get(name)
        try:
            bound = bind_parameters(graph, query, params_for(manifest, query))
        except DiplographError:
            continue  # reported by the diplograph measurement
        plan[name] = query.bind(bound)
    del graph
    with tempfile.TemporaryDirectory() as tmp:
        plan_file = Path(tmp) / "plan.json"
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
        entailed = Path(tmp) / "inferred.nt"  # the same facts: entailments, time bounds
        run_child(bench.cli("export", "--inferred", "--format", "nt", "-o", str(entailed)),
                  bench.timeout)
        cmd = [sys.executable, str(HERE / "baseline.py"), "--project", str(bench.project),
               "--plan", str(plan_file), "--reps", str(bench.baseline_reps),
               "--export", tmp, "--entailments", str(entailed)]
        if bench.baseline_validates:
            cmd += ["--new-facts", str(bench.project / "new-facts.ttl")]
        launched = time.time()
        result = run_child(cmd, bench.timeout)
    if result.code != 0 or result.timed_out:
        bench.failures.append(f"baseline: {'timed out' if result.timed_out else result.stderr}")
        return {}
    out: dict[str, Any] = json.loads(result.stdout)
    out["cold_s"] = out["cold_end"] - launched
    if "validate_s" in out:
        out["validate_s"] += out["parse_s"]
    for fmt in ("nt", "ttl"):
        out[f"export_{fmt}_s"] += out["parse_s"]
    out["peak_bytes"] = result.peak_bytes
    return out


def number(value: float | None, unit: str) -> str:
    """A value in the table's unit."""
    if value is None:
        return "-"
    if unit == "ms":
        return f"{value / MS:.1f} ms"
    return f"{value:.2f} {unit}"


def table(bench: Bench) -> str:
    """The results as one Markdown table."""
    lines = ["| measure | diplograph | baseline | ratio | target | met? |",
             "|---|---:|---:|---:|---|---|"]
    for r in bench.rows:
        unit = "GiB" if r.target.endswith("GiB") else "ms" if r.unit == MS else "s"
        ratio = ("-" if r.base is None or not r.ours
                 else f"{r.ours / r.base:.3g}x the limit" if r.over_limit
                 else f"{r.base / r.ours:.3g}x")
        met = {None: "-", True: "yes", False: "NO"}[r.met]
        measure = r.measure + (f" [{r.note}]" if r.note else "")
        lines.append(f"| {measure} | {number(r.ours, unit)} | {number(r.base, unit)} | {ratio} "
                     f"| {r.target} "
                     f"| {met} |")
    return "\n".join(lines)


def ensure_project(cache: Path, size: str, seed: int) -> tuple[Path, dict[str, Any]]:
    """The generated project for size and seed, generated once and cached."""
    folder = cache / f"{size}-seed{seed}" / "project"
    manifest_file = folder / "benchmark.json"
    manifest: dict[str, Any] = (json.loads(manifest_file.read_text(encoding="utf-8"))
                                if manifest_file.is_file() else {})
    if manifest.get("inputs") != generate.inputs_digest():
        manifest = generate.write_project(size, seed, folder)
    return folder, manifest


def main(argv: list[str] | None = None) -> int:
    """Command line; exit 0 if every step ran."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(generate.SIZES), default="10k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reps", type=int, default=5, help="repetitions for medians")
    parser.add_argument("--baseline-reps", type=int, default=3,
                        help="repetitions for the baseline's medians")
    parser.add_argument("--smoke", action="store_true",
                        help="CI: smallest size, one repetition, no baseline")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--baseline-without-validation", action="store_true",
                        help="baseline without pyshacl (which takes hours at 1m)")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds before a step is killed")
    parser.add_argument("--query-timeout", type=float, default=120.0,
                        help="seconds before a warm named query is killed")
    parser.add_argument("--warm-worker", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--closure-worker", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--bulk-load-worker", nargs=3, help=argparse.SUPPRESS)
    default_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    parser.add_argument("--cache-dir", type=Path, default=default_cache / "diplograph-bench")
    args = parser.parse_args(argv)
    if args.warm_worker:
        name, values, root, store, reps = args.warm_worker
        warm_worker(name, values, root, store, int(reps))
        return 0
    if args.closure_worker:
        closure_worker(*args.closure_worker)
        return 0
    if args.bulk_load_worker:
        bulk_load_worker(*args.bulk_load_worker)
        return 0
    if args.smoke:
        args.size, args.reps, args.skip_baseline = "10k", 1, True

    project, manifest = ensure_project(args.cache_dir, args.size, args.seed)
    bench = Bench(project, project.parent / "store", args.reps, args.baseline_reps,
                  args.timeout, args.query_timeout, not args.baseline_without_validation,
                  GOALS.get(args.size, Goals()))
    measure(bench, manifest, baseline=not args.skip_baseline)
    measure_closure(bench, args.size, baseline=not args.skip_baseline)
    print(f"diplograph {__version__} benchmark: size {args.size} (seed {args.seed}), "
          f"{manifest['total_triples']} triples; {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, pyoxigraph {ox.__version__}; "
          f"medians of {args.reps}; "
          + ("baseline skipped" if args.skip_baseline
             else f"baseline measured in this run (medians of {args.baseline_reps})"
             + ("" if bench.baseline_validates else ", without validation")))
    print(f"project: {project}")
    print()
    print(table(bench))
    for failure in bench.failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
