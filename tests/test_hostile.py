"""Hostile queries and unlucky input: nothing reaches out, nothing hangs, every error
is one line with its exit code, and files stay as they were."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from unittest.mock import patch

import pyoxigraph as ox
import pytest

from conftest import ROOT, Run
from diplograph.errors import StoreError
from diplograph.graph import Graph
from diplograph.project import Project
from diplograph.sparql.limits import Limits, QueryTimeout
from diplograph.store import compiler as compiler_module
from diplograph.store import folder as folder_module
from diplograph.store import frames
from diplograph.store.folder import (
    INTEGRITY,
    DamagedFile,
    integrity_problem,
    lines_file,
    write_integrity,
)
from diplograph.store.frames import FramedLines
from diplograph.store.sources import BUILD_PREFIX

# the join of the whole graph with itself: it never ends in a test's time
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"


def sneaky_queries(base: str) -> list[str]:
    """Ways to name a service or a dataset that a lexer over the text could miss."""
    service = f"SERVICE <{base}/x> {{ ?x ?y ?z }}"
    return [
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ VALUES ?v {{ ex:a\\# }} SERVICE SILENT"
        f" <{base}/x> {{ ?x ?y ?z }} }}",
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ VALUES ?v {{ ex:a\\' }} {service} }}",
        f"PREFIX ex: <http://e/> SELECT * FROM <{base}/g> WHERE {{ VALUES ?v {{ ex:a\\' }} }}",
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ?p ex:a\\#b . {service} }}",
        f'SELECT * WHERE {{ ?s ?p "\\"" . {service} }}',
        f"SELECT * WHERE {{ ?s ?p '''a''' . {service} }}",
        f"SELECT * WHERE {{ # a comment \\u000A {service} }}",
        f"SELECT * WHERE {{ {service.replace('SERVICE', 'SeRvIcE SILENT')} }}",
        f"SELECT * WHERE {{ BIND(<{base}/x> AS ?s) SERVICE ?s {{ ?x ?y ?z }} }}",
        f"SELECT * WHERE {{ {{ {{ {service} }} }} }}",
        f"ASK {{ {service} }}",
        f"CONSTRUCT {{ ?x ?y ?z }} WHERE {{ {service} }}",
        f"DESCRIBE <{base}/x> FROM NAMED <{base}/g> WHERE {{ }}",
        f"LOAD <{base}/data.ttl>",
    ]


def test_no_query_reaches_a_local_server(run: Run, listener: tuple[str, list[str]]) -> None:
    base, received = listener
    for query in sneaky_queries(base):
        result = run("sparql", query)
        assert result.exit_code == 3, (query, result.output)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: query: ")
        assert not received, (query, received)
    # the server is real: the same text reaches it when the engine is asked directly
    with contextlib.suppress(RuntimeError):  # it answers nonsense
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{base}/x> {{ ?x ?y ?z }} }}"))
    assert received == ["POST /x"]


def copy_project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, target / part)
    return target


def test_a_stored_query_and_the_shapes_context_cannot_reach_out(
    tmp_path: Path, listener: tuple[str, list[str]], store_dir: Path
) -> None:
    base, received = listener
    project = copy_project(tmp_path)
    timeline = project / "queries" / "timeline.rq"
    timeline.write_text(timeline.read_text().replace(
        "WHERE {", f"WHERE {{ VALUES ?v {{ dg:a\\# }} SERVICE SILENT <{base}/q> {{ ?x ?y ?z }}",
        1))
    context = project / "ontology" / "shapes-context.rq"
    context.write_text(context.read_text().replace(
        "WHERE {", f"WHERE {{ SERVICE <{base}/c> {{ ?x ?y ?z }}", 1))
    graph = Graph.open(project, store_dir)
    from diplograph.errors import InputError

    with pytest.raises(InputError, match=r"timeline\.rq: "):
        graph.query("timeline", a="AZ", b="KZ")
    with pytest.raises(InputError, match=r"shapes-context\.rq: SERVICE is not allowed"):
        graph.validate([ROOT / "tests" / "fixtures" / "facts" / "good.ttl"])
    assert not received


@pytest.mark.parametrize("args,code,message", [
    (["sparql", "SELECT ?x {BIND(<http://example.org/f>(1) AS ?x)}"], 3,
     "error: query: the query engine cannot run it: The custom function"),
    (["sparql", "SELECT * WHERE " + "{" * 5000 + "}" * 5000], 3,
     "nested 5000 deep, over the limit of 64"),
    (["sparql", "SELECT * WHERE { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }"], 3,
     "over the limit of 64"),
    (["sparql", "PREFIX ex: <http://e/> SELECT * WHERE { ?s ?p ex:a\\# . " + "{" * 3000
      + "?s ?p ?o" + "}" * 3000 + "}"], 3, "the query nests too deeply to be checked"),
    (["query", "timeline", "--a", "AZ"], 2, "error: query 'timeline' needs --b"),
    (["query", "timeline", "--a", "AZ", "--b", "KZ", "--bogus"], 2,
     "error: No such option '--bogus'"),
    (["nope"], 2, "error: No such command 'nope'. (hint: `"),
    (["sparql"], 2, "error: Missing argument 'QUERY_OR_FILE'."),
    (["sparql", "ASK {}", "--timeout", "0"], 2, "Invalid value for '--timeout'"),
    (["sparql", "ASK {}", "--timeout", "nan"], 2, "'nan' is not a finite number of seconds"),
    (["sparql", "ASK {}", "--timeout", "1e999"], 2, "is not a finite number of seconds"),
    # the engine would build a tree 2000 deep from this flat text, and overflow its stack
    (["sparql", "SELECT * WHERE { ?s " + "/".join(["<http://e/p>"] * 2000) + " ?o }"], 3,
     "steps, branches or operators chained 2008 long, over the limit of 512"),
    (["sparql", "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 600) + " }"], 3,
     "over the limit of 512"),
])
def test_errors_are_one_line_with_their_exit_code(
    run: Run, args: list[str], code: int, message: str
) -> None:
    result = run(*args)
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.output
    assert "(hint: " in result.stderr


def test_a_query_file_not_in_utf8_is_bad_input(run: Run, tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_bytes(b"SELECT * WHERE { ?s ?p \"\xff\" }")
    result = run("sparql", str(query))
    assert result.exit_code == 3 and result.stderr == (
        f"error: {query}: not UTF-8 text (byte 24) (hint: save the query as UTF-8)\n")


def test_a_byte_order_mark_is_skipped(run: Run, tmp_path: Path) -> None:
    facts = (ROOT / "tests" / "fixtures" / "facts" / "good.ttl").read_bytes()
    marked = tmp_path / "good.ttl"
    marked.write_bytes(b"\xef\xbb\xbf" + facts)
    assert run("validate", str(marked)).exit_code == 0
    query = tmp_path / "q.rq"
    query.write_bytes(b"\xef\xbb\xbfASK { ?s ?p ?o }")
    assert run("sparql", str(query), "--format", "csv").stdout.split() == ["boolean", "true"]


def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diplograph import Graph

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(Graph, "sparql", broken)
    result = run("sparql", "ASK {}")
    assert result.exit_code == 70
    assert result.stderr == ("error: internal error: ZeroDivisionError: a bug (hint: run again "
                             "with --debug (or DIPLOGRAPH_DEBUG=1) to see the traceback)\n")
    shown = run("--debug", "sparql", "ASK {}")
    assert shown.exit_code == 70 and "Traceback (most recent call last)" in shown.stderr
    assert shown.stderr.endswith(result.stderr)


def cli(*args: str, store: Path, **kwargs: object) -> subprocess.Popen[str]:
    """The command line as a user runs it, in a process of its own."""
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "diplograph", "--project", str(ROOT), "--store", str(store),
         *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


@pytest.mark.slow
def test_a_query_stops_at_its_time_limit(store_dir: Path, graph: object) -> None:
    started = time.monotonic()
    process = cli("sparql", ENDLESS, "--timeout", "1", store=store_dir)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 4 and out == ""
    assert err == ("error: the query was stopped after 1 s, its time limit (hint: narrow the "
                   "query, or give it more time with --timeout)\n")
    assert time.monotonic() - started < 10


def test_checking_a_query_is_under_its_time_limit(
    store_dir: Path, graph: object, tmp_path: Path
) -> None:
    """rdflib's parser takes minutes over a sum of 100k terms: the check that reads a
    query before the engine may is stopped at the query's own time limit."""
    query = tmp_path / "sum.rq"
    query.write_text("SELECT * WHERE { FILTER(1" + " + 1" * 100_000 + ") }")
    process = cli("sparql", str(query), "--timeout", "1", store=store_dir)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 4 and out == ""
    assert err == ("error: the query was stopped after 1 s, its time limit (hint: narrow the "
                   "query, or give it more time with --timeout)\n")


@pytest.mark.slow
def test_a_query_stops_at_its_memory_ceiling(store_dir: Path, graph: object) -> None:
    process = cli("sparql", ENDLESS.replace("(COUNT(*) AS ?n)", "*") + " ORDER BY ?f ?c",
                  "--memory", "200", store=store_dir)
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 5, err
    assert err.startswith("error: the query was stopped at 200 MiB, its memory ceiling")
    assert err.count("\n") == 1


@pytest.mark.slow
def test_ctrl_c_stops_a_query_at_once(store_dir: Path, graph: object) -> None:
    process = cli("sparql", ENDLESS, store=store_dir)
    time.sleep(3)  # started and running
    process.send_signal(signal.SIGINT)
    stopped = time.monotonic()
    _out, err = process.communicate(timeout=30)
    assert time.monotonic() - stopped < 2
    assert process.returncode == 130 and err == "error: interrupted\n"


@pytest.mark.slow
def test_sigterm_stops_a_query_at_once(store_dir: Path, graph: object) -> None:
    process = cli("sparql", ENDLESS, store=store_dir)
    time.sleep(3)  # started and running
    process.terminate()
    stopped = time.monotonic()
    out, err = process.communicate(timeout=30)
    assert time.monotonic() - stopped < 2
    assert process.returncode == -signal.SIGTERM  # ended by it: status 143 in a shell
    assert err == "error: terminated\n" and out == ""


@pytest.mark.slow
def test_sigterm_during_a_compile_leaves_no_store_behind(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    process = cli("sparql", "ASK {}", store=cache)
    deadline = time.monotonic() + 60
    while not list(cache.glob(f"{BUILD_PREFIX}*/store/*.sst")):  # writing the store
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    process.terminate()
    out, err = process.communicate(timeout=60)
    assert process.returncode == -signal.SIGTERM and err == "error: terminated\n" and out == ""
    assert [p.name for p in cache.iterdir() if p.is_dir()] == []


@pytest.mark.slow
def test_sigterm_stops_the_server_cleanly(store_dir: Path, graph: object) -> None:
    process = cli("serve", "--port", "0", store=store_dir)
    assert process.stderr is not None
    url = re.search(r"http://127\.0\.0\.1:\d+/", process.stderr.readline())
    assert url is not None
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url.group(), timeout=2) as response:
                assert response.status == 200
            break
        except OSError:
            assert time.monotonic() < deadline, "the server did not answer"
            time.sleep(0.1)
    process.terminate()
    _out, err = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGTERM and "error" not in err  # a stop, no failure


@pytest.mark.slow
def test_an_isolated_graph_stays_usable_after_a_limit(store_dir: Path, graph: object) -> None:
    front = Graph(Project(ROOT), store_dir, limits=Limits(timeout=1), isolated=True)
    with pytest.raises(QueryTimeout):
        front.sparql(ENDLESS)
    assert not [t for t in threading.enumerate() if t.name == "diplograph-query"]
    rows = front.query("timeline", a="AZ", b="KZ").rows
    assert [r[0].value for r in rows[:2]] == ["1992-08-30", "1993-01-09"]  # type: ignore[union-attr]
    assert front.sparql("ASK { ?s ?p ?o }").boolean is True


@pytest.fixture
def private(tmp_path: Path, store_dir: Path) -> tuple[Path, Path]:
    """A copy of the project and a cache holding a copy of its compiled store."""
    project, cache = copy_project(tmp_path), tmp_path / "cache"
    shutil.copytree(store_dir, cache,
                    ignore=shutil.ignore_patterns("digests.json", "checked-queries"))
    return project, cache


def runner(project: Path, cache: Path) -> Run:
    from click.testing import CliRunner

    from diplograph.cli import cli as command

    return lambda *args, **kw: CliRunner().invoke(
        command, ["--project", str(project), "--store", str(cache), *args], **kw)


@pytest.mark.slow
def test_a_damaged_store_is_compiled_again(private: tuple[Path, Path]) -> None:
    project, cache = private
    run = runner(project, cache)
    store = Graph.open(project, cache).compiled.path
    biggest = max(store.glob("*.sst"), key=lambda f: f.stat().st_size)
    biggest.unlink()
    result = run("query", "timeline", "--a", "AZ", "--b", "KZ", "--format", "csv")
    assert result.exit_code == 0 and result.stdout.count("\n") == 9
    assert integrity_problem(store) is None  # compiled again


@pytest.mark.slow
def test_a_damaged_lines_file_is_never_exported(private: tuple[Path, Path]) -> None:
    project, cache = private
    run = runner(project, cache)
    opened = Graph.open(project, cache).compiled
    graph = max(opened.graphs(), key=lambda g: lines_file(opened.path, g).stat().st_size)
    lines = lines_file(opened.path, graph)
    whole = run("export", "--format", "nt").stdout
    data = lines.read_bytes()
    lines.write_bytes(data[:len(data) // 2])  # a damaged disk, a killed copy
    assert run("export", "--format", "nt").stdout == whole  # compiled again
    time.sleep(0.05)  # file times tick at the kernel's coarse clock
    data, before = lines.read_bytes(), lines.stat()
    lines.write_bytes(flipped(data))  # same size and modification time, one byte other
    os.utime(lines, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert run("export", "--format", "nt").stdout == whole  # compiled again
    opened = Graph.open(project, cache).compiled
    lines.write_bytes(flipped(lines.read_bytes()))  # damaged while open
    with pytest.raises(StoreError, match=r"the compiled store is damaged: .* does not decompress"):
        opened.ntriples(graph)


def test_any_byte_damaged_in_framed_lines_is_found_before_it_is_used() -> None:
    lines = b"".join(b'<s%03d> <p> "v%d" .\n' % (i, i * 7) for i in range(60))
    with patch.object(frames, "FRAME_BYTES", 200):  # several frames, and their index
        data = FramedLines.of(lines).to_bytes()
    assert FramedLines.from_bytes(data).whole() == lines
    for at in range(len(data)):
        for bit in (0x01, 0x80):
            damaged = data[:at] + bytes([data[at] ^ bit]) + data[at + 1:]
            with pytest.raises(DamagedFile):  # the index, or a frame once it is read
                read = FramedLines.from_bytes(damaged)
                read.whole()


def flipped(data: bytes) -> bytes:
    """The bytes with one of them changed half-way, as a failing disk leaves them."""
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x55]) + data[middle + 1:]


@pytest.mark.slow
def test_zeroed_database_pages_are_found_and_compiled_again(private: tuple[Path, Path]) -> None:
    project, cache = private
    run = runner(project, cache)
    count = ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv"]
    whole = run(*count)
    assert whole.exit_code == 0 and int(whole.stdout.split()[1]) > 50_000
    store = Graph.open(project, cache).compiled.path
    time.sleep(0.05)  # file times tick at the kernel's coarse clock
    for database in sorted(store.glob("*.sst"), key=lambda f: f.stat().st_size)[-3:]:
        with database.open("r+b") as pages:  # as a failing disk or a crash can leave them
            pages.seek(database.stat().st_size // 2 // 4096 * 4096)
            pages.write(bytes(4096))
    problem = integrity_problem(store)
    assert problem is not None and "its checksum differs" in problem
    assert run(*count).stdout == whole.stdout  # compiled again, not run away
    assert integrity_problem(store) is None


def test_a_store_is_trusted_by_its_stamps_and_read_when_they_change(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    (folder / "lines").mkdir(parents=True)
    (folder / "000007.sst").write_bytes(bytes(range(256)) * 64)
    (folder / "lines" / "a.nt.zst").write_bytes(b"<a:s> <a:p> <a:o> .\n" * 10)
    write_integrity(folder)
    assert integrity_problem(folder) is None
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)  # every stamp differs: each file is read once
    recorded = (copy / INTEGRITY).read_bytes()
    assert integrity_problem(copy) is None
    assert (copy / INTEGRITY).read_bytes() != recorded  # the copy's stamps, recorded
    time.sleep(0.05)  # file times tick at the kernel's coarse clock
    damaged = copy / "000007.sst"
    before = damaged.stat()
    damaged.write_bytes(bytes(256 * 64))  # zeroed, same size and modification time
    os.utime(damaged, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert integrity_problem(copy) == \
        "000007.sst holds other bytes than were compiled (its checksum differs)"
    (folder / "000008.sst").write_bytes(b"")
    assert integrity_problem(folder) == "000008.sst was not part of it"
    (folder / "000008.sst").unlink()
    (folder / "lines" / "a.nt.zst").unlink()
    assert integrity_problem(folder) == "lines/a.nt.zst is missing"


def test_a_store_an_update_linked_is_trusted_again_without_reading_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base, copy = tmp_path / "base", tmp_path / "copy"
    for store in (base, copy):
        (store / "lines").mkdir(parents=True)
    (base / "000007.sst").write_bytes(bytes(range(256)) * 64)
    (base / "lines" / "a.nt.zst").write_bytes(b"<a:s> <a:p> <a:o> .\n" * 10)
    write_integrity(base)
    time.sleep(0.05)  # file times tick at the kernel's coarse clock
    for name in ("000007.sst", "lines/a.nt.zst"):
        os.link(base / name, copy / name)  # as an update copies a store: its change times move
    read: list[Path] = []
    monkeypatch.setattr(folder_module, "checksum", lambda file: read.append(file) or "")
    write_integrity(copy, base)
    assert integrity_problem(base) is None and integrity_problem(copy) is None
    assert read == []  # neither store's files were read again
    monkeypatch.undo()
    damaged = base / "000007.sst"
    before = damaged.stat()
    damaged.write_bytes(bytes(256 * 64))  # an edit in place, its time set back, is still seen
    os.utime(damaged, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert integrity_problem(base) == \
        "000007.sst holds other bytes than were compiled (its checksum differs)"


def test_an_update_starts_from_the_best_undamaged_store_and_checks_no_other(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from diplograph.store.compiler import closest_store
    from diplograph.store.folder import COMPLETE, write_sources
    from diplograph.store.sources import Source

    sources = [Source(tmp_path / f"{n}.ttl", f"{n}.ttl", ox.NamedNode(f"urn:graph:{n}"),
                      f"digest-{n}", 100) for n in "abcd"]

    def store(name: str, shared: int) -> Path:
        folder = tmp_path / "cache" / name
        (folder / "lines").mkdir(parents=True)
        (folder / "lines" / "a.nt.zst").write_bytes(name.encode() * 100)
        write_sources(folder, {s.graph.value: (s.digest if i < shared else "other", s.size)
                               for i, s in enumerate(sources)})
        write_integrity(folder)
        (folder / COMPLETE).write_text(name + "\n")
        return folder

    best, second, third, _ = store("best", 4), store("second", 3), store("third", 2), \
        store("least", 1)
    checked: list[Path] = []
    monkeypatch.setattr(compiler_module, "integrity_problem",
                        lambda folder: checked.append(folder) or integrity_problem(folder))
    assert closest_store(tmp_path / "cache", sources) == best and checked == [best]
    (best / "lines" / "a.nt.zst").write_bytes(b"damaged")
    checked.clear()
    assert closest_store(tmp_path / "cache", sources) == second and checked == [best, second]
    (second / "lines" / "a.nt.zst").unlink()
    assert closest_store(tmp_path / "cache", sources) == third  # half the bytes: still worth it
    (third / "lines" / "a.nt.zst").unlink()
    assert closest_store(tmp_path / "cache", sources) is None  # a quarter: a new build


def test_an_edit_keeping_size_and_time_is_seen(private: tuple[Path, Path]) -> None:
    project, cache = private
    run = runner(project, cache)
    query = ["sparql", "SELECT ?d WHERE { <https://w3id.org/diplograph/resource/relation-AZ-KZ>"
             " <https://w3id.org/diplograph/ontology#established> ?d }", "--format", "csv"]
    assert "1992-08-30" in run(*query).stdout
    data = project / "data" / "azerbaijan-kazakhstan.ttl"
    before = data.stat()
    text = data.read_bytes()
    assert text.count(b'"1992-08-30"') >= 1
    data.write_bytes(text.replace(b'"1992-08-30"', b'"1992-08-31"'))
    os.utime(data, ns=(before.st_atime_ns, before.st_mtime_ns))  # as cp -p, rsync -t do
    assert data.stat().st_size == before.st_size
    assert data.stat().st_mtime_ns == before.st_mtime_ns
    assert "1992-08-31" in run(*query).stdout


def test_output_goes_only_to_regular_files(run: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reading, writing = os.pipe()
    link = tmp_path / "stdout"
    link.symlink_to(f"/proc/self/fd/{writing}")  # as /proc/self/fd/1 is in a pipe
    device_link = tmp_path / "full"
    device_link.symlink_to("/dev/full")
    for target, kind in [(Path("/dev/full"), "a device"), (device_link, "a device"),
                         (fifo, "a FIFO"), (link, "a FIFO (a link to /proc/self/fd/")]:
        before = os.lstat(target)
        for args in (["export", "--format", "nt"], ["sparql", "ASK {}", "--format", "csv"]):
            result = run(*args, "--output", str(target))
            assert result.exit_code == 3, result.output
            assert result.stderr.startswith(f"error: {target}: is ") and kind in result.stderr
            assert result.stderr.count("\n") == 1
        after = os.lstat(target)
        assert (after.st_mode, after.st_ino, after.st_rdev) == (
            before.st_mode, before.st_ino, before.st_rdev)
    assert run("sparql", "ASK {}", "--format", "csv", "--output", "-").stdout.split() == [
        "boolean", "true"]
    assert run("export", "--format", "nt", "--output", "-").stdout.count("\n") > 1000
    os.close(reading)
    os.close(writing)


def test_a_link_to_a_regular_file_is_written_through(run: Run, tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert run("sparql", "ASK {}", "--output", str(link)).exit_code == 0
    assert link.is_symlink() and real.read_text().split() == ["boolean", "true"]


def test_add_refuses_a_read_only_target_and_keeps_modes(
    private: tuple[Path, Path]
) -> None:
    project, cache = private
    run = runner(project, cache)
    facts = ROOT / "tests" / "fixtures" / "facts" / "good.ttl"
    target = project / "data" / "azerbaijan-kazakhstan.ttl"
    before = target.read_bytes()
    target.chmod(0o444)
    result = run("add", str(facts), "--to", str(target))
    assert result.exit_code == 3 and result.stderr == (
        f"error: {target}: is read-only (hint: make it writable first, or choose another "
        "file)\n")
    assert target.read_bytes() == before and target.stat().st_mode & 0o777 == 0o444
    target.chmod(0o640)
    assert run("add", str(facts), "--to", str(target)).exit_code == 0
    assert target.read_bytes().startswith(before) and target.stat().st_mode & 0o777 == 0o640


@pytest.mark.slow
def test_validate_checks_its_queries_in_a_fresh_process(private: tuple[Path, Path]) -> None:
    project, cache = private  # no verdicts yet: rdflib is loaded to check the queries
    facts = ROOT / "tests" / "fixtures" / "facts" / "good.ttl"
    for _ in range(2):  # the second time from the verdicts kept
        done = subprocess.run([sys.executable, "-m", "diplograph", "--project", str(project),
                               "--store", str(cache), "validate", str(facts)],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "conforms" in done.stdout
    assert len(list((cache / "checked-queries").iterdir())) >= 2


def test_a_query_argument_that_is_not_utf8_is_one_line(run: Run) -> None:
    result = run("sparql", "SELECT * WHERE { ?s ?p \udcff }")  # 0xff, as Python hands it on
    assert result.exit_code == 3
    assert result.stderr == ("error: query: not UTF-8 text (byte 23) "
                             "(hint: save the query as UTF-8)\n")


def test_damaged_cache_records_are_read_again(private: tuple[Path, Path]) -> None:
    project, cache = private
    run = runner(project, cache)
    store = Graph.open(project, cache).compiled.path
    (cache / "digests.json").write_text("[]")  # valid JSON of the wrong shape
    (store / "sources.json").write_text('{"format": 1}')
    result = run("query", "timeline", "--a", "AZ", "--b", "KZ", "--format", "csv")
    assert result.exit_code == 0 and result.stdout.count("\n") == 9, result.output
