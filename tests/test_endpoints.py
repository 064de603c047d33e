"""Real triple stores: the graph pushed to the Oxigraph server and to Virtuoso 7, pushed
again (nothing changes), then every documented example and further parameter sets run
there through `--endpoint`, giving the local rows in the local order. Required when
CI=true; skipped, saying why, where a server cannot start."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from conftest import ROOT, Run
from diplograph.cli import cli
from diplograph.errors import DiplographError, EndpointError, InputError
from diplograph.graph import Graph
from diplograph.project import Project
from diplograph.sparql.endpoints import NETRC_ENV, PASSWORD_ENV, USER_ENV, Endpoint, push
from diplograph.store.cache import KnowledgeGraph

pytestmark = pytest.mark.slow

#: Parameter sets beyond the documented examples: languages, bounds, other states.
FURTHER = [
    ("agreements", {"a": "AZ", "lang": "az"}),
    ("agreements", {"lang": "ru"}),
    ("agreements", {"b": "UZ", "lang": "az"}),
    ("ambassadors", {}),
    ("ambassadors", {"host": "AZ", "lang": "az"}),
    ("ambassadors", {"sending": "UZ", "lang": "ru"}),
    ("embassies", {"lang": "ru"}),
    ("embassies", {"country": "Azərbaycan", "lang": "az"}),
    ("honours", {"lang": "az"}),
    ("honours", {"person": "Heydər Əliyev", "lang": "ru"}),
    ("monuments", {"lang": "az"}),
    ("monuments", {"country": "UZ", "lang": "ru"}),
    ("names", {"name": "Казахстан@ru"}),
    ("names", {"name": "Azerbaijan@en"}),
    ("relations", {"country": "UZ", "lang": "ru"}),
    ("relations", {"country": "KZ", "lang": "az"}),
    ("search", {"text": "Baku"}),
    ("search", {"text": "embassy"}),
    ("search", {"text": "ö"}),
    ("sources", {"subject": "dgr:relation-AZ-KZ"}),
    ("sources", {"subject": "dgr:embassy-AZ-in-KZ"}),
    ("timeline", {"a": "AZ", "b": "UZ", "from": "1996", "to": "2004"}),
    ("timeline", {"a": "UZ", "b": "AZ", "to": "1998-05", "lang": "az"}),
    ("timeline", {"a": "AZ", "b": "KZ", "from": "2006-08-11", "lang": "ru"}),
    ("visits", {"country": "AZ", "to": "2004"}),
    ("visits", {"from": "1996-05", "to": "1997", "lang": "az"}),
    ("visits", {"lang": "ru"}),
    ("visits", {"country": "UZ", "lang": "az"}),
    ("visits", {"country": "Özbəkistan", "from": "1997", "lang": "ru"}),
    ("votes", {"option": "abstain"}),
    ("votes", {"country": "KZ", "year": "2008", "lang": "az"}),
    ("votes", {"resolution": "dgr:resolution-unga-62-draft-occupied-territories-of-azerbaijan"}),
]


def _unavailable(reason: str) -> None:
    """Fail under CI (the servers are part of what it proves), skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve(command: list[str], ready: str, cwd: Path, seconds: float) -> subprocess.Popen[bytes]:
    """Start a server and wait until `ready` answers a query."""
    with (cwd / "server.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(ready, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    process.wait()
    _unavailable(f"{command[0]} did not start: {(cwd / 'server.log').read_text()[-300:]}")
    raise AssertionError("unreachable")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _oxigraph(folder: Path) -> Iterator[str]:
    """The Oxigraph server of the `oxigraph` package, its default graph the union."""
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(exe).is_file():
        _unavailable("the Oxigraph server is not installed (pip install oxigraph)")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/query"
    process = _serve([exe, "serve", "--location", str(folder / "db"), "--bind",
                      f"127.0.0.1:{port}", "--union-default-graph"], url, folder, 30)
    yield url
    _stop(process)


VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
EnabledDavVSP = 0
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
"""


def _virtuoso(folder: Path) -> Iterator[str]:
    """Virtuoso 7 from Debian on a new database: loopback ports, no query cost limit,
    its Graph Store endpoint behind digest auth (dba:dba)."""
    exe = shutil.which("virtuoso-t")
    if exe is None:
        _unavailable("Virtuoso is not installed (apt-get install virtuoso-opensource)")
        return
    http_port, sql_port = _free_port(), _free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port))
    url = f"http://127.0.0.1:{http_port}/sparql"
    process = _serve([exe, "+foreground", "+configfile", str(ini)], url, folder, 240)
    yield url
    _stop(process)


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           ) -> Iterator[str]:
    """The query endpoint of a freshly started, empty triple store."""
    folder = tmp_path_factory.mktemp(request.param)
    start = _oxigraph if request.param == "oxigraph" else _virtuoso
    yield from start(folder)


@pytest.fixture(scope="module")
def credentials(server: str) -> Iterator[None]:
    """Virtuoso's dba user, from the environment (the Oxigraph server asks for none)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(USER_ENV, "dba")
        patch.setenv(PASSWORD_ENV, "dba")
        yield


@pytest.fixture(scope="module")
def pushed(server: str, credentials: None, project: Project, store_dir: Path,
           graph: KnowledgeGraph) -> Iterator[Graph]:
    """The bundled graph pushed to the server, and its queries run there."""
    local = Graph(project, store_dir, _compiled=graph)
    with Endpoint(server) as endpoint:
        local.push(endpoint)
        yield local.at(endpoint)


def _cases(local: Graph) -> list[tuple[str, dict[str, str | list[str]]]]:
    examples = [(name, dict(e.params)) for name, q in local.catalog.queries.items()
                for e in q.examples]
    return examples + [(name, dict(params)) for name, params in FURTHER]


def test_a_second_push_changes_nothing(pushed: Graph, run: Run, server: str) -> None:
    before = pushed.sparql("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                           "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/diplograph/')) } "
                           "GROUP BY ?g ORDER BY ?g")
    again = run("push", "--endpoint", server)
    assert again.exit_code == 0, again.output
    lines = again.output.splitlines()
    assert lines[-1].startswith(f"{sum(int(r[1].value) for r in before.rows)} triples in "  # type: ignore[union-attr]
                                f"{len(before.rows)} graphs")
    after = pushed.sparql("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                          "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/diplograph/')) } "
                          "GROUP BY ?g ORDER BY ?g")
    assert after.rows == before.rows
    assert {r[0].value for r in after.rows} >= {  # type: ignore[union-attr]
        "https://w3id.org/diplograph/graph/inferred",
        "https://w3id.org/diplograph/graph/asserted/data/countries.ttl",
        "https://w3id.org/diplograph/graph/asserted/ontology/diplograph.ttl"}


def test_every_example_and_more_give_the_local_rows_in_order(pushed: Graph) -> None:
    local = Graph(pushed.project, pushed.store_dir, _compiled=pushed.compiled)
    cases = _cases(local)
    differ = []
    for name, params in cases:
        here = local.query(name, **params)
        try:
            there = pushed.query(name, **params)
        except DiplographError as exc:
            differ.append(f"{name} {params}: {exc.message}")
            continue
        if there.columns != here.columns or there.rows != here.rows:
            differ.append(f"{name} {params}: {len(there.rows)} rows there, {len(here.rows)} here")
    assert len(cases) >= 50
    assert not differ, f"{len(cases) - len(differ)} of {len(cases)} alike:\n" + "\n".join(differ)


def test_the_command_line_prints_the_local_output(pushed: Graph, run: Run, server: str) -> None:
    args = ["query", "timeline", "--a", "KAZ", "--b", "Azerbaijan", "--to", "2004",
            "--format", "csv", "--show-sparql", "--explain"]
    here = run(*args)
    there = run(*args, "--endpoint", server)
    assert there.exit_code == here.exit_code == 0, there.output
    assert there.stdout == here.stdout
    assert there.stdout.count("\n") >= 4  # a header and at least the example's 3 rows
    assert there.stderr == here.stderr  # the same query text, the same sources
    assert "row 1:\n  dgr:relation-AZ-KZ from 000_83205e02681364cb" in there.stderr


def test_sparql_runs_there_select_ask_and_construct(pushed: Graph, run: Run, server: str,
                                                    ) -> None:
    count = ("PREFIX dg: <https://w3id.org/diplograph/ontology#> "
             "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a dg:Country }")
    local = run("sparql", count).stdout
    assert int(local.split()[1]) >= 249
    assert run("sparql", count, "--endpoint", server).stdout == local
    ask = "ASK { <https://w3id.org/diplograph/country/AZ> ?p ?o }"
    assert run("sparql", ask, "--endpoint", server, "--format", "json").stdout \
        == run("sparql", ask, "--format", "json").stdout
    construct = ("CONSTRUCT { ?c <https://w3id.org/diplograph/ontology#alpha2> ?code } WHERE "
                 "{ ?c <https://w3id.org/diplograph/ontology#alpha2> ?code "
                 "FILTER(?code IN ('AZ', 'KZ', 'UZ')) }")
    there = run("sparql", construct, "--endpoint", server, "--format", "nt")
    assert there.exit_code == 0, there.output
    assert sorted(there.stdout.splitlines()) == sorted(
        run("sparql", construct, "--format", "nt").stdout.splitlines())
    assert len(there.stdout.splitlines()) == 3


def test_no_inference_is_refused_at_an_endpoint(pushed: Graph, run: Run, server: str) -> None:
    result = run("query", "relations", "--country", "AZ", "--no-inference", "--endpoint", server)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --no-inference does not apply to an endpoint")


def test_credentials_are_asked_for_and_checked(pushed: Graph, run: Run, server: str,
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    if not server.endswith("/sparql"):
        pytest.skip("the Oxigraph server asks for no credentials")
    monkeypatch.delenv(USER_ENV)
    monkeypatch.delenv(PASSWORD_ENV)
    monkeypatch.setenv(NETRC_ENV, str(tmp_path / "none"))
    missing = run("push", "--endpoint", server)
    assert missing.exit_code == 7
    assert missing.stderr.startswith(f"error: {server}-graph-crud-auth asks for credentials")
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login dba password wrong\n")
    netrc.chmod(0o600)
    monkeypatch.setenv(NETRC_ENV, str(netrc))
    wrong = run("push", "--endpoint", server)
    assert wrong.exit_code == 7
    assert f"refused the credentials of 'dba' from {netrc}" in wrong.stderr
    netrc.write_text("machine 127.0.0.1 login dba password dba\n")
    right = run("push", "--endpoint", server)
    assert right.exit_code == 0, right.output
    assert right.stdout.splitlines()[-1].endswith(f"each count checked at {server}")


def test_an_unreachable_endpoint_is_one_line(run: Run) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/query"
        pushed = run("push", "--endpoint", url)
        queried = run("query", "relations", "--country", "AZ", "--endpoint", url)
    assert pushed.exit_code == queried.exit_code == 6
    assert pushed.stderr.startswith(f"error: cannot reach {url[:-len('query')]}store: ")
    assert queried.stderr.startswith(f"error: cannot reach {url}: ")
    assert len(queried.stderr.splitlines()) == 1


def test_counts_that_differ_are_an_error(run: Run, tmp_path_factory: pytest.TempPathFactory,
                                         ) -> None:
    """A Graph Store endpoint of one server, the query endpoint of another: what was
    pushed is not what the query endpoint counts."""
    stores = [_oxigraph(tmp_path_factory.mktemp("store")) for _ in range(2)]
    loaded, other = (next(s) for s in stores)
    try:
        result = run("push", "--endpoint", other, "--graph-store",
                     loaded.removesuffix("query") + "store")
    finally:
        for s in stores:
            next(s, None)
    assert result.exit_code == 8
    counts = {g.value: n for g, n in Graph.open().store_info().counts.items() if n}
    first = min(counts)
    assert result.stderr.startswith(
        f"error: {first} holds 0 triples at {other}, {counts[first]} were pushed "
        f"(and {len(counts) - 1} more graphs)")


def test_graphs_sharing_a_blank_node_are_refused_before_sending() -> None:
    with socket.socket() as s:  # nothing listens: the refusal comes before any request
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/query"
    p, s_ = "<https://example.org/p>", "<https://example.org/s>"
    shared = [("https://example.org/a", f'_:b0 {p} "x" .\n'.encode()),
              ("https://example.org/b", f"{s_} {p} _:b0 .\n".encode())]
    with Endpoint(url) as endpoint, pytest.raises(
            InputError, match=r"^blank node _:b0 is in https://example.org/a and https://"):
        push(endpoint, shared)
    alone = [shared[0], ("https://example.org/b", f'_:b1 {p} "y" .\n'.encode())]
    with Endpoint(url) as endpoint, pytest.raises(EndpointError, match=r"^cannot reach"):
        push(endpoint, alone)  # blank nodes of their own: sent, and the port is closed


def test_repeated_triples_warn_and_prune_removes_graphs_of_gone_files(tmp_path: Path) -> None:
    folder = tmp_path / "graph"
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, folder / part)
    again = folder / "data" / "sources-again.ttl"
    shutil.copy(folder / "data" / "sources.ttl", again)
    stated = len(list(ox.parse(path=str(again), format=ox.RdfFormat.TURTLE)))
    graph = "https://w3id.org/diplograph/graph/asserted/data/sources-again.ttl"
    server = _oxigraph(tmp_path)
    url = next(server)

    def diplograph(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--project", str(folder), "--store",
                                        str(tmp_path / "stores"), *args])

    def holds() -> str:
        query = f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return diplograph("sparql", query, "--endpoint", url, "--format", "csv").stdout

    try:
        first = diplograph("push", "--endpoint", url)
        assert first.exit_code == 0, first.output
        assert f"{stated:>5}  {graph}\n" in first.stdout
        assert first.stderr == (f"warning: {stated} triples are in more than one graph: where the"
                                " default graph does not merge them (Virtuoso), queries"
                                " without DISTINCT give their rows twice\n")
        again.unlink()
        kept = diplograph("push", "--endpoint", url)
        assert kept.exit_code == 0, kept.output
        assert graph not in kept.stdout and kept.stderr == ""
        assert holds() == "boolean\ntrue\n"  # without --prune the graph of the gone file stays
        pruned = diplograph("push", "--endpoint", url, "--prune")
        assert pruned.exit_code == 0, pruned.output
        assert f"    -  {graph} (removed)\n" in pruned.stdout
        assert holds() == "boolean\nfalse\n"
        assert diplograph("push", "--endpoint", url, "--prune").stdout == kept.stdout
    finally:
        next(server, None)
