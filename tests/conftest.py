"""Shared fixtures: the bundled project, one compiled store per test session, a CLI runner."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from diplograph.cli import cli
from diplograph.project import Project
from diplograph.rdf.reading import read_triples
from diplograph.store.cache import KnowledgeGraph, open_graph

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
W3C = CORPUS / "w3c-rdf-tests"

Run = Callable[..., Result]
KEEP_COUNTRIES = {"AZ", "UZ", "KZ", "UA", "AM"}


def copy_graph(tmp_path: Path) -> Path:
    """A copy of the graph with only the countries its facts name (so stores compile fast)."""
    folder = tmp_path / "graph"
    for part in ("ontology", "queries", "data"):
        shutil.copytree(ROOT / part, folder / part)
    prefix = "https://w3id.org/diplograph/country/"
    kept = [t for t in read_triples(ROOT / "data" / "countries.ttl")
            if not str(t.subject.value).startswith(prefix)
            or str(t.subject.value).removeprefix(prefix) in KEEP_COUNTRIES]
    (folder / "data" / "countries.ttl").write_bytes(
        ox.serialize(kept, format=ox.RdfFormat.TURTLE) or b"")
    return folder


def invoke(project: Path, *args: str) -> Result:
    """The CLI on a copied project, with a store cache beside it."""
    return CliRunner().invoke(cli, ["--project", str(project), "--store",
                                    str(project.parent / "store"), *args])


def snapshot(project: Path) -> dict[str, bytes]:
    """Every data file (source texts included), by its path in the data folder."""
    data = project / "data"
    return {str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*"))
            if p.is_file() and p.name != ".diplograph.lock"}


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("store")


@pytest.fixture(scope="session")
def graph(project: Project, store_dir: Path) -> KnowledgeGraph:
    return open_graph(project, store_dir)


@pytest.fixture
def run(project: Project, store_dir: Path, graph: KnowledgeGraph) -> Run:
    """Invoke the CLI on the bundled project; stdout and stderr kept apart."""

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(
            cli, ["--project", str(project.root), "--store", str(store_dir), *args], input=input
        )

    return invoke


@pytest.fixture
def worker_pieces(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The body of each piece a worker process wrote, as dumps are made."""
    from diplograph.dumps import workers

    written: list[bytes] = []
    done = workers.Piece.done

    def spy(piece: workers.Piece, body: bytes | None) -> None:
        if body is not None:
            written.append(body)
        done(piece, body)

    monkeypatch.setattr(workers.Piece, "done", spy)
    return written


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on 127.0.0.1: its base address, and every request it received."""
    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            received.append(f"{self.command} {self.path}")
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[{}]}}')

        do_GET = do_POST = _any

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()

@pytest.fixture(scope="session")
def server(project: Project, store_dir: Path, graph: KnowledgeGraph) -> Iterator[str]:
    """`diplograph serve` on a free port, as a separate process; its address."""
    process = subprocess.Popen(
        [sys.executable, "-m", "diplograph", "--project", str(project.root), "--store",
         str(store_dir), "serve", "--port", "0"], stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert found, line
        url = found.group()
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    assert response.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        if process.stderr is not None:
            process.stderr.close()
